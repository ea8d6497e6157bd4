import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useMemo, useRef, useState } from 'react';
import { useLocation } from 'wouter';
import { CustomFieldInput, isCustomField } from '../../components/CustomFieldInput.tsx';
import { ErrorNotice, fieldErrors, Select, TextArea, TextInput } from '../../components/forms.tsx';
import { t } from '../../i18n/index.ts';
import { ApiError, api } from '../../lib/api.ts';
import { draftKey, useDraft } from '../../lib/drafts.ts';
import { useAgents, useGroupMemberships, useGroups, useTicketFields } from '../../lib/queries.ts';
import { useSession } from '../../lib/session.tsx';
import { useShortcuts } from '../../lib/shortcuts.tsx';
import type { Ticket, TicketField } from '../../lib/types.ts';
import { type ChosenRequester, type NewRequester, RequesterPicker } from './RequesterPicker.tsx';
import './views.css';

interface Draft {
  requester: ChosenRequester | null;
  newRequester: NewRequester | null;
  subject: string;
  body: string;
  isPublic: boolean;
  priority: string;
  type: string;
  groupId: string;
  assigneeId: string;
  tags: string;
  custom: Record<string, unknown>;
  uploads: { token: string; name: string }[];
}

const EMPTY: Draft = {
  requester: null,
  newRequester: null,
  subject: '',
  body: '',
  isPublic: true,
  priority: '',
  type: '',
  groupId: '',
  assigneeId: '',
  tags: '',
  custom: {},
  uploads: [],
};

/** Error keys the API uses for this form's fields (Zendesk's names, and zod's dotted paths). */
const FIELD_KEYS = [
  'requester',
  'requester_id',
  'requester.name',
  'requester.email',
  'subject',
  'description',
  'comment',
  'comment.body',
  'comment.uploads',
  'priority',
  'type',
  'group',
  'group_id',
  'assignee',
  'assignee_id',
  'tags',
  'custom_fields',
];

