import { type ReactNode, useId, useMemo, useState } from 'react';
import { CustomFieldInput, isCustomField } from '../../components/CustomFieldInput.tsx';
import { Field } from '../../components/forms.tsx';
import { t } from '../../i18n/index.ts';
import { useAgents, useGroupMemberships, useGroups, useTicketFields } from '../../lib/queries.ts';
import type { TicketField, TicketPriority, TicketType } from '../../lib/types.ts';
import type { TicketRecord } from './data.ts';
import { priorityLabel, statusLabel, typeLabel } from './describe.ts';
import {
  effectiveTags,
  fieldValue,
  type PendingChanges,
  type TicketDraft,
  withChange,
  withField,
  withTags,
} from './draft.ts';
import { SatisfactionSummary, SlaSummary } from './RuleInfo.tsx';

const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
const TYPES = ['question', 'incident', 'problem', 'task'] as const;

function Changed({ on }: { on: boolean }) {
  return on ? <span className="changed-mark">{t('tickets.properties.changed')}</span> : null;
}

/** A property row: label with a "changed" mark when an edit is pending, the control, and its error. */
function Row({
  label,
  changed,
  error,
  hint,
  children,
}: {
  label: string;
  changed: boolean;
  error?: string;
  hint?: string;
  children: (a11y: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ReactNode;
}) {
  return (
    <div className={changed ? 'property changed' : 'property'}>
      <Field label={label} error={error} hint={hint}>
        {children}
      </Field>
      <Changed on={changed} />
    </div>
  );
}

/**
 * The ticket's properties. Edits here are pending: they are sent with the next submit, in the same update as
 * the reply, and survive a reload with the draft.
 */
export function PropertiesPanel({
  ticket,
  draft,
  update,
  errors,
  readOnly,
  busy,
}: {
  ticket: TicketRecord;
  draft: TicketDraft;
  update: (fn: (d: TicketDraft) => TicketDraft) => void;
  errors: Record<string, string>;
  readOnly: boolean;
  /** A submit is in flight: edits now would be cleared with the draft it is sending. */
  busy: boolean;
}) {
  const fields = useTicketFields();
  const groups = useGroups();
  const agents = useAgents();
  const memberships = useGroupMemberships();
  const changes = draft.changes;
  const set = (fn: (c: PendingChanges) => PendingChanges) =>
    update((d) => ({ ...d, changes: fn(d.changes) }));

  const systemActive = (type: string) => fields.data?.find((f) => f.type === type)?.active ?? true;
  const custom = (fields.data ?? [])
    .filter((f) => f.active && isCustomField(f))
    .sort((a, b) => a.position - b.position || a.id - b.id);

  const groupId = changes.group_id !== undefined ? changes.group_id : ticket.group_id;
  const assigneeId = changes.assignee_id !== undefined ? changes.assignee_id : ticket.assignee_id;
  const membersOf = useMemo(() => {
    const map = new Map<number, Set<number>>();
    for (const m of memberships.data ?? []) {
      if (!map.has(m.group_id)) map.set(m.group_id, new Set());
      map.get(m.group_id)!.add(m.user_id);
    }
    return map;
  }, [memberships.data]);
  const liveGroups = (groups.data ?? []).filter((g) => !g.deleted);
  const grouped = new Set([...membersOf.values()].flatMap((s) => [...s]));
  const ungrouped = (agents.data ?? []).filter((a) => !grouped.has(a.id));
  const agentName = (id: number) => agents.data?.find((a) => a.id === id)?.name ?? `#${id}`;
  const assigneeValue = assigneeId === null ? '' : `${groupId ?? 0}:${assigneeId}`;
  const assigneeListed =
    assigneeId === null ||
    (groupId !== null && membersOf.get(groupId)?.has(assigneeId)) ||
    (groupId === null && ungrouped.some((a) => a.id === assigneeId));

  // The 422 for a required field names the fields ("Plan, Seats: required when solving").
  const customError = errors.custom_fields;
  const customErrorFor = (field: TicketField) => {
    if (!customError) return undefined;
    const [names] = customError.split(': ');
    return names?.split(', ').includes(field.title) ? customError : undefined;
  };
  const pendingStatus = changes.status;

  return (
    <section className="properties" aria-labelledby="properties-title">
      <h2 id="properties-title">{t('tickets.properties.title')}</h2>
      <fieldset disabled={readOnly || busy} className="properties-fields">
        <div className="property">
          <span className="property-label">{t('tickets.fields.status')}</span>
          <p className="property-status">
            <span className={`status status-${ticket.status}`}>{statusLabel(ticket.status)}</span>
            {pendingStatus && pendingStatus !== ticket.status && (
              <span className="muted">
                {' '}
                {t('tickets.properties.statusOnSubmit', { status: statusLabel(pendingStatus) })}
              </span>
            )}
          </p>
          {errors.status && <p className="field-error">{errors.status}</p>}
        </div>
        <SlaSummary ticket={ticket} />
        <SatisfactionSummary ticket={ticket} />
        {changes.subject !== undefined && (
          <div className="property changed">
            <span className="property-label">{t('tickets.fields.subject')}</span>
            <p>{changes.subject}</p>
            <Changed on />
          </div>
        )}

        <Row
          label={t('tickets.fields.assignee')}
          changed={changes.assignee_id !== undefined}
          error={errors.assignee ?? errors.assignee_id}
        >
          {(a11y) => (
            <select
              {...a11y}
              value={assigneeValue}
              onChange={(e) => {
                const [g, u] = e.target.value.split(':');
                set((c) => {
                  if (!u) return withChange(c, ticket, 'assignee_id', null);
                  let next = withChange(c, ticket, 'assignee_id', Number(u));
                  if (Number(g)) next = withChange(next, ticket, 'group_id', Number(g));
                  return next;
                });
              }}
            >
              <option value="">{t('tickets.properties.unassigned')}</option>
              {!assigneeListed && assigneeId !== null && (
                <option value={assigneeValue}>{agentName(assigneeId)}</option>
              )}
              {liveGroups.map((g) => {
                const members = (agents.data ?? []).filter((a) => membersOf.get(g.id)?.has(a.id));
                if (!members.length) return null;
                return (
                  <optgroup key={g.id} label={g.name}>
                    {members.map((a) => (
                      <option key={a.id} value={`${g.id}:${a.id}`}>
                        {t('tickets.properties.agentInGroup', { name: a.name, group: g.name })}
                      </option>
                    ))}
                  </optgroup>
                );
              })}
              {ungrouped.length > 0 && (
                <optgroup label={t('tickets.properties.noGroup')}>
                  {ungrouped.map((a) => (
                    <option key={a.id} value={`0:${a.id}`}>
                      {a.name}
                    </option>
                  ))}
                </optgroup>
              )}
            </select>
          )}
        </Row>

        <Row
          label={t('tickets.fields.group')}
          changed={changes.group_id !== undefined}
          error={errors.group ?? errors.group_id}
        >
          {(a11y) => (
            <select
              {...a11y}
              value={groupId ?? ''}
              onChange={(e) => {
                const g = e.target.value ? Number(e.target.value) : null;
                set((c) => {
                  let next = withChange(c, ticket, 'group_id', g);
                  // Zendesk's rule: moving to a group the assignee is not in leaves the ticket unassigned.
                  if (g !== null && assigneeId !== null && !membersOf.get(g)?.has(assigneeId))
                    next = withChange(next, ticket, 'assignee_id', null);
                  return next;
                });
              }}
            >
              <option value="">{t('tickets.history.none')}</option>
              {liveGroups.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name}
                </option>
              ))}
            </select>
          )}
        </Row>

        {systemActive('priority') && (
          <Row
            label={t('tickets.fields.priority')}
            changed={changes.priority !== undefined}
            error={errors.priority}
          >
            {(a11y) => (
              <select
                {...a11y}
                value={(changes.priority !== undefined ? changes.priority : ticket.priority) ?? ''}
                onChange={(e) =>
                  set((c) => withChange(c, ticket, 'priority', (e.target.value || null) as TicketPriority))
                }
              >
                <option value="">{t('tickets.history.none')}</option>
                {PRIORITIES.map((p) => (
                  <option key={p} value={p}>
                    {priorityLabel(p)}
                  </option>
                ))}
              </select>
            )}
          </Row>
        )}

        {systemActive('tickettype') && (
          <Row label={t('tickets.fields.type')} changed={changes.type !== undefined} error={errors.type}>
            {(a11y) => (
              <select
                {...a11y}
                value={(changes.type !== undefined ? changes.type : ticket.type) ?? ''}
                onChange={(e) =>
                  set((c) => withChange(c, ticket, 'type', (e.target.value || null) as TicketType))
                }
              >
                <option value="">{t('tickets.history.none')}</option>
                {TYPES.map((p) => (
                  <option key={p} value={p}>
                    {typeLabel(p)}
                  </option>
                ))}
              </select>
            )}
          </Row>
        )}

        <Tags
          readOnly={readOnly}
          ticket={ticket}
          tags={effectiveTags(ticket, changes)}
          changed={changes.tags_add !== undefined || changes.tags_remove !== undefined}
          error={errors.tags}
          onChange={(tags) => set((c) => withTags(c, ticket, tags))}
        />

        {custom.length > 0 && (
          <div className="custom-fields">
            <h3>{t('tickets.properties.customFields')}</h3>
            {customError && !custom.some((f) => customErrorFor(f)) && (
              <p className="field-error">{customError}</p>
            )}
            {custom.map((f) => {
              const pending = changes.custom_fields && String(f.id) in changes.custom_fields;
              const value = pending ? changes.custom_fields![String(f.id)] : fieldValue(ticket, f.id);
              return (
                <CustomField
                  key={f.id}
                  field={f}
                  value={value}
                  changed={!!pending}
                  error={customErrorFor(f)}
                  onChange={(v) => set((c) => withField(c, ticket, f.id, v))}
                />
              );
            })}
          </div>
        )}
      </fieldset>
    </section>
  );
}

