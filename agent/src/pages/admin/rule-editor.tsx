import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { TextArea, TextInput } from '../../components/forms.tsx';
import { t } from '../../i18n/index.ts';
import { api } from '../../lib/api.ts';
import { nextRowKey, type Option, RuleRow, rowA11y, ValueSelect } from './rules.tsx';
import { labelOr } from './ui.tsx';

/**
 * The business-rule editor shared by triggers, automations and SLA policies: condition rows (field →
 * operator → value) and action rows (field → value), both drawn from the API's definitions, so a field the
 * server learns appears here without a change to this file. The sections themselves are in
 * business-rules.tsx (triggers, automations) and SlaSection.tsx.
 */

// ---------------------------------------------------------------------------------------------------------
// Shapes

export interface RuleCondition {
  field: string;
  operator: string;
  value: unknown;
}

export interface RuleAction {
  field: string;
  value: unknown;
}

export interface DefinitionOperator {
  value: string;
  title: string;
  /** Zendesk: an operator that takes no value ("is present", "changed"). */
  terminal?: boolean;
}

export interface DefinitionValue {
  value: string | number | boolean;
  title: string;
  enabled?: boolean;
}

/** One field a condition or action may use, as GET /triggers/definitions describes it. */
export interface Definition {
  subject: string;
  title: string;
  type: string;
  operators?: DefinitionOperator[];
  values?: DefinitionValue[];
  nullable?: boolean;
  repeatable?: boolean;
  group?: string;
}

export interface Definitions {
  conditions_all: Definition[];
  conditions_any: Definition[];
  actions: Definition[];
}

/**
 * Definitions come in two dialects: the triggers' `{subject, title, type, values:[…]}` and the SLA
 * policies' `{value, title, values:{type, list:[…]}}`. Both become the first.
 */
export function normalizeDefinition(raw: any): Definition {
  const values = Array.isArray(raw?.values)
    ? raw.values
    : Array.isArray(raw?.values?.list)
      ? raw.values.list
      : [];
  return {
    subject: String(raw?.subject ?? raw?.value ?? ''),
    title: String(raw?.title ?? raw?.subject ?? raw?.value ?? ''),
    type: String(raw?.type ?? raw?.values?.type ?? (values.length ? 'list' : 'text')),
    operators: Array.isArray(raw?.operators)
      ? raw.operators.map((o: any) => ({
          value: String(o.value),
          title: String(o.title ?? o.value),
          terminal: o.terminal,
        }))
      : undefined,
    values: values.map((v: any) => ({
      value: v.value,
      title: String(v.title ?? v.name ?? v.value),
      enabled: v.enabled,
    })),
    nullable: raw?.nullable,
    repeatable: raw?.repeatable,
    group: raw?.group,
  };
}

/** A list of definitions in either dialect, less any without a field name. */
export const definitionList = (list: unknown): Definition[] =>
  Array.isArray(list) ? list.map(normalizeDefinition).filter((d) => d.subject) : [];

// ---------------------------------------------------------------------------------------------------------
// Values

type ValueKind = 'select' | 'text' | 'number' | 'date' | 'tags' | 'textarea';

/** Operators that take no value, whatever the server calls them. */
const VALUELESS = ['present', 'not_present', 'changed', 'not_changed'];

const BOOLEAN_TYPES = ['checkbox', 'boolean'];

function valueKind(def: Definition | undefined): ValueKind {
  if (!def) return 'text';
  if (def.values?.length || BOOLEAN_TYPES.includes(def.type)) return 'select';
  if (['number', 'integer', 'decimal', 'hours'].includes(def.type)) return 'number';
  if (def.type === 'date') return 'date';
  if (def.type === 'tags') return 'tags';
  if (['textarea', 'comment', 'multiline'].includes(def.type)) return 'textarea';
  return 'text';
}

