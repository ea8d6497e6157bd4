import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { type MessageKey, t } from '../../i18n/index.ts';
import { api } from '../../lib/api.ts';
import { byPosition, useReorder } from './ordered.tsx';
import {
  type ConditionRow,
  ConditionSets,
  conditionRows,
  type Definition,
  definitionList,
  type RuleCondition,
  TitleFields,
  toConditions,
} from './rule-editor.tsx';
import { PRIORITIES, rowProblems } from './rules.tsx';
import { EditorGate, RecordList, useEditParam, useRecord } from './section.tsx';
import { EditorForm, labelOr, ProblemList, problemsOf, TitleCell, useProblems } from './ui.tsx';

export const SLA_METRICS = [
  'first_reply_time',
  'next_reply_time',
  'periodic_update',
  'requester_wait_time',
] as const;
type Metric = (typeof SLA_METRICS)[number];

interface PolicyMetric {
  priority: string;
  metric: string;
  target: number;
  business_hours: boolean;
}

interface SlaPolicy {
  id: number;
  title: string;
  description: string | null;
  position: number;
  filter: { all: RuleCondition[]; any: RuleCondition[] };
  policy_metrics: PolicyMetric[];
  updated_at?: string;
}

/** Fields an SLA filter may use when the server's own SLA definitions cannot be read. */
const FILTER_FIELDS = [
  'status',
  'priority',
  'type',
  'ticket_type_id',
  'group_id',
  'assignee_id',
  'requester_id',
  'organization_id',
  'current_tags',
  'via_id',
];

/** SLA definitions, in either dialect; or the triggers' ticket fields that filters support. */
function useSlaDefinitions() {
  return useQuery({
    queryKey: ['admin', 'sla_policies', 'definitions'],
    queryFn: async (): Promise<{ all: Definition[]; any: Definition[] }> => {
      try {
        const r = await api.get<{ definitions: Record<string, unknown> }>('sla_policies/definitions');
        const all = definitionList(r.definitions?.all ?? r.definitions?.conditions_all);
        const any = definitionList(r.definitions?.any ?? r.definitions?.conditions_any);
        if (all.length) return { all, any: any.length ? any : all };
      } catch {
        // Fall through to the trigger definitions.
      }
      const r = await api.get<{ definitions: Record<string, unknown> }>('triggers/definitions');
      const filterable = (raw: unknown) =>
        definitionList(raw).filter((d) => FILTER_FIELDS.includes(d.subject));
      const all = filterable(r.definitions?.conditions_all);
      const any = filterable(r.definitions?.conditions_any);
      return { all, any: any.length ? any : all };
    },
    staleTime: 60_000,
  });
}

/** The ticket page's names for the metrics, so both screens call a target the same. */
const metricLabel = (m: string) => labelOr(`tickets.sla.metrics.${m}`, m);
const priorityLabel = (p: string) => t(`admin.rules.priority.${p}` as MessageKey);

/** "1 h 30 min", "45 min", "2 d 4 h". */
export function formatMinutes(total: number): string {
  const days = Math.floor(total / 1440);
  const hours = Math.floor((total % 1440) / 60);
  const minutes = total % 60;
  const parts = [
    days ? t('admin.sla.days', { n: days }) : '',
    hours ? t('admin.sla.hours', { n: hours }) : '',
    minutes || !total ? t('admin.sla.minutes', { n: minutes }) : '',
  ];
  return parts.filter(Boolean).join(' ');
}

/** SLA policies: ordered; the first whose filter a ticket matches sets its reply and wait targets. */
export default function SlaSection() {
  const { edit, open, close } = useEditParam('sla');
  if (edit) return <SlaEditor key={edit} id={edit === 'new' ? null : Number(edit)} onDone={close} />;
  return <SlaList onEdit={open} />;
}

function targetsSummary(policy: SlaPolicy): string {
  const urgentFirst = [...PRIORITIES].reverse();
  const first = urgentFirst
    .map((p) => policy.policy_metrics.find((m) => m.priority === p && m.metric === 'first_reply_time'))
    .find(Boolean);
  if (!first) return t('admin.sla.targetCount', { count: policy.policy_metrics.length });
  return t('admin.sla.firstReplySummary', {
    priority: priorityLabel(first.priority),
    target: formatMinutes(first.target),
    hours: first.business_hours ? t('admin.sla.businessShort') : t('admin.sla.calendarShort'),
  });
}

