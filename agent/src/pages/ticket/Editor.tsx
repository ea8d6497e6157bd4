import { Placeholder } from '@tiptap/extensions';
import { EditorContent, Extension, useEditor, useEditorState } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import { type Ref, useEffect, useImperativeHandle, useRef } from 'react';
import { t } from '../../i18n/index.ts';

/** What the composer can ask of the editor once it has loaded. */
export interface EditorHandle {
  focus(): void;
  setContent(html: string): void;
}

/**
 * The rich-text reply editor (Tiptap). It is its own chunk, loaded when a ticket is opened, so the first
 * screen of the workspace does not carry it. Output is HTML; the server sanitizes it on the way in.
 */
export default function Editor({
  initialHtml,
  label,
  placeholder,
  onChange,
  onFiles,
  onSubmit,
  disabled,
  handle,
}: {
  initialHtml: string;
  label: string;
  placeholder: string;
  onChange: (html: string) => void;
  onFiles: (files: File[]) => void;
  onSubmit: () => void;
  disabled: boolean;
  handle: Ref<EditorHandle>;
}) {
  const latest = useRef({ onChange, onFiles, onSubmit, placeholder, label });
  latest.current = { onChange, onFiles, onSubmit, placeholder, label };
  const editor = useEditor({
    extensions: [
      StarterKit.configure({ heading: { levels: [3, 4] }, link: { openOnClick: false } }),
      Placeholder.configure({ placeholder: () => latest.current.placeholder }),
      // Ctrl/Cmd+Enter submits (StarterKit would insert a line break and swallow the key).
      Extension.create({
        name: 'submitOnModEnter',
        priority: 1000,
        addKeyboardShortcuts: () => ({
          'Mod-Enter': () => {
            latest.current.onSubmit();
            return true;
          },
        }),
      }),
    ],
    content: initialHtml,
    editorProps: {
      // A function, so the label follows the reply/note switch on the next transaction.
      attributes: () => ({
        'aria-label': latest.current.label,
        'aria-multiline': 'true',
        role: 'textbox',
        class: 'editor-content',
      }),
      // Files pasted or dropped into the text become attachments rather than being lost.
      handlePaste: (_view, event) => {
        const files = [...(event.clipboardData?.files ?? [])];
        if (!files.length) return false;
        latest.current.onFiles(files);
        return true;
      },
      handleDrop: (_view, event) => {
        const files = [...((event as DragEvent).dataTransfer?.files ?? [])];
        if (!files.length) return false;
        latest.current.onFiles(files);
        return true;
      },
    },
    onUpdate: ({ editor: e }) => latest.current.onChange(e.isEmpty ? '' : e.getHTML()),
  });

  useImperativeHandle(
    handle,
    () => ({
      focus: () => editor?.commands.focus('end'),
      setContent: (html: string) => editor?.commands.setContent(html, { emitUpdate: false }),
    }),
    [editor],
  );

  // An empty transaction re-reads the label and placeholder after the reply/note switch.
  // biome-ignore lint/correctness/useExhaustiveDependencies: label and placeholder are read through `latest`
  useEffect(() => {
    if (editor && !editor.isDestroyed) editor.view.dispatch(editor.state.tr);
  }, [editor, label, placeholder]);

  // While a submit is in flight the text is frozen: what is sent is exactly what gets cleared afterwards.
  useEffect(() => {
    if (editor && !editor.isDestroyed) editor.setEditable(!disabled, false);
  }, [editor, disabled]);

  const state = useEditorState({
    editor,
    selector: ({ editor: e }) => ({
      bold: e?.isActive('bold') ?? false,
      italic: e?.isActive('italic') ?? false,
      code: e?.isActive('code') ?? false,
      bulletList: e?.isActive('bulletList') ?? false,
      orderedList: e?.isActive('orderedList') ?? false,
      blockquote: e?.isActive('blockquote') ?? false,
      codeBlock: e?.isActive('codeBlock') ?? false,
    }),
  });

  if (!editor) return null;
  const tools = [
    {
      key: 'bold',
      label: t('tickets.editor.bold'),
      glyph: 'B',
      run: () => editor.chain().focus().toggleBold().run(),
    },
    {
      key: 'italic',
      label: t('tickets.editor.italic'),
      glyph: 'I',
      run: () => editor.chain().focus().toggleItalic().run(),
    },
    {
      key: 'code',
      label: t('tickets.editor.code'),
      glyph: '</>',
      run: () => editor.chain().focus().toggleCode().run(),
    },
    {
      key: 'bulletList',
      label: t('tickets.editor.bulletList'),
      glyph: '•',
      run: () => editor.chain().focus().toggleBulletList().run(),
    },
    {
      key: 'orderedList',
      label: t('tickets.editor.orderedList'),
      // Drawn, not typed: visible text on an icon button must match its accessible name.
      glyph: (
        <svg
          aria-hidden="true"
          width="16"
          height="16"
          viewBox="0 0 16 16"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.5"
        >
          <path d="M2 2.5v3M6 4h8M1.5 9.5h2l-2 3h2M6 11h8" />
        </svg>
      ),
      run: () => editor.chain().focus().toggleOrderedList().run(),
    },
    {
      key: 'blockquote',
      label: t('tickets.editor.quote'),
      glyph: '❝',
      run: () => editor.chain().focus().toggleBlockquote().run(),
    },
    {
      key: 'codeBlock',
      label: t('tickets.editor.codeBlock'),
      glyph: '{ }',
      run: () => editor.chain().focus().toggleCodeBlock().run(),
    },
  ] as const;
  return (
    <div className="editor">
      <div className="editor-toolbar" role="toolbar" aria-label={t('tickets.editor.toolbar')}>
        {tools.map((tool) => (
          <button
            key={tool.key}
            type="button"
            className={`icon-button tool-${tool.key}`}
            aria-label={tool.label}
            title={tool.label}
            aria-pressed={state?.[tool.key] ?? false}
            onMouseDown={(e) => e.preventDefault()}
            onClick={tool.run}
          >
            <span aria-hidden="true">{tool.glyph}</span>
          </button>
        ))}
      </div>
      <EditorContent editor={editor} />
    </div>
  );
}