function Tags({
  readOnly,
  ticket,
  tags,
  changed,
  error,
  onChange,
}: {
  readOnly: boolean;
  ticket: TicketRecord;
  tags: string[];
  changed: boolean;
  error?: string;
  onChange: (tags: string[]) => void;
}) {
  const [text, setText] = useState('');
  const id = useId();
  const add = () => {
    const words = text
      .toLowerCase()
      .split(/[\s,]+/)
      .map((w) => w.trim())
      .filter(Boolean);
    if (words.length) onChange([...new Set([...tags, ...words])]);
    setText('');
  };
  return (
    <div className={changed ? 'property changed' : 'property'}>
      <div className="field">
        {readOnly ? (
          <span className="property-label">{t('tickets.fields.tags')}</span>
        ) : (
          <label htmlFor={id}>{t('tickets.fields.tags')}</label>
        )}
        <ul className="tag-list" aria-label={t('tickets.fields.tags')}>
          {tags.map((tag) => (
            <li key={tag} className={ticket.tags.includes(tag) ? 'pill tag' : 'pill tag added'}>
              {tag}
              {!readOnly && (
                <button
                  type="button"
                  className="tag-remove"
                  aria-label={t('tickets.properties.removeTag', { tag })}
                  onClick={() => onChange(tags.filter((x) => x !== tag))}
                >
                  ×
                </button>
              )}
            </li>
          ))}
        </ul>
        {!readOnly && (
          <input
            id={id}
            value={text}
            placeholder={t('tickets.properties.addTag')}
            aria-invalid={error ? true : undefined}
            onChange={(e) => setText(e.target.value)}
            onBlur={add}
            onKeyDown={(e) => {
              if (e.key === 'Enter' || e.key === ',') {
                e.preventDefault();
                add();
              }
            }}
          />
        )}
        {error && <p className="field-error">{error}</p>}
      </div>
      <Changed on={changed} />
    </div>
  );
}

/** One custom field, marked when its value waits for the next submit. */
function CustomField({
  field,
  value,
  changed,
  error,
  onChange,
}: {
  field: TicketField;
  value: unknown;
  changed: boolean;
  error?: string;
  onChange: (value: unknown) => void;
}) {
  return (
    <div className={changed ? 'property changed' : 'property'}>
      <CustomFieldInput
        field={field}
        value={value}
        onChange={onChange}
        label={field.required ? t('tickets.properties.requiredField', { title: field.title }) : field.title}
        hint={field.description || undefined}
        emptyOption={t('tickets.history.none')}
        error={error}
      />
      <Changed on={changed} />
    </div>
  );
}
