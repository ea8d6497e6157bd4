import { createContext, type ReactNode, useContext, useEffect, useRef } from 'react';
import type { MessageKey } from '../i18n/index.ts';

/**
 * Keyboard shortcuts, Linear/Gmail style: single keys and two-key sequences ("g v"). Pages register theirs
 * while mounted; `?` lists whatever is registered now. Keys typed into a field never trigger a shortcut,
 * except the ones marked `inFields` (such as Ctrl+Enter to submit).
 */
export interface Shortcut {
  keys: string; // "j", "g v", "mod+enter", "?"
  description: MessageKey;
  run: (event: KeyboardEvent) => void;
  inFields?: boolean;
}

type Registry = Map<symbol, Shortcut[]>;
const ShortcutContext = createContext<Registry | null>(null);

function isField(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

function keyName(e: KeyboardEvent): string {
  const mod = e.ctrlKey || e.metaKey ? 'mod+' : '';
  return `${mod}${e.key.length === 1 ? e.key.toLowerCase() : e.key.toLowerCase()}`;
}

export function ShortcutProvider({ children }: { children: ReactNode }) {
  const registry = useRef<Registry>(new Map()).current;
  useEffect(() => {
    let pending: string | null = null;
    let pendingTimer: ReturnType<typeof setTimeout> | undefined;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey) return;
      const inField = isField(e.target);
      const key = e.key === '?' ? '?' : keyName(e);
      const all = [...registry.values()].flat();
      const candidates = all.filter((s) => (inField ? s.inFields : true));
      const sequence = pending ? `${pending} ${key}` : null;
      const match =
        (sequence && candidates.find((s) => s.keys === sequence)) || candidates.find((s) => s.keys === key);
      if (match) {
        pending = null;
        e.preventDefault();
        match.run(e);
        return;
      }
      if (!inField && candidates.some((s) => s.keys.startsWith(`${key} `))) {
        pending = key;
        clearTimeout(pendingTimer);
        pendingTimer = setTimeout(() => {
          pending = null;
        }, 1200);
        return;
      }
      pending = null;
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [registry]);
  return <ShortcutContext.Provider value={registry}>{children}</ShortcutContext.Provider>;
}

/** Registers shortcuts while the calling component is mounted. */
export function useShortcuts(shortcuts: Shortcut[]) {
  const registry = useContext(ShortcutContext);
  const id = useRef(Symbol('shortcuts')).current;
  const latest = useRef(shortcuts);
  latest.current = shortcuts;
  const signature = shortcuts.map((s) => s.keys).join('|');
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-register only when the set of keys changes; `latest` carries the newest handlers
  useEffect(() => {
    if (!registry) return;
    // Wrap so the newest closures run without re-registering on every render.
    registry.set(
      id,
      latest.current.map((s, i) => ({ ...s, run: (e: KeyboardEvent) => latest.current[i]?.run(e) })),
    );
    return () => {
      registry.delete(id);
    };
  }, [registry, id, signature]);
}

export function useRegisteredShortcuts(): Shortcut[] {
  const registry = useContext(ShortcutContext);
  return registry ? [...registry.values()].flat() : [];
}
