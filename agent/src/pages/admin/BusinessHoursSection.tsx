import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useMemo, useState } from 'react';
import { Select, TextInput } from '../../components/forms.tsx';
import { type MessageKey, t } from '../../i18n/index.ts';
import { api } from '../../lib/api.ts';
import { useSession } from '../../lib/session.tsx';
import { nextRowKey } from './rules.tsx';
import { EditorGate, RecordList, useEditParam, useRecord } from './section.tsx';
import { AdminForm, AdminTable, DeleteDialog, EditorForm, Loaded, useProblems } from './ui.tsx';

interface Interval {
  start_time: number;
  end_time: number;
}

interface Schedule {
  id: number;
  name: string;
  time_zone: string;
  intervals: Interval[];
  created_at?: string;
}

interface Holiday {
  id: number;
  name: string;
  start_date: string;
  end_date: string;
}

const DAY = 1440;
/** Zendesk counts from Sunday; the week is shown from Monday. */
const DAYS = [1, 2, 3, 4, 5, 6, 0] as const;
const dayName = (d: number) => t(`admin.businessHours.days.${d}` as MessageKey);
const shortDay = (d: number) => t(`admin.businessHours.shortDays.${d}` as MessageKey);

const hhmm = (minutes: number) =>
  `${String(Math.floor(minutes / 60) % 24).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
function minutesOf(text: string): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * 60 + Number(m[2]);
}

function timeZones(current: string): { value: string; label: string }[] {
  const zones = new Set<string>(['UTC', ...Intl.supportedValuesOf('timeZone')]);
  if (current) zones.add(current);
  return [...zones].sort().map((z) => ({ value: z, label: z.replaceAll('_', ' ') }));
}

/** "Mon–Fri 09:00–17:00", or each day when the days differ. */
function weekSummary(intervals: Interval[]): string {
  if (!intervals.length) return t('admin.businessHours.noHours');
  const byDay = new Map<number, string>();
  for (const i of [...intervals].sort((a, b) => a.start_time - b.start_time)) {
    const day = Math.floor(i.start_time / DAY);
    const span = `${hhmm(i.start_time % DAY)}–${hhmm(i.end_time - day * DAY)}`;
    byDay.set(day, byDay.has(day) ? `${byDay.get(day)}, ${span}` : span);
  }
  const runs: string[] = [];
  let run: number[] = [];
  const flush = () => {
    if (!run.length) return;
    const hours = byDay.get(run[0]!)!;
    const first = shortDay(run[0]!);
    const last = shortDay(run[run.length - 1]!);
    runs.push(`${run.length > 1 ? `${first}–${last}` : first} ${hours}`);
    run = [];
  };
  for (const d of DAYS) {
    const hours = byDay.get(d);
    if (hours && run.length && byDay.get(run[0]!) === hours) run.push(d);
    else {
      flush();
      if (hours) run.push(d);
    }
  }
  flush();
  return runs.join('; ');
}

/** Business hours: the schedules SLA targets count in, each with its time zone, weekly hours and holidays. */
export default function BusinessHoursSection() {
  const { edit, open, close } = useEditParam('business-hours');
  if (edit)
    return (
      <ScheduleEditor key={edit} id={edit === 'new' ? null : Number(edit)} onDone={close} onCreated={open} />
    );
  return <ScheduleList onEdit={open} />;
}

function useSchedules() {
  return useQuery({
    queryKey: ['admin', 'schedules'],
    queryFn: () =>
      api
        .get<{ schedules: Schedule[] }>('business_hours/schedules')
        .then((r) => [...r.schedules].sort((a, b) => a.id - b.id)),
  });
}

function ScheduleList({ onEdit }: { onEdit: (id: number | 'new') => void }) {
  const queryClient = useQueryClient();
  const schedules = useSchedules();
  const [notice, setNotice] = useState('');
  return (
    <RecordList<Schedule>
      area="businessHours"
      records={schedules.data}
      error={schedules.error}
      columns={[
        t('admin.businessHours.name'),
        t('admin.businessHours.timeZone'),
        t('admin.businessHours.hours'),
      ]}
      name={(s) => s.name}
      cells={(s, i) => (
        <>
          <td>
            <strong>{s.name}</strong>
            {i === 0 && <span className="pill admin-default">{t('admin.businessHours.default')}</span>}
          </td>
          <td>{s.time_zone.replaceAll('_', ' ')}</td>
          <td>{weekSummary(s.intervals)}</td>
        </>
      )}
      notice={notice}
      announce={setNotice}
      onEdit={onEdit}
      onDelete={(s) => api.delete(`business_hours/schedules/${s.id}`)}
      refresh={() => queryClient.invalidateQueries({ queryKey: ['admin', 'schedules'] })}
    />
  );
}

function ScheduleEditor({
  id,
  onDone,
  onCreated,
}: {
  id: number | null;
  onDone: () => void;
  onCreated: (id: number) => void;
}) {
  const schedule = useRecord<Schedule>('business_hours/schedules', 'schedule', id);
  return (
    <EditorGate
      title={t('admin.businessHours.title')}
      error={id !== null && schedule.error}
      ready={id === null || !!schedule.data}
      onDone={onDone}
    >
      {() => (
        <>
          <ScheduleForm schedule={schedule.data ?? null} onDone={onDone} onCreated={onCreated} />
          {schedule.data && <Holidays schedule={schedule.data} />}
        </>
      )}
    </EditorGate>
  );
}

interface Span {
  key: string;
  start: string;
  end: string;
}

type Week = Record<number, Span[]>;

function weekOf(intervals: Interval[] | null): Week {
  const week: Week = { 0: [], 1: [], 2: [], 3: [], 4: [], 5: [], 6: [] };
  if (!intervals) {
    for (const d of [1, 2, 3, 4, 5]) week[d] = [{ key: nextRowKey(), start: '09:00', end: '17:00' }];
    return week;
  }
  for (const i of [...intervals].sort((a, b) => a.start_time - b.start_time)) {
    const day = Math.floor(i.start_time / DAY) % 7;
    week[day]!.push({
      key: nextRowKey(),
      start: hhmm(i.start_time % DAY),
      end: hhmm(i.end_time - day * DAY),
    });
  }
  return week;
}

/** The week back into Zendesk's intervals; a closing time of 00:00 is midnight at the end of that day. */
function intervalsOf(week: Week): Interval[] | string {
  const out: Interval[] = [];
  for (const d of [0, 1, 2, 3, 4, 5, 6]) {
    for (const span of week[d] ?? []) {
      const start = minutesOf(span.start);
      let end = minutesOf(span.end);
      if (start === null || end === null) return t('admin.businessHours.badTime', { day: dayName(d) });
      if (end === 0) end = DAY;
      if (end <= start) return t('admin.businessHours.endBeforeStart', { day: dayName(d) });
      out.push({ start_time: d * DAY + start, end_time: d * DAY + end });
    }
  }
  return out;
}

function ScheduleForm({
  schedule,
  onDone,
  onCreated,
}: {
  schedule: Schedule | null;
  onDone: () => void;
  onCreated: (id: number) => void;
}) {
  const { account } = useSession();
  const queryClient = useQueryClient();
  const [name, setName] = useState(schedule?.name ?? '');
  const [zone, setZone] = useState(schedule?.time_zone ?? account.time_zone ?? 'UTC');
  const [week, setWeek] = useState<Week>(() => weekOf(schedule?.intervals ?? null));
  const [localError, setLocalError] = useState('');
  const zones = useMemo(() => timeZones(zone), [zone]);
  const save = useMutation({
    mutationFn: async (intervals: Interval[]) => {
      if (!schedule) {
        const created = await api.post<{ schedule: Schedule }>('business_hours/schedules', {
          schedule: { name, time_zone: zone, intervals },
        });
        // Zendesk sets a new schedule's hours through the workweek; send them there too when they differ.
        if (JSON.stringify(created.schedule.intervals) !== JSON.stringify(intervals))
          await api.put(`business_hours/schedules/${created.schedule.id}/workweek`, {
            workweek: { intervals },
          });
        return created.schedule;
      }
      await api.put(`business_hours/schedules/${schedule.id}`, { schedule: { name, time_zone: zone } });
      await api.put(`business_hours/schedules/${schedule.id}/workweek`, { workweek: { intervals } });
      return schedule;
    },
    onSuccess: (saved) => {
      queryClient.invalidateQueries({ queryKey: ['admin', 'schedules'] });
      queryClient.invalidateQueries({ queryKey: ['admin', 'schedule'] });
      // A new schedule opens for its holidays; an edited one goes back to the list.
      if (schedule) onDone();
      else onCreated(saved.id);
    },
  });
  const problems = useProblems(save.error, ['name', 'time_zone', 'intervals']);
  const setDay = (d: number, spans: Span[]) => {
    problems.edited('intervals');
    setLocalError('');
    setWeek((w) => ({ ...w, [d]: spans }));
  };
  const hoursError = localError || problems.byField.intervals;

  return (
    <EditorForm
      title={
        schedule
          ? t('admin.businessHours.editTitle', { name: schedule.name })
          : t('admin.businessHours.addTitle')
      }
      onSubmit={() => {
        const intervals = intervalsOf(week);
        if (typeof intervals === 'string') setLocalError(intervals);
        else save.mutate(intervals);
      }}
      problems={problems.other}
      pending={save.isPending}
      submitLabel={schedule ? t('shell.save') : t('admin.businessHours.create')}
      onCancel={onDone}
    >
      <TextInput
        label={t('admin.businessHours.name')}
        value={name}
        onChange={(e) => {
          problems.edited('name');
          setName(e.target.value);
        }}
        error={problems.byField.name}
        required
      />
      <Select
        label={t('admin.businessHours.timeZone')}
        hint={t('admin.businessHours.timeZoneHint')}
        value={zone}
        onChange={(e) => {
          problems.edited('time_zone');
          setZone(e.target.value);
        }}
        options={zones}
        error={problems.byField.time_zone}
      />
      <fieldset className="admin-fieldset">
        <legend>{t('admin.businessHours.weekLegend')}</legend>
        <p className="hint">{t('admin.businessHours.weekHint')}</p>
        {hoursError && (
          <p className="field-error" role="alert">
            {hoursError}
          </p>
        )}
        <ul className="admin-week">
          {DAYS.map((d) => (
            <DayRow key={d} day={d} spans={week[d] ?? []} onChange={(spans) => setDay(d, spans)} />
          ))}
        </ul>
      </fieldset>
    </EditorForm>
  );
}

function DayRow({ day, spans, onChange }: { day: number; spans: Span[]; onChange: (spans: Span[]) => void }) {
  const id = useId();
  const name = dayName(day);
  const open = spans.length > 0;
  const update = (key: string, patch: Partial<Span>) =>
    onChange(spans.map((s) => (s.key === key ? { ...s, ...patch } : s)));
  return (
    <li className="admin-day">
      <div className="admin-day-name">
        <input
          id={id}
          type="checkbox"
          checked={open}
          onChange={(e) =>
            onChange(e.target.checked ? [{ key: nextRowKey(), start: '09:00', end: '17:00' }] : [])
          }
        />
        <label htmlFor={id}>{name}</label>
      </div>
      <div className="admin-day-spans">
        {!open && <span className="muted">{t('admin.businessHours.closed')}</span>}
        {spans.map((s, i) => (
          <div key={s.key} className="admin-span">
            <input
              type="time"
              value={s.start}
              onChange={(e) => update(s.key, { start: e.target.value })}
              aria-label={t('admin.businessHours.opens', { day: name, n: i + 1 })}
            />
            <span aria-hidden="true">–</span>
            <input
              type="time"
              value={s.end}
              onChange={(e) => update(s.key, { end: e.target.value })}
              aria-label={t('admin.businessHours.closes', { day: name, n: i + 1 })}
            />
            {i > 0 && (
              <button
                type="button"
                className="icon-button"
                onClick={() => onChange(spans.filter((x) => x.key !== s.key))}
                aria-label={t('admin.businessHours.removeSpan', { day: name, n: i + 1 })}
                title={t('admin.businessHours.removeSpan', { day: name, n: i + 1 })}
              >
                ×
              </button>
            )}
          </div>
        ))}
        {open && (
          <button
            type="button"
            className="link-button"
            onClick={() => {
              const last = spans[spans.length - 1]!;
              onChange([
                ...spans,
                { key: nextRowKey(), start: last.end === '00:00' ? '18:00' : last.end, end: '00:00' },
              ]);
            }}
            aria-label={t('admin.businessHours.addSpanFor', { day: name })}
          >
            {t('admin.businessHours.addSpan')}
          </button>
        )}
      </div>
    </li>
  );
}

function Holidays({ schedule }: { schedule: Schedule }) {
  const queryClient = useQueryClient();
  const queryKey = ['admin', 'holidays', schedule.id] as const;
  const holidays = useQuery({
    queryKey,
    queryFn: () =>
      api
        .get<{ holidays: Holiday[] }>(`business_hours/schedules/${schedule.id}/holidays`)
        .then((r) => [...r.holidays].sort((a, b) => a.start_date.localeCompare(b.start_date))),
  });
  const [form, setForm] = useState({ name: '', start_date: '', end_date: '' });
  const [notice, setNotice] = useState('');
  const [deleting, setDeleting] = useState<Holiday | null>(null);
  const add = useMutation({
    mutationFn: () =>
      api.post<{ holiday: Holiday }>(`business_hours/schedules/${schedule.id}/holidays`, {
        holiday: { ...form, end_date: form.end_date || form.start_date },
      }),
    onSuccess: (r) => {
      setNotice(t('admin.businessHours.holidayAdded', { name: r.holiday.name }));
      setForm({ name: '', start_date: '', end_date: '' });
      queryClient.invalidateQueries({ queryKey });
    },
  });
  const problems = useProblems(add.error, ['name', 'start_date', 'end_date']);
  const set = (patch: Partial<typeof form>) => {
    problems.edited(...Object.keys(patch));
    setForm((f) => ({ ...f, ...patch }));
  };
  const dates = (h: Holiday) =>
    h.start_date === h.end_date
      ? h.start_date
      : t('admin.businessHours.dateRange', { from: h.start_date, to: h.end_date });

  return (
    <section className="card admin-holidays" aria-labelledby="holidays-title">
      <h2 id="holidays-title">{t('admin.businessHours.holidays')}</h2>
      <p className="muted">
        {t('admin.businessHours.holidaysIntro', { zone: schedule.time_zone.replaceAll('_', ' ') })}
      </p>
      <p className="visually-hidden" role="status">
        {notice}
      </p>
      <Loaded
        error={holidays.error}
        loading={!holidays.data}
        empty={holidays.data?.length === 0 && t('admin.businessHours.noHolidays')}
      >
        <AdminTable
          caption={t('admin.businessHours.holidays')}
          columns={[t('admin.businessHours.holidayName'), t('admin.businessHours.dates')]}
        >
          {(holidays.data ?? []).map((h) => (
            <tr key={h.id}>
              <td>{h.name}</td>
              <td>{dates(h)}</td>
              <td className="admin-row-actions">
                <button
                  type="button"
                  className="button danger"
                  onClick={() => setDeleting(h)}
                  aria-label={t('admin.deleteNamed', { name: h.name })}
                >
                  {t('shell.delete')}
                </button>
              </td>
            </tr>
          ))}
        </AdminTable>
      </Loaded>
      <AdminForm className="admin-holiday-form" onSubmit={() => add.mutate()} problems={problems.other}>
        <h3>{t('admin.businessHours.addHoliday')}</h3>
        <div className="admin-three">
          <TextInput
            label={t('admin.businessHours.holidayName')}
            value={form.name}
            onChange={(e) => set({ name: e.target.value })}
            error={problems.byField.name}
            required
          />
          <TextInput
            type="date"
            label={t('admin.businessHours.startDate')}
            value={form.start_date}
            onChange={(e) => set({ start_date: e.target.value })}
            error={problems.byField.start_date}
            required
          />
          <TextInput
            type="date"
            label={t('admin.businessHours.endDate')}
            hint={t('admin.businessHours.endDateHint')}
            value={form.end_date}
            onChange={(e) => set({ end_date: e.target.value })}
            error={problems.byField.end_date}
          />
        </div>
        <div className="admin-form-actions">
          <button type="submit" className="button" disabled={add.isPending}>
            {add.isPending ? t('shell.saving') : t('admin.businessHours.addHoliday')}
          </button>
        </div>
      </AdminForm>
      <DeleteDialog
        row={deleting}
        name={(h) => h.name}
        title="admin.businessHours.deleteHolidayTitle"
        message="admin.businessHours.deleteHolidayMessage"
        onDelete={(h) => api.delete(`business_hours/schedules/${schedule.id}/holidays/${h.id}`)}
        onDeleted={(deleted) => {
          setNotice(deleted);
          return queryClient.invalidateQueries({ queryKey });
        }}
        onClose={() => setDeleting(null)}
      />
    </section>
  );
}
