import { useEffect, useState } from 'react';
import { Select } from '../../components/forms.tsx';
import { t } from '../../i18n/index.ts';
import { ApiError } from '../../lib/api.ts';
import { useGroups } from '../../lib/queries.ts';
import { useSession } from '../../lib/session.tsx';

/** Parts views and macros share: who a rule is for, and where the API says a row is wrong. */

export type Restriction = { type: 'User' | 'Group'; id?: number | null; ids?: number[] } | null;

export interface RestrictionChoice {
  kind: 'everyone' | 'group' | 'user';
  groupId: string;
  userId: number | null;
}

export function restrictionChoice(r: Restriction | undefined): RestrictionChoice {
  if (!r) return { kind: 'everyone', groupId: '', userId: null };
  if (r.type === 'User') return { kind: 'user', groupId: '', userId: r.id ?? null };
  return { kind: 'group', groupId: String(r.ids?.[0] ?? r.id ?? ''), userId: null };
}

export function restrictionBody(choice: RestrictionChoice, meId: number): Restriction {
  if (choice.kind === 'everyone') return null;
  if (choice.kind === 'user') return { type: 'User', id: choice.userId ?? meId };
  // A missing group is sent as is so the API names the problem beside this field.
  return choice.groupId ? { type: 'Group', ids: [Number(choice.groupId)] } : { type: 'Group' };
}

export function RestrictionField({
  value,
  onChange,
  error,
}: {
  value: RestrictionChoice;
  onChange: (choice: RestrictionChoice) => void;
  error?: string;
}) {
  const { me } = useSession();
  const groups = useGroups();
  const userLabel =
    value.userId === null || value.userId === me.id
      ? t('admin.rules.onlyMe')
      : t('admin.rules.onlyUser', { id: value.userId });
  return (
    <fieldset className="admin-fieldset admin-restriction">
      <legend>{t('admin.rules.availableTo')}</legend>
      <div className="admin-restriction-row">
        <Select
          label={t('admin.rules.who')}
          value={value.kind}
          onChange={(e) =>
            onChange({
              ...value,
              kind: e.target.value as RestrictionChoice['kind'],
              userId: e.target.value === 'user' ? (value.userId ?? me.id) : value.userId,
            })
          }
          options={[
            { value: 'everyone', label: t('admin.rules.everyone') },
            { value: 'group', label: t('admin.rules.aGroup') },
            { value: 'user', label: userLabel },
          ]}
          error={value.kind === 'group' ? undefined : error}
        />
        {value.kind === 'group' && (
          <Select
            label={t('admin.rules.group')}
            value={value.groupId}
            onChange={(e) => onChange({ ...value, groupId: e.target.value })}
            options={[
              { value: '', label: t('admin.rules.chooseGroup') },
              ...(groups.data ?? [])
                .filter((g) => !g.deleted)
                .map((g) => ({ value: String(g.id), label: g.name })),
            ]}
            error={error}
          />
        )}
      </div>
    </fieldset>
  );
}

export function restrictionLabel(
  r: Restriction,
  meId: number,
  groupName: (id: number) => string | undefined,
): string {
  if (!r) return t('admin.rules.everyone');
  if (r.type === 'User')
    return r.id === meId ? t('admin.rules.onlyMe') : t('admin.rules.onlyUser', { id: r.id ?? '' });
  const ids = r.ids ?? (r.id ? [r.id] : []);
  return ids.map((id) => groupName(id) ?? `#${id}`).join(', ');
}

/**
 * The API names a wrong condition or action by its place ("all[2]: …", "actions[0]: …"); this sorts those
 * messages onto their rows, and returns the rest.
 */
export function rowProblems(
  error: unknown,
  detailKey: string,
): { rows: Record<string, string>; rest: string[] } {
  const rows: Record<string, string> = {};
  const rest: string[] = [];
  if (!(error instanceof ApiError)) return { rows, rest };
  for (const p of error.details[detailKey] ?? []) {
    const m = /^(\w+)\[(\d+)\]:\s*(.*)$/s.exec(p.description);
    if (m) rows[`${m[1]}.${m[2]}`] = m[3]!;
    else rest.push(p.description);
  }
  return { rows, rest };
}

/** `value`, once it has stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

let rowKeys = 0;
export const nextRowKey = () => `r${++rowKeys}`;

export const STATUSES = ['new', 'open', 'pending', 'hold', 'solved', 'closed'] as const;
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const TYPES = ['question', 'incident', 'problem', 'task'] as const;
