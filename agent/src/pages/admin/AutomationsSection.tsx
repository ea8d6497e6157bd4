import { useMutation, useQueryClient } from '@tanstack/react-query';
import { t } from '../../i18n/index.ts';
import { api } from '../../lib/api.ts';
import { formatCount } from '../../lib/format.ts';
import { BusinessRuleSection } from './business-rules.tsx';
import { ProblemList, problemsOf } from './ui.tsx';

interface RunStats {
  automations: number;
  examined: number;
  acted: number;
  errors: number;
  ms: number;
}

/** Automations: time-based rules Haven checks every hour; "Run now" checks them at once. */
export default function AutomationsSection() {
  return <BusinessRuleSection kind="automations" extraActions={<RunNow />} />;
}

function RunNow() {
  const queryClient = useQueryClient();
  const run = useMutation({
    mutationFn: () =>
      api
        .post<RunStats | { stats: RunStats } | { automations_run: RunStats }>('automations/run')
        .then((r) => ('stats' in r ? r.stats : 'automations_run' in r ? r.automations_run : r) as RunStats),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['views'] }),
  });
  const stats = run.data;
  return (
    <div className="admin-run">
      <button type="button" className="button" disabled={run.isPending} onClick={() => run.mutate()}>
        {run.isPending ? t('admin.automations.running') : t('admin.automations.runNow')}
      </button>
      <p className="muted admin-run-hint">{t('admin.automations.runHint')}</p>
      <p role="status" className="admin-run-result">
        {stats
          ? t('admin.automations.ran', {
              examined: formatCount(stats.examined),
              acted: formatCount(stats.acted),
              errors: formatCount(stats.errors),
              seconds: ((stats.ms ?? 0) / 1000).toFixed(1),
            })
          : ''}
      </p>
      <ProblemList problems={run.error ? problemsOf(run.error, []).other : []} />
    </div>
  );
}