/** The API's words for one field, without a technical path in front ("requester.email: …"). */
function plain(message: string | undefined, key: string): string | undefined {
  if (!message) return undefined;
  const text = message.startsWith(`${key}: `) ? message.slice(key.length + 2) : message;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function parseTags(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * A ticket opened by an agent on a customer's behalf. Everything typed is kept as a draft on this device
 * until the server accepts the ticket; its 422s are shown beside the fields they name.
 */
export default function NewTicketPage() {
  const { me, account } = useSession();
  const [, navigate] = useLocation();
  const queryClient = useQueryClient();
  const [draft, setDraft, clearDraft] = useDraft<Draft>(draftKey(account.id, me.id, 'new-ticket'), EMPTY);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({});
  const [uploading, setUploading] = useState<string | null>(null);
  const [uploadError, setUploadError] = useState<unknown>(null);
  const formRef = useRef<HTMLFormElement>(null);

  const fields = useTicketFields();
  const groups = useGroups();
  const agents = useAgents();
  const memberships = useGroupMemberships();
  const systemField = (type: string) => fields.data?.find((f) => f.type === type);
  const customFields = useMemo(
    () =>
      (fields.data ?? [])
        .filter((f) => f.active && isCustomField(f))
        .sort((a, b) => a.position - b.position || a.id - b.id),
    [fields.data],
  );
  const subjectRequired = systemField('subject')?.required ?? true;

  // Uploads finish after later keystrokes; every change builds on the newest draft, not a render's copy.
  const latest = useRef(draft);
  latest.current = draft;
  const update = (patch: Partial<Draft>) => {
    const next = { ...latest.current, ...patch };
    latest.current = next;
    setDraft(next);
  };

  const { byField, rest } = fieldErrors(error, FIELD_KEYS);
  const errorFor = (...keys: string[]) => {
    for (const key of keys) {
      const message = clientErrors[key] ?? plain(byField[key], key);
      if (message) return message;
    }
    return undefined;
  };
  // Custom field errors name the field by title ("Order number: must be a whole number").
  const customError = (field: TicketField) => {
    const message = byField.custom_fields;
    return message?.startsWith(`${field.title}:`) ? message : undefined;
  };
  const unclaimedCustom =
    byField.custom_fields && !customFields.some((f) => byField.custom_fields?.startsWith(`${f.title}:`))
      ? byField.custom_fields
      : null;

  const assignable = useMemo(() => {
    const all = agents.data ?? [];
    if (!draft.groupId) return all;
    const members = new Set(
      (memberships.data ?? []).filter((m) => String(m.group_id) === draft.groupId).map((m) => m.user_id),
    );
    return all.filter((a) => members.has(a.id));
  }, [agents.data, memberships.data, draft.groupId]);

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    if (submitting) return;
    const problems: Record<string, string> = {};
    if (!draft.requester && !draft.newRequester) problems.requester = t('views.newTicket.chooseRequester');
    if (subjectRequired && !draft.subject.trim()) problems.subject = t('views.newTicket.blank');
    setClientErrors(problems);
    if (Object.keys(problems).length) {
      setError(null);
      focusFirstError();
      return;
    }
    const ticket: Record<string, unknown> = {
      comment: {
        body: draft.body,
        public: draft.isPublic,
        ...(draft.uploads.length ? { uploads: draft.uploads.map((u) => u.token) } : {}),
      },
    };
    if (draft.subject.trim()) ticket.subject = draft.subject.trim();
    if (draft.requester) ticket.requester_id = draft.requester.id;
    else if (draft.newRequester) {
      ticket.requester = {
        email: draft.newRequester.email.trim(),
        ...(draft.newRequester.name.trim() ? { name: draft.newRequester.name.trim() } : {}),
      };
    }
    if (draft.priority) ticket.priority = draft.priority;
    if (draft.type) ticket.type = draft.type;
    if (draft.groupId) ticket.group_id = Number(draft.groupId);
    if (draft.assigneeId) ticket.assignee_id = Number(draft.assigneeId);
    const tags = parseTags(draft.tags);
    if (tags.length) ticket.tags = tags;
    const custom = customFields
      .map((f) => ({ id: f.id, value: draft.custom[String(f.id)] }))
      .filter(
        ({ value }) =>
          value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && !value.length),
      );
    if (custom.length) ticket.custom_fields = custom;

    setSubmitting(true);
    setError(null);
    try {
      const created = await api.post<{ ticket: Ticket }>('tickets', { ticket });
      clearDraft();
      void queryClient.invalidateQueries({ queryKey: ['views'] });
      navigate(`/tickets/${created.ticket.id}`);
    } catch (err) {
      setError(err);
      focusFirstError();
    } finally {
      setSubmitting(false);
    }
  };

  // After a failed submit, focus goes to the first field the problem names, or the summary.
  const focusFirstError = () =>
    requestAnimationFrame(() => {
      const form = formRef.current;
      const target =
        form?.querySelector<HTMLElement>('[aria-invalid="true"]') ??
        form?.querySelector<HTMLElement>('[role=alert]');
      target?.focus();
    });

  useShortcuts([
    {
      keys: 'mod+enter',
      description: 'views.shortcuts.submitTicket',
      inFields: true,
      run: () => void submit(),
    },
  ]);

  const attach = async (files: FileList | null) => {
    if (!files?.length) return;
    setUploadError(null);
    const added: Draft['uploads'] = [];
    try {
      for (const file of Array.from(files)) {
        setUploading(file.name);
        const { upload } = await api.upload(file);
        added.push({ token: upload.token, name: upload.attachment.file_name });
      }
    } catch (err) {
      setUploadError(err);
    } finally {
      setUploading(null);
      if (added.length) update({ uploads: [...latest.current.uploads, ...added] });
    }
  };

  const hasServerFieldErrors = error instanceof ApiError && Object.keys(byField).length > 0;

  return (
    <form
      className="new-ticket"
      ref={formRef}
      onSubmit={submit}
      noValidate
      aria-labelledby="new-ticket-title"
    >
      <h1 id="new-ticket-title">{t('views.newTicket.title')}</h1>
      {hasServerFieldErrors && (
        <p className="error-notice" role="alert" tabIndex={-1}>
          {t('views.newTicket.errorsAbove')}
        </p>
      )}
      <ErrorNotice error={rest} />
      <div className="new-ticket-grid">
        <div>
          <RequesterPicker
            chosen={draft.requester}
            newPerson={draft.newRequester}
            onChoose={(requester) => update({ requester, newRequester: null })}
            onNewPerson={(newRequester) => update({ newRequester, requester: null })}
            errors={{
              requester: errorFor('requester', 'requester_id'),
              name: errorFor('requester.name'),
              email: errorFor('requester.email'),
            }}
          />
          <TextInput
            label={
              subjectRequired
                ? t('views.newTicket.requiredMark', { title: t('views.newTicket.subject') })
                : t('views.newTicket.subject')
            }
            value={draft.subject}
            onChange={(e) => update({ subject: e.target.value })}
            error={errorFor('subject')}
            maxLength={255}
            autoComplete="off"
          />
          <TextArea
            label={t('views.newTicket.requiredMark', { title: t('views.newTicket.description') })}
            value={draft.body}
            onChange={(e) => update({ body: e.target.value })}
            error={errorFor('description', 'comment', 'comment.body')}
          />
          <fieldset>
            <legend>{t('views.newTicket.firstComment')}</legend>
            <label className="checkbox-row">
              <input
                type="radio"
                name="first-comment"
                checked={draft.isPublic}
                onChange={() => update({ isPublic: true })}
              />
              {t('views.newTicket.public')}
            </label>
            <label className="checkbox-row">
              <input
                type="radio"
                name="first-comment"
                checked={!draft.isPublic}
                onChange={() => update({ isPublic: false })}
              />
              {t('views.newTicket.internal')}
            </label>
          </fieldset>
          <div className="field">
            <label htmlFor="new-ticket-files">{t('views.newTicket.attachments')}</label>
            <input
              id="new-ticket-files"
              type="file"
              multiple
              disabled={uploading !== null}
              aria-describedby={
                uploadError || errorFor('comment.uploads') ? 'new-ticket-files-error' : undefined
              }
              onChange={(e) => {
                void attach(e.target.files);
                e.target.value = '';
              }}
            />
            {uploading && (
              <p className="hint" role="status">
                {t('views.newTicket.uploading', { name: uploading })}
              </p>
            )}
            {draft.uploads.length > 0 && (
              <ul className="new-ticket-files" aria-label={t('views.newTicket.files')}>
                {draft.uploads.map((u) => (
                  <li key={u.token}>
                    <span>{u.name}</span>
                    <button
                      type="button"
                      className="link-button"
                      onClick={() => update({ uploads: draft.uploads.filter((x) => x.token !== u.token) })}
                    >
                      {t('views.newTicket.removeFile', { name: u.name })}
                    </button>
                  </li>
                ))}
              </ul>
            )}
            {(uploadError || errorFor('comment.uploads')) && (
              <p className="field-error" id="new-ticket-files-error">
                {uploadError instanceof ApiError
                  ? uploadError.description
                  : uploadError
                    ? String((uploadError as Error).message ?? uploadError)
                    : errorFor('comment.uploads')}
              </p>
            )}
          </div>
        </div>

        <div className="new-ticket-side">
          <Select
            label={t('views.newTicket.priority')}
            value={draft.priority}
            onChange={(e) => update({ priority: e.target.value })}
            error={errorFor('priority')}
            options={[
              { value: '', label: t('views.newTicket.anyone') },
              ...(['low', 'normal', 'high', 'urgent'] as const).map((p) => ({
                value: p,
                label: t(`views.priority.${p}`),
              })),
            ]}
          />
          <Select
            label={t('views.newTicket.type')}
            value={draft.type}
            onChange={(e) => update({ type: e.target.value })}
            error={errorFor('type')}
            options={[
              { value: '', label: t('views.newTicket.anyone') },
              ...(['question', 'incident', 'problem', 'task'] as const).map((v) => ({
                value: v,
                label: t(`views.type.${v}`),
              })),
            ]}
          />
          <Select
            label={t('views.newTicket.group')}
            value={draft.groupId}
            onChange={(e) => {
              const groupId = e.target.value;
              const stillMember =
                !groupId ||
                !draft.assigneeId ||
                (memberships.data ?? []).some(
                  (m) => String(m.group_id) === groupId && String(m.user_id) === draft.assigneeId,
                );
              update({ groupId, assigneeId: stillMember ? draft.assigneeId : '' });
            }}
            error={errorFor('group', 'group_id')}
            options={[
              { value: '', label: t('views.newTicket.anyone') },
              ...(groups.data ?? [])
                .filter((g) => !g.deleted)
                .map((g) => ({ value: String(g.id), label: g.name })),
            ]}
          />
          <Select
            label={t('views.newTicket.assignee')}
            value={draft.assigneeId}
            onChange={(e) => update({ assigneeId: e.target.value })}
            error={errorFor('assignee', 'assignee_id')}
            options={[
              { value: '', label: t('views.newTicket.anyone') },
              ...assignable.map((a) => ({ value: String(a.id), label: a.name })),
            ]}
          />
          <TextInput
            label={t('views.newTicket.tags')}
            hint={t('views.newTicket.tagsHint')}
            value={draft.tags}
            onChange={(e) => update({ tags: e.target.value })}
            error={errorFor('tags')}
            autoComplete="off"
          />
          {customFields.length > 0 && (
            <fieldset>
              <legend>{t('views.newTicket.fieldsLegend')}</legend>
              {customFields.map((field) => (
                <CustomFieldInput
                  key={field.id}
                  field={field}
                  value={draft.custom[String(field.id)]}
                  onChange={(value) => update({ custom: { ...draft.custom, [String(field.id)]: value } })}
                  label={
                    field.required ? t('views.newTicket.requiredMark', { title: field.title }) : field.title
                  }
                  hint={
                    [field.description, field.required ? t('views.newTicket.requiredHint') : '']
                      .filter(Boolean)
                      .join(' ') || undefined
                  }
                  emptyOption={t('views.newTicket.chooseOption')}
                  error={customError(field)}
                />
              ))}
              {unclaimedCustom && <p className="field-error">{unclaimedCustom}</p>}
            </fieldset>
          )}
        </div>
      </div>
      <div className="toolbar new-ticket-actions">
        <button type="submit" className="button primary" disabled={submitting || uploading !== null}>
          {submitting ? t('views.newTicket.creating') : t('views.newTicket.create')}
        </button>
        <button
          type="button"
          className="button"
          disabled={submitting}
          onClick={() => {
            clearDraft();
            setError(null);
            setClientErrors({});
          }}
        >
          {t('views.newTicket.discard')}
        </button>
        <span className="hint">{t('views.newTicket.draftKept')}</span>
      </div>
    </form>
  );
}