function valueOptions(def: Definition | undefined): Option[] {
  if (!def) return [];
  if (!def.values?.length && BOOLEAN_TYPES.includes(def.type)) {
    return [
      { value: 'true', label: t('admin.ruleEditor.yes') },
      { value: 'false', label: t('admin.ruleEditor.no') },
    ];
  }
  const options = (def.values ?? [])
    .filter((v) => v.enabled !== false)
    .map((v) => ({ value: String(v.value), label: knownTitle(def, String(v.value)) ?? v.title }));
  if (def.nullable && !options.some((o) => o.value === ''))
    options.unshift({ value: '', label: t('shell.none') });
  return options;
}

/** Recipients of a notification in the workspace's own words ("the requester"), not the API's value names. */
function knownTitle(def: Definition, value: string): string | undefined {
  if (def.type !== 'notification' && !def.subject.startsWith('notification_')) return undefined;
  return labelOr(`admin.ruleEditor.recipients.${value}`, '') || undefined;
}

/** A row's text back into the API's value: list values keep their own type (a group id stays a number). */
function typedValue(def: Definition | undefined, text: string): unknown {
  if (!def) return text;
  const option = def.values?.find((v) => String(v.value) === text);
  if (option) return option.value;
  if (BOOLEAN_TYPES.includes(def.type) && (text === 'true' || text === 'false')) return text === 'true';
  if (text === '' && def.nullable) return null;
  if (valueKind(def) === 'number' && /^-?\d+(\.\d+)?$/.test(text.trim())) return Number(text);
  return text;
}

const asText = (value: unknown): string =>
  value === null || value === undefined ? '' : typeof value === 'string' ? value : String(value);

function firstValue(def: Definition | undefined): string {
  const kind = valueKind(def);
  if (kind !== 'select') return '';
  return valueOptions(def)[0]?.value ?? '';
}

function isValueless(def: Definition | undefined, operator: string): boolean {
  const op = def?.operators?.find((o) => o.value === operator);
  return op?.terminal === true || VALUELESS.includes(operator);
}

function operatorTitle(def: Definition | undefined, operator: string): string {
  const fromApi = def?.operators?.find((o) => o.value === operator)?.title;
  return fromApi || labelOr(`admin.rules.operators.${operator}`, operator);
}

// ---------------------------------------------------------------------------------------------------------
// Conditions

export interface ConditionRow {
  key: string;
  field: string;
  operator: string;
  value: string;
  /** A value this editor cannot show as text (an array set through the API) is sent back unchanged. */
  raw?: unknown;
}

export const conditionRows = (list: RuleCondition[] | undefined): ConditionRow[] =>
  (list ?? []).map((c) => ({
    key: nextRowKey(),
    field: c.field,
    operator: c.operator,
    value: typeof c.value === 'object' && c.value !== null ? JSON.stringify(c.value) : asText(c.value),
    raw: typeof c.value === 'object' && c.value !== null ? c.value : undefined,
  }));

export function toConditions(rows: ConditionRow[], defs: Definition[]): RuleCondition[] {
  return rows.map((r) => {
    const def = defs.find((d) => d.subject === r.field);
    if (r.raw !== undefined) return { field: r.field, operator: r.operator, value: r.raw };
    if (isValueless(def, r.operator)) return { field: r.field, operator: r.operator, value: null };
    return { field: r.field, operator: r.operator, value: typedValue(def, r.value) };
  });
}

export function freshCondition(defs: Definition[], field?: string): ConditionRow {
  const def = defs.find((d) => d.subject === field) ?? defs[0];
  return {
    key: nextRowKey(),
    field: def?.subject ?? field ?? '',
    operator: def?.operators?.[0]?.value ?? 'is',
    value: firstValue(def),
  };
}

