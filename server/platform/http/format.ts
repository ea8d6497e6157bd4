/** Zendesk timestamps: ISO-8601 UTC, whole seconds. */
export function isoTime(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const d = value instanceof Date ? value : new Date(value);
  return `${d.toISOString().slice(0, 19)}Z`;
}

/** Parses a comma-separated id list (`ids=1,2,3`) into positive integers; anything else is dropped. */
export function parseIdList(value: unknown): number[] {
  if (typeof value !== 'string' || value === '') return [];
  return value
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isSafeInteger(n) && n > 0);
}

export function parseCsv(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
