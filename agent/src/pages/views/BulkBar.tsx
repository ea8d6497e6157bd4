import { type FormEvent, useState } from 'react';
import { Dialog } from '../../components/Dialog.tsx';
import { Select, TextInput } from '../../components/forms.tsx';
import { plural, t } from '../../i18n/index.ts';
import { useAgents, useGroups } from '../../lib/queries.ts';
import {
  type BulkOutcome,
  bulkDelete,
  bulkUpdate,
  MERGE_LIMIT,
  mergeInto,
  type TicketChanges,
} from './bulk.ts';

type Action = 'edit' | 'merge' | 'delete' | null;

/**
 * What a selection can do: edit (assign, status, priority, add tags) in one update_many, merge into one
 * ticket, delete. The page runs the returned work and reports its outcome.
 */
export function BulkBar({
  selected,
  subjects,
  running,
  onRun,
  onClear,
}: {
  selected: number[];
  subjects: Map<number, string>;
  running: boolean;
  onRun: (ids: number[], work: () => Promise<BulkOutcome>) => void;
  onClear: () => void;
}) {
  const [action, setAction] = useState<Action>(null);
  const close = () => setAction(null);
  const count = selected.length;
  const start = (ids: number[], work: () => Promise<BulkOutcome>) => {
    close();
    onRun(ids, work);
  };
  return (
    <section className="views-bulk toolbar" aria-label={t('views.bulk.label')}>
      <strong>{plural('views.bulk.selected', count)}</strong>
      <button type="button" className="button" disabled={running} onClick={() => setAction('edit')}>
        {t('views.bulk.edit')}
      </button>
      <button type="button" className="button" disabled={running} onClick={() => setAction('merge')}>
        {t('views.bulk.merge')}
      </button>
      <button type="button" className="button danger" disabled={running} onClick={() => setAction('delete')}>
        {t('views.bulk.delete')}
      </button>
      <button type="button" className="link-button" disabled={running} onClick={onClear}>
        {t('views.bulk.clear')}
      </button>
      {action === 'edit' && (
        <EditDialog
          count={count}
          onClose={close}
          onApply={(changes) => start(selected, () => bulkUpdate(selected, changes))}
        />
      )}
      {action === 'merge' && (
        <MergeDialog
          selected={selected}
          subjects={subjects}
          onClose={close}
          onMerge={(target, sources) => start([target, ...sources], () => mergeInto(target, sources))}
        />
      )}
      {action === 'delete' && (
        <Dialog title={plural('views.bulk.deleteTitle', count)} open onClose={close}>
          <p>{t('views.bulk.deleteExplain')}</p>
          <div className="toolbar views-dialog-actions">
            <button type="button" className="button" onClick={close}>
              {t('shell.cancel')}
            </button>
            <button
              type="button"
              className="button danger"
              onClick={() => start(selected, () => bulkDelete(selected))}
            >
              {t('views.bulk.deleteConfirm')}
            </button>
          </div>
        </Dialog>
      )}
    </section>
  );
}

const KEEP = '';