/** Fields in a <select>, grouped as the server groups them ("Ticket", "Requester", …). */
function FieldOptions({ defs }: { defs: Definition[] }) {
  const groups = new Map<string, Definition[]>();
  for (const d of defs) {
    const g = d.group ?? '';
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(d);
  }
  if (groups.size <= 1) {
    return (
      <>
        {defs.map((d) => (
          <option key={d.subject} value={d.subject}>
            {d.title}
          </option>
        ))}
      </>
    );
  }
  return (
    <>
      {[...groups].map(([group, list]) => {
        const options = list.map((d) => (
          <option key={d.subject} value={d.subject}>
            {d.title}
          </option>
        ));
        if (!group) return options;
        return (
          <optgroup key={group} label={labelOr(`admin.ruleEditor.groups.${group}`, group)}>
            {options}
          </optgroup>
        );
      })}
    </>
  );
}

/** Definitions plus a stand-in for each field set through the API that the server no longer offers. */
function withUnknown<R extends { field: string }>(defs: Definition[], rows: R[]): Definition[] {
  const extra = rows
    .filter((r) => r.field && !defs.some((d) => d.subject === r.field))
    .map((r): Definition => ({ subject: r.field, title: r.field, type: 'text' }));
  return extra.length ? [...defs, ...extra] : defs;
}

function ValueControl({
  def,
  value,
  onChange,
  a11y,
}: {
  def: Definition | undefined;
  value: string;
  onChange: (value: string) => void;
  a11y: ReturnType<ReturnType<typeof rowA11y>>;
}) {
  const kind = valueKind(def);
  if (kind === 'select')
    return <ValueSelect value={value} options={valueOptions(def)} onChange={onChange} a11y={a11y} />;
  return (
    <input
      type={kind === 'number' ? 'number' : kind === 'date' ? 'date' : 'text'}
      min={kind === 'number' ? 0 : undefined}
      value={value}
      placeholder={
        kind === 'tags'
          ? t('admin.rules.tagsPlaceholder')
          : def?.type === 'hours'
            ? t('admin.rules.hours')
            : undefined
      }
      onChange={(e) => onChange(e.target.value)}
      {...a11y}
    />
  );
}

/**
 * The "all" or "any" conditions of a rule. `errors` holds the API's problems by row (`all.2`), as
 * rowProblems sorts them.
 */
export function ConditionsEditor({
  list,
  defs,
  rows,
  onChange,
  errors,
  legend,
  hint,
}: {
  list: 'all' | 'any';
  defs: Definition[];
  rows: ConditionRow[];
  onChange: (rows: ConditionRow[]) => void;
  errors: Record<string, string>;
  legend?: string;
  hint?: string;
}) {
  const fields = useMemo(() => withUnknown(defs, rows), [defs, rows]);
  const def = (id: string) => fields.find((d) => d.subject === id);
  const update = (key: string, patch: Partial<ConditionRow>) =>
    onChange(rows.map((r) => (r.key === key ? { ...r, ...patch, raw: undefined } : r)));
  return (
    <fieldset className="admin-fieldset">
      <legend>
        {legend ?? t(list === 'all' ? 'admin.ruleEditor.allLegend' : 'admin.ruleEditor.anyLegend')}
      </legend>
      <p className="hint">
        {hint ?? t(list === 'all' ? 'admin.rules.conditions.allHint' : 'admin.rules.conditions.anyHint')}
      </p>
      {rows.length > 0 && (
        <ol className="admin-rows">
          {rows.map((row, i) => {
            const d = def(row.field);
            const n = i + 1;
            const error = errors[`${list}.${i}`];
            const a11y = rowA11y(row.key, error);
            const operators = d?.operators?.length
              ? d.operators
              : [{ value: row.operator, title: row.operator }];
            return (
              <RuleRow
                key={row.key}
                rowKey={row.key}
                removeLabel={t(`admin.rules.conditions.${list}Remove`, { n })}
                onRemove={() => onChange(rows.filter((r) => r.key !== row.key))}
                error={error}
              >
                <select
                  value={row.field}
                  onChange={(e) =>
                    update(row.key, { ...freshCondition(fields, e.target.value), key: row.key })
                  }
                  {...a11y(t(`admin.rules.conditions.${list}Field`, { n }))}
                >
                  <FieldOptions defs={fields} />
                </select>
                <select
                  value={row.operator}
                  onChange={(e) => update(row.key, { operator: e.target.value })}
                  {...a11y(t(`admin.rules.conditions.${list}Operator`, { n }))}
                >
                  {!operators.some((o) => o.value === row.operator) && (
                    <option value={row.operator}>{operatorTitle(d, row.operator)}</option>
                  )}
                  {operators.map((op) => (
                    <option key={op.value} value={op.value}>
                      {op.title || operatorTitle(d, op.value)}
                    </option>
                  ))}
                </select>
                {isValueless(d, row.operator) ? (
                  <span />
                ) : row.raw !== undefined ? (
                  <span className="admin-raw">{t('admin.macros.rawValue', { value: row.value })}</span>
                ) : (
                  <ValueControl
                    def={d}
                    value={row.value}
                    onChange={(value) => update(row.key, { value })}
                    a11y={a11y(t(`admin.rules.conditions.${list}Value`, { n }))}
                  />
                )}
              </RuleRow>
            );
          })}
        </ol>
      )}
      <button
        type="button"
        className="button"
        disabled={!fields.length}
        onClick={() => onChange([...rows, freshCondition(fields)])}
      >
        {t(list === 'all' ? 'admin.rules.conditions.addAll' : 'admin.rules.conditions.addAny')}
      </button>
    </fieldset>
  );
}