function SlaList({ onEdit }: { onEdit: (id: number | 'new') => void }) {
  const queryClient = useQueryClient();
  const queryKey = ['admin', 'sla_policies'] as const;
  const policies = useQuery({
    queryKey,
    queryFn: () =>
      api
        .get<{ sla_policies: SlaPolicy[] }>('sla_policies')
        .then((r) => [...r.sla_policies].sort(byPosition)),
  });
  const [notice, setNotice] = useState('');
  const reorder = useReorder<SlaPolicy>(
    queryKey,
    (ids) => api.put('sla_policies/reorder', { sla_policy_ids: ids }),
    setNotice,
  );
  return (
    <RecordList<SlaPolicy>
      area="sla"
      records={policies.data}
      error={policies.error}
      columns={[t('admin.ruleEditor.order'), t('admin.rules.ruleTitle'), t('admin.sla.targets')]}
      name={(policy) => policy.title}
      cells={(policy, i) => (
        <>
          {reorder.cell(policies.data!, i)}
          <TitleCell title={policy.title} sub={policy.description} />
          <td>{targetsSummary(policy)}</td>
        </>
      )}
      before={<ProblemList problems={reorder.error ? problemsOf(reorder.error, []).other : []} />}
      notice={notice}
      announce={setNotice}
      onEdit={onEdit}
      onDelete={(policy) => api.delete(`sla_policies/${policy.id}`)}
      refresh={() => queryClient.invalidateQueries({ queryKey })}
    />
  );
}

function SlaEditor({ id, onDone }: { id: number | null; onDone: () => void }) {
  const definitions = useSlaDefinitions();
  const policy = useRecord<SlaPolicy>('sla_policies', 'sla_policy', id);
  return (
    <EditorGate
      title={t('admin.sla.title')}
      error={definitions.error ?? (id !== null ? policy.error : null)}
      ready={!!definitions.data && (id === null || !!policy.data)}
      onDone={onDone}
    >
      {() => <SlaForm policy={policy.data ?? null} defs={definitions.data!} onDone={onDone} />}
    </EditorGate>
  );
}

type Cell = { hours: string; minutes: string };
const cellKey = (metric: string, priority: string) => `${metric}:${priority}`;

interface SlaFormState {
  title: string;
  description: string;
  all: ConditionRow[];
  any: ConditionRow[];
  targets: Record<string, Cell>;
  businessHours: Record<string, boolean>;
}

function formOf(policy: SlaPolicy | null): SlaFormState {
  const targets: Record<string, Cell> = {};
  const businessHours: Record<string, boolean> = {};
  for (const m of policy?.policy_metrics ?? []) {
    targets[cellKey(m.metric, m.priority)] = {
      hours: String(Math.floor(m.target / 60)),
      minutes: String(m.target % 60),
    };
    businessHours[m.metric] ??= m.business_hours;
  }
  return {
    title: policy?.title ?? '',
    description: policy?.description ?? '',
    all: conditionRows(policy?.filter.all),
    any: conditionRows(policy?.filter.any),
    targets,
    businessHours,
  };
}

/** `businessDefault`: what a metric nobody chose counts in (business hours once a schedule exists). */
function policyMetrics(form: SlaFormState, businessDefault: boolean): PolicyMetric[] | string {
  const out: PolicyMetric[] = [];
  for (const metric of SLA_METRICS) {
    for (const priority of PRIORITIES) {
      const cell = form.targets[cellKey(metric, priority)];
      if (!cell || (cell.hours.trim() === '' && cell.minutes.trim() === '')) continue;
      const hours = Number(cell.hours || 0);
      const minutes = Number(cell.minutes || 0);
      if (!Number.isInteger(hours) || !Number.isInteger(minutes) || hours < 0 || minutes < 0)
        return t('admin.sla.wholeNumbers', {
          metric: metricLabel(metric),
          priority: priorityLabel(priority),
        });
      out.push({
        priority,
        metric,
        target: hours * 60 + minutes,
        business_hours: form.businessHours[metric] ?? businessDefault,
      });
    }
  }
  return out;
}

