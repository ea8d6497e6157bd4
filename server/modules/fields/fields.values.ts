import { invalid } from '../../platform/http/errors.ts';
import type { FieldOptionRow, FieldRow } from './fields.presenter.ts';
import type { FieldKind } from './fields.tables.ts';

/** The `details` key a bad value is reported under, as Zendesk names the attribute. */
export const VALUES_ATTRIBUTE: Record<FieldKind, string> = {
  ticket: 'custom_fields',
  user: 'user_fields',
  organization: 'organization_fields',
};

const MAX_TEXT = 65_536;
const OPTION_TYPES = new Set(['tagger', 'dropdown', 'multiselect']);

export function hasOptions(type: string): boolean {
  return OPTION_TYPES.has(type);
}

/**
 * Compiles a field's validation pattern. Zendesk patterns are Ruby regular expressions, whose string anchors
 * `\A` and `\z` JavaScript lacks; they are translated to `^` and `$` so imported fields keep working.
 */
export function compilePattern(pattern: string): RegExp {
  return new RegExp(pattern.replace(/\\\\|\\A|\\[zZ]/g, (m) => (m === '\\\\' ? m : m === '\\A' ? '^' : '$')));
}

/** A value that means "no value": a required field holding it is missing (an unchecked box counts). */
export function isBlankValue(field: Pick<FieldRow, 'type'>, value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  return field.type === 'checkbox' && value === false;
}

function isCalendarDate(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function optionValue(raw: unknown): string | null {
  if (typeof raw === 'string') return raw.trim().toLowerCase();
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  return null;
}

/**
 * A value in the form it is stored and shown: integers and decimals as numbers, dates as YYYY-MM-DD,
 * checkboxes as booleans, drop-downs as the option's value, multi-selects as a list of option values.
 * `undefined` means the value is cleared (null, '' or an empty list). A value of the wrong type is a 422
 * naming the field.
 */
export function normalizeFieldValue(field: FieldRow, options: FieldOptionRow[], raw: unknown): unknown {
  if (raw === null || raw === undefined || raw === '' || (Array.isArray(raw) && raw.length === 0)) {
    return undefined;
  }
  const fail = (what: string) =>
    invalid(VALUES_ATTRIBUTE[field.kind], `${field.title}: ${what}`, 'InvalidValue');
  switch (field.type) {
    case 'text':
    case 'textarea':
    case 'regexp': {
      const text = typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : raw;
      if (typeof text !== 'string') throw fail('must be text');
      if (text.length > MAX_TEXT) throw fail(`is longer than ${MAX_TEXT} characters`);
      if (field.type === 'regexp' && !compilePattern(field.regexp_for_validation ?? '').test(text)) {
        throw fail('does not match the required format');
      }
      return text;
    }
    case 'checkbox': {
      if (raw === true || raw === 'true' || raw === '1' || raw === 1) return true;
      if (raw === false || raw === 'false' || raw === '0' || raw === 0) return false;
      throw fail('must be true or false');
    }
    case 'date': {
      const m =
        typeof raw === 'string'
          ? /^(\d{4})-(\d{2})-(\d{2})(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.exec(raw.trim())
          : null;
      if (!m || !isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]))) {
        throw fail('must be a date (YYYY-MM-DD)');
      }
      return `${m[1]}-${m[2]}-${m[3]}`;
    }
    case 'integer': {
      const n = typeof raw === 'string' && /^\s*[+-]?\d+\s*$/.test(raw) ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw fail('must be a whole number');
      return n;
    }
    case 'decimal': {
      const n = typeof raw === 'string' && /^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/.test(raw) ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isFinite(n)) throw fail('must be a number');
      return n;
    }
    case 'tagger':
    case 'dropdown': {
      const value = optionValue(raw);
      if (value === null) throw fail('must be the value of one of its options');
      const option = options.find((o) => o.value === value);
      if (!option) throw fail(`"${value}" is not one of its options`);
      return option.value;
    }
    case 'multiselect': {
      const list = Array.isArray(raw) ? raw : [raw];
      const chosen: string[] = [];
      for (const item of list) {
        const value = optionValue(item);
        if (value === null) throw fail('must be a list of option values');
        if (!options.some((o) => o.value === value)) throw fail(`"${value}" is not one of its options`);
        if (!chosen.includes(value)) chosen.push(value);
      }
      return chosen;
    }
    default:
      throw fail('is a system field; set it on the record itself');
  }
}

/** The tags a ticket carries because of a field's value: the chosen options, or a checked box's tag. */
export function valueTags(field: FieldRow, value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (field.type === 'tagger' && typeof value === 'string') return [value];
  if (field.type === 'multiselect' && Array.isArray(value)) return value.filter((v) => typeof v === 'string');
  if (field.type === 'checkbox' && value === true && field.tag) return [field.tag];
  return [];
}