// ---------------------------------------------------------------------------------------------------------
// Actions

type ActionKind = 'notification' | 'webhook' | 'single' | 'raw';

export interface ActionRow {
  key: string;
  field: string;
  /** One value, or the parts of a notification ([recipient, subject, body]) or webhook ([id, body]). */
  parts: string[];
  raw?: unknown;
}

function actionKind(def: Definition | undefined): ActionKind {
  if (!def) return 'raw';
  if (def.subject === 'notification_webhook' || def.type === 'webhook') return 'webhook';
  if (def.type === 'notification' || def.subject.startsWith('notification_')) return 'notification';
  return 'single';
}

/** The JSON a new webhook action sends, with placeholders an admin can build on. */
const WEBHOOK_BODY = `{
  "ticket": {
    "id": "{{ticket.id}}",
    "title": "{{ticket.title}}",
    "status": "{{ticket.status}}",
    "priority": "{{ticket.priority}}",
    "url": "{{ticket.url}}"
  }
}`;

export function actionRows(actions: RuleAction[] | undefined, defs: Definition[]): ActionRow[] {
  return (actions ?? []).map((a) => {
    const key = nextRowKey();
    const kind = actionKind(defs.find((d) => d.subject === a.field));
    if ((kind === 'notification' || kind === 'webhook') && Array.isArray(a.value))
      return { key, field: a.field, parts: a.value.map(asText) };
    if (Array.isArray(a.value) || (typeof a.value === 'object' && a.value !== null))
      return { key, field: a.field, parts: [JSON.stringify(a.value)], raw: a.value };
    return { key, field: a.field, parts: [asText(a.value)] };
  });
}

export function toActions(rows: ActionRow[], defs: Definition[]): RuleAction[] {
  return rows.map((r) => {
    const def = defs.find((d) => d.subject === r.field);
    if (r.raw !== undefined) return { field: r.field, value: r.raw };
    const kind = actionKind(def);
    if (kind === 'notification') {
      const [to = '', subject = '', body = ''] = r.parts;
      return { field: r.field, value: [typedValue(def, to), subject, body] };
    }
    if (kind === 'webhook') return { field: r.field, value: [r.parts[0] ?? '', r.parts[1] ?? ''] };
    return { field: r.field, value: typedValue(def, r.parts[0] ?? '') };
  });
}

export function freshAction(defs: Definition[], field?: string): ActionRow {
  const def = defs.find((d) => d.subject === field) ?? defs[0];
  const kind = actionKind(def);
  const key = nextRowKey();
  const subject = def?.subject ?? field ?? '';
  if (kind === 'notification')
    return {
      key,
      field: subject,
      parts: [firstValue(def), t('admin.ruleEditor.defaultSubject'), t('admin.ruleEditor.defaultBody')],
    };
  if (kind === 'webhook') return { key, field: subject, parts: [firstValue(def), WEBHOOK_BODY] };
  return { key, field: subject, parts: [firstValue(def)] };
}

