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

/** useState that is saved (debounced) under `key` and restored on mount. */
export function useDraft<T>(key: string, initial: T): [T, (value: T) => void, () => void] {
  const [value, setValue] = useState<T>(() => readDraft<T>(key) ?? initial);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const initialRef = useRef(initial);
  useEffect(() => {
    setValue(readDraft<T>(key) ?? initialRef.current);
  }, [key]);
  const set = useCallback(
    (next: T) => {
      setValue(next);
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => writeDraft(key, next), 250);
    },
    [key],
  );
  const clear = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    writeDraft(key, null);
    setValue(initialRef.current);
  }, [key]);
  return [value, set, clear];
}
