import { useCallback, useEffect, useRef, useState } from 'react';

/**
 * Drafts live in localStorage, keyed per account, user and purpose, so a reload, a crash or a failed submit
 * never loses what an agent typed. Cleared only after the server accepted the submit.
 */
const PREFIX = 'haven:draft:';

export function draftKey(accountId: number, userId: number, purpose: string): string {
  return `${PREFIX}${accountId}:${userId}:${purpose}`;
}

export function readDraft<T>(key: string): T | null {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

export function writeDraft<T>(key: string, value: T | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or disabled: the draft lives only in memory for this page.
  }
}

/**
 * useState that is saved (debounced) under `key` and restored on mount. A change still waiting to be saved is
 * written at once when the page is hidden (reload, closed tab) or the component unmounts.
 */
export function useDraft<T>(key: string, initial: T): [T, (value: T) => void, () => void] {
  const [value, setValue] = useState<T>(() => readDraft<T>(key) ?? initial);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const pending = useRef<{ key: string; value: T } | null>(null);
  const initialRef = useRef(initial);
  const flush = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    if (pending.current) writeDraft(pending.current.key, pending.current.value);
    pending.current = null;
  }, []);
  useEffect(() => {
    setValue(readDraft<T>(key) ?? initialRef.current);
    window.addEventListener('pagehide', flush);
    return () => {
      window.removeEventListener('pagehide', flush);
      flush();
    };
  }, [key, flush]);
  const set = useCallback(
    (next: T) => {
      setValue(next);
      pending.current = { key, value: next };
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(flush, 250);
    },
    [key, flush],
  );
  const clear = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    pending.current = null;
    writeDraft(key, null);
    setValue(initialRef.current);
  }, [key]);
  return [value, set, clear];
}