function tagList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function EditDialog({
  count,
  onClose,
  onApply,
}: {
  count: number;
  onClose: () => void;
  onApply: (changes: TicketChanges) => void;
}) {
  const agents = useAgents();
  const groups = useGroups();
  const [assign, setAssign] = useState(KEEP);
  const [status, setStatus] = useState(KEEP);
  const [priority, setPriority] = useState(KEEP);
  const [tags, setTags] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const changes: TicketChanges = {};
    if (assign === 'unassigned') changes.assignee_id = null;
    else if (assign.startsWith('agent:')) changes.assignee_id = Number(assign.slice(6));
    else if (assign.startsWith('group:')) changes.group_id = Number(assign.slice(6));
    if (status) changes.status = status;
    if (priority) changes.priority = priority === 'none' ? null : priority;
    const added = tagList(tags);
    if (added.length) changes.additional_tags = added;
    if (!Object.keys(changes).length) {
      setProblem(t('views.bulk.nothingChosen'));
      return;
    }
    onApply(changes);
  };

  return (
    <Dialog title={plural('views.bulk.editTitle', count)} open onClose={onClose}>
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="bulk-assign">{t('views.bulk.assignTo')}</label>
          <select id="bulk-assign" value={assign} onChange={(e) => setAssign(e.target.value)}>
            <option value={KEEP}>{t('views.bulk.noChange')}</option>
            <option value="unassigned">{t('views.bulk.unassign')}</option>
            <optgroup label={t('views.bulk.agents')}>
              {(agents.data ?? []).map((a) => (
                <option key={a.id} value={`agent:${a.id}`}>
                  {a.name}
                </option>
              ))}
            </optgroup>
            <optgroup label={t('views.bulk.groups')}>
              {(groups.data ?? [])
                .filter((g) => !g.deleted)
                .map((g) => (
                  <option key={g.id} value={`group:${g.id}`}>
                    {g.name}
                  </option>
                ))}
            </optgroup>
          </select>
        </div>
        <Select
          label={t('views.bulk.status')}
          value={status}
          onChange={(e) => setStatus(e.target.value)}
          options={[
            { value: KEEP, label: t('views.bulk.noChange') },
            ...(['open', 'pending', 'hold', 'solved'] as const).map((s) => ({
              value: s,
              label: t(`views.status.${s}`),
            })),
          ]}
        />
        <Select
          label={t('views.bulk.priority')}
          value={priority}
          onChange={(e) => setPriority(e.target.value)}
          options={[
            { value: KEEP, label: t('views.bulk.noChange') },
            ...(['none', 'low', 'normal', 'high', 'urgent'] as const).map((p) => ({
              value: p,
              label: t(`views.priority.${p}`),
            })),
          ]}
        />
        <TextInput
          label={t('views.bulk.addTags')}
          hint={t('views.bulk.addTagsHint')}
          value={tags}
          onChange={(e) => setTags(e.target.value)}
          autoComplete="off"
        />
        {problem && (
          <p className="field-error" role="alert">
            {problem}
          </p>
        )}
        <div className="toolbar views-dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            {t('shell.cancel')}
          </button>
          <button type="submit" className="button primary">
            {t('views.bulk.apply')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function MergeDialog({
  selected,
  subjects,
  onClose,
  onMerge,
}: {
  selected: number[];
  subjects: Map<number, string>;
  onClose: () => void;
  onMerge: (target: number, sources: number[]) => void;
}) {
  const [choice, setChoice] = useState<string>(String(selected[0] ?? 'other'));
  const [otherId, setOtherId] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const target = choice === 'other' ? Number(otherId.trim().replace(/^#/, '')) : Number(choice);
    if (!Number.isSafeInteger(target) || target <= 0) {
      setProblem(t('views.bulk.mergeBadId'));
      return;
    }
    const sources = selected.filter((id) => id !== target);
    if (sources.length === 0) {
      setProblem(t('views.bulk.mergeNeedsSource'));
      return;
    }
    if (sources.length > MERGE_LIMIT) {
      setProblem(t('views.bulk.mergeTooMany'));
      return;
    }
    onMerge(target, sources);
  };

  return (
    <Dialog title={t('views.bulk.mergeTitle')} open onClose={onClose}>
      <form onSubmit={submit}>
        <fieldset className="views-merge-targets">
          <legend>{t('views.bulk.mergeInto')}</legend>
          {selected.map((id) => (
            <label key={id} className="views-radio">
              <input
                type="radio"
                name="merge-target"
                value={id}
                checked={choice === String(id)}
                onChange={() => setChoice(String(id))}
              />
              <span>
                #{id} {subjects.get(id) ?? ''}
              </span>
            </label>
          ))}
          <label className="views-radio">
            <input
              type="radio"
              name="merge-target"
              value="other"
              checked={choice === 'other'}
              onChange={() => setChoice('other')}
            />
            <span>{t('views.bulk.mergeOther')}</span>
          </label>
          {choice === 'other' && (
            <TextInput
              label={t('views.bulk.mergeOtherId')}
              inputMode="numeric"
              value={otherId}
              onChange={(e) => setOtherId(e.target.value)}
              autoComplete="off"
            />
          )}
        </fieldset>
        <p className="hint">{t('views.bulk.mergeExplain')}</p>
        {problem && (
          <p className="field-error" role="alert">
            {problem}
          </p>
        )}
        <div className="toolbar views-dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            {t('shell.cancel')}
          </button>
          <button type="submit" className="button danger">
            {t('views.bulk.mergeConfirm')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