interface WebhookSummary {
  id: string;
  name: string;
  status: string;
}

/** Webhooks a webhook action may call, when the definitions do not list them. */
function useWebhookOptions(enabled: boolean) {
  return useQuery({
    queryKey: ['admin', 'webhooks', 'options'],
    queryFn: () =>
      api.get<{ webhooks: WebhookSummary[] }>('webhooks', { 'page[size]': 100 }).then((r) =>
        r.webhooks.map((w) => ({
          value: w.id,
          label: w.status === 'active' ? w.name : t('admin.ruleEditor.webhookInactive', { name: w.name }),
        })),
      ),
    enabled,
    staleTime: 30_000,
  });
}

export function ActionsEditor({
  defs,
  rows,
  onChange,
  errors,
  rest,
}: {
  defs: Definition[];
  rows: ActionRow[];
  onChange: (rows: ActionRow[]) => void;
  errors: Record<string, string>;
  rest: string[];
}) {
  const fields = useMemo(() => withUnknown(defs, rows), [defs, rows]);
  const def = (id: string) => fields.find((d) => d.subject === id);
  const needsWebhooks = rows.some((r) => {
    const d = def(r.field);
    return actionKind(d) === 'webhook' && !d?.values?.length;
  });
  const webhooks = useWebhookOptions(needsWebhooks);
  const update = (key: string, parts: string[]) =>
    onChange(rows.map((r) => (r.key === key ? { ...r, parts, raw: undefined } : r)));
  const setPart = (row: ActionRow, i: number, value: string) => {
    const parts = [...row.parts];
    parts[i] = value;
    update(row.key, parts);
  };

  return (
    <fieldset className="admin-fieldset">
      <legend>{t('admin.ruleEditor.actionsLegend')}</legend>
      <p className="hint">{t('admin.ruleEditor.actionsHint')}</p>
      {rest.length > 0 && <p className="field-error">{rest.join(' ')}</p>}
      <ol className="admin-rows">
        {rows.map((row, i) => {
          const d = def(row.field);
          const kind = actionKind(d);
          const n = i + 1;
          const error = errors[`actions.${i}`];
          const a11y = rowA11y(row.key, error);
          const webhookOptions = d?.values?.length ? valueOptions(d) : (webhooks.data ?? []);
          return (
            <RuleRow
              key={row.key}
              rowKey={row.key}
              controlsClassName="admin-row-controls admin-action-controls"
              removeLabel={t('admin.ruleEditor.removeAction', { n })}
              onRemove={() => onChange(rows.filter((r) => r.key !== row.key))}
              error={error}
              below={
                kind === 'notification' ? (
                  <div className="admin-notification">
                    <TextInput
                      label={t('admin.ruleEditor.emailSubject', { n })}
                      value={row.parts[1] ?? ''}
                      onChange={(e) => setPart(row, 1, e.target.value)}
                    />
                    <TextArea
                      label={t('admin.ruleEditor.emailBody', { n })}
                      hint={t('admin.ruleEditor.placeholdersHint')}
                      rows={5}
                      value={row.parts[2] ?? ''}
                      onChange={(e) => setPart(row, 2, e.target.value)}
                    />
                  </div>
                ) : kind === 'webhook' ? (
                  <TextArea
                    label={t('admin.ruleEditor.webhookBody', { n })}
                    hint={t('admin.ruleEditor.webhookBodyHint')}
                    rows={8}
                    className="admin-code"
                    spellCheck={false}
                    value={row.parts[1] ?? ''}
                    onChange={(e) => setPart(row, 1, e.target.value)}
                  />
                ) : valueKind(d) === 'textarea' ? (
                  <TextArea
                    label={t('admin.ruleEditor.actionText', { n })}
                    hint={t('admin.ruleEditor.placeholdersHint')}
                    rows={4}
                    value={row.parts[0] ?? ''}
                    onChange={(e) => setPart(row, 0, e.target.value)}
                  />
                ) : undefined
              }
            >
              <select
                value={row.field}
                onChange={(e) => {
                  const next = freshAction(fields, e.target.value);
                  onChange(rows.map((r) => (r.key === row.key ? { ...next, key: row.key } : r)));
                }}
                {...a11y(t('admin.ruleEditor.actionField', { n }))}
              >
                <FieldOptions defs={fields} />
              </select>
              {row.raw !== undefined ? (
                <span className="admin-raw">{t('admin.macros.rawValue', { value: row.parts[0] ?? '' })}</span>
              ) : kind === 'notification' ? (
                <ValueSelect
                  value={row.parts[0] ?? ''}
                  options={valueOptions(d)}
                  onChange={(v) => setPart(row, 0, v)}
                  a11y={a11y(t('admin.ruleEditor.recipient', { n }))}
                />
              ) : kind === 'webhook' ? (
                <ValueSelect
                  value={row.parts[0] ?? ''}
                  options={[{ value: '', label: t('admin.ruleEditor.chooseWebhook') }, ...webhookOptions]}
                  onChange={(v) => setPart(row, 0, v)}
                  a11y={a11y(t('admin.ruleEditor.webhook', { n }))}
                />
              ) : valueKind(d) === 'textarea' ? (
                <span />
              ) : (
                <ValueControl
                  def={d}
                  value={row.parts[0] ?? ''}
                  onChange={(v) => update(row.key, [v])}
                  a11y={a11y(t('admin.ruleEditor.actionValue', { n }))}
                />
              )}
            </RuleRow>
          );
        })}
      </ol>
      <button
        type="button"
        className="button"
        disabled={!fields.length}
        onClick={() => onChange([...rows, freshAction(fields)])}
      >
        {t('admin.ruleEditor.addAction')}
      </button>
    </fieldset>
  );
}