function SlaForm({
  policy,
  defs,
  onDone,
}: {
  policy: SlaPolicy | null;
  defs: { all: Definition[]; any: Definition[] };
  onDone: () => void;
}) {
  const queryClient = useQueryClient();
  const [form, setForm] = useState<SlaFormState>(() => formOf(policy));
  const [localError, setLocalError] = useState('');
  const schedules = useQuery({
    queryKey: ['admin', 'schedules'],
    queryFn: () =>
      api
        .get<{ schedules: { id: number; name: string }[] }>('business_hours/schedules')
        .then((r) => r.schedules),
  });
  const save = useMutation({
    mutationFn: (metrics: PolicyMetric[]) => {
      const payload = {
        sla_policy: {
          title: form.title,
          description: form.description || null,
          filter: { all: toConditions(form.all, defs.all), any: toConditions(form.any, defs.any) },
          policy_metrics: metrics,
        },
      };
      return policy ? api.put(`sla_policies/${policy.id}`, payload) : api.post('sla_policies', payload);
    },
    onSuccess: () => {
      queryClient.invalidateQueries({ queryKey: ['admin', 'sla_policies'] });
      queryClient.invalidateQueries({ queryKey: ['admin', 'sla_policy'] });
      onDone();
    },
  });
  const problems = useProblems(save.error, ['title', 'description', 'filter', 'policy_metrics']);
  const metricProblems = rowProblems(save.error, 'policy_metrics');
  const set = (patch: Partial<SlaFormState>) => {
    const names = Object.keys(patch).map((k) => (k === 'all' || k === 'any' ? 'filter' : k));
    problems.edited(...names);
    setLocalError('');
    setForm((f) => ({ ...f, ...patch }));
  };
  const setCell = (key: string, patch: Partial<Cell>) =>
    set({
      targets: { ...form.targets, [key]: { ...(form.targets[key] ?? { hours: '', minutes: '' }), ...patch } },
    });
  const noSchedule = schedules.data && schedules.data.length === 0;
  const hasSchedule = (schedules.data?.length ?? 0) > 0;
  const metricErrors = [...Object.values(metricProblems.rows), ...metricProblems.rest, localError].filter(
    Boolean,
  );

  return (
    <EditorForm
      title={policy ? t('admin.sla.editTitle', { name: policy.title }) : t('admin.sla.addTitle')}
      className="card admin-form admin-rule-form"
      onSubmit={() => {
        const metrics = policyMetrics(form, hasSchedule);
        if (typeof metrics === 'string') setLocalError(metrics);
        else save.mutate(metrics);
      }}
      problems={problems.other}
      pending={save.isPending}
      submitLabel={policy ? t('shell.save') : t('admin.sla.create')}
      onCancel={onDone}
    >
      <TitleFields form={form} set={set} problems={problems} />
      <ConditionSets
        defs={defs}
        all={form.all}
        any={form.any}
        onChange={set}
        problems={rowProblems(save.error, 'filter')}
        text={{
          allLegend: t('admin.sla.allLegend'),
          allHint: t('admin.sla.allHint'),
          anyLegend: t('admin.sla.anyLegend'),
        }}
      />

      <fieldset className="admin-fieldset">
        <legend>{t('admin.sla.targetsLegend')}</legend>
        <p className="hint">{t('admin.sla.targetsHint')}</p>
        {noSchedule && (
          <p className="admin-warning">
            {t('admin.sla.noSchedule')} <Link href="/admin/business-hours">{t('admin.sla.setSchedule')}</Link>
          </p>
        )}
        {metricErrors.length > 0 && (
          <div className="field-error" role="alert">
            {metricErrors.map((m) => (
              <p key={m}>{m}</p>
            ))}
          </div>
        )}
        <div className="admin-table-wrap">
          <table className="data admin-table admin-sla-grid">
            <caption className="visually-hidden">{t('admin.sla.targetsLegend')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.sla.metric')}</th>
                {[...PRIORITIES].reverse().map((p) => (
                  <th scope="col" key={p}>
                    {priorityLabel(p)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {SLA_METRICS.map((metric: Metric) => (
                <tr key={metric}>
                  <th scope="row">
                    {metricLabel(metric)}
                    <div className="muted admin-sub">{t(`admin.sla.metricHints.${metric}`)}</div>
                    <select
                      className="admin-hours-of"
                      value={(form.businessHours[metric] ?? hasSchedule) ? 'business' : 'calendar'}
                      onChange={(e) =>
                        set({
                          businessHours: { ...form.businessHours, [metric]: e.target.value === 'business' },
                        })
                      }
                      aria-label={t('admin.sla.hoursOfFor', { metric: metricLabel(metric) })}
                    >
                      <option value="business">{t('admin.sla.business')}</option>
                      <option value="calendar">{t('admin.sla.calendar')}</option>
                    </select>
                  </th>
                  {[...PRIORITIES].reverse().map((priority) => {
                    const key = cellKey(metric, priority);
                    const cell = form.targets[key] ?? { hours: '', minutes: '' };
                    const name = t('admin.sla.cell', {
                      metric: metricLabel(metric),
                      priority: priorityLabel(priority),
                    });
                    return (
                      <td key={priority}>
                        <div className="admin-duration">
                          <input
                            type="number"
                            min={0}
                            inputMode="numeric"
                            value={cell.hours}
                            onChange={(e) => setCell(key, { hours: e.target.value })}
                            aria-label={t('admin.sla.cellHours', { name })}
                          />
                          <span aria-hidden="true">{t('admin.sla.h')}</span>
                          <input
                            type="number"
                            min={0}
                            max={59}
                            inputMode="numeric"
                            value={cell.minutes}
                            onChange={(e) => setCell(key, { minutes: e.target.value })}
                            aria-label={t('admin.sla.cellMinutes', { name })}
                          />
                          <span aria-hidden="true">{t('admin.sla.m')}</span>
                        </div>
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </fieldset>
    </EditorForm>
  );
}