// ---------------------------------------------------------------------------------------------------------
// Rule forms

/** The title and description of a trigger, automation or SLA policy. */
export function TitleFields({
  form,
  set,
  problems,
}: {
  form: { title: string; description: string };
  set: (patch: { title?: string; description?: string }) => void;
  problems: { byField: Record<string, string> };
}) {
  return (
    <>
      <TextInput
        label={t('admin.rules.ruleTitle')}
        value={form.title}
        onChange={(e) => set({ title: e.target.value })}
        error={problems.byField.title}
        required
      />
      <TextInput
        label={t('admin.ruleEditor.description')}
        value={form.description}
        onChange={(e) => set({ description: e.target.value })}
        error={problems.byField.description}
      />
    </>
  );
}

/**
 * A rule's "all" and "any" conditions, each list with its own fields; `problems` are the API's, as
 * rowProblems sorts them (on their rows, or below both lists). `text` replaces the default wording.
 */
export function ConditionSets({
  defs,
  all,
  any,
  onChange,
  problems,
  text = {},
}: {
  defs: { all: Definition[]; any: Definition[] };
  all: ConditionRow[];
  any: ConditionRow[];
  onChange: (patch: { all: ConditionRow[] } | { any: ConditionRow[] }) => void;
  problems: { rows: Record<string, string>; rest: string[] };
  text?: { allLegend?: string; allHint?: string; anyLegend?: string };
}) {
  return (
    <>
      <ConditionsEditor
        list="all"
        defs={defs.all}
        rows={all}
        onChange={(rows) => onChange({ all: rows })}
        errors={problems.rows}
        legend={text.allLegend}
        hint={text.allHint}
      />
      <ConditionsEditor
        list="any"
        defs={defs.any}
        rows={any}
        onChange={(rows) => onChange({ any: rows })}
        errors={problems.rows}
        legend={text.anyLegend}
      />
      {problems.rest.length > 0 && <p className="field-error">{problems.rest.join(' ')}</p>}
    </>
  );
}
