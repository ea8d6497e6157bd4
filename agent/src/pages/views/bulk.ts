import { api, type JobStatus, waitForJob } from '../../lib/api.ts';

/**
 * Bulk work runs as background jobs on the server (update_many, destroy_many, merge). These helpers start
 * them, wait for each to end and collect what happened to every ticket, so the list can say exactly which
 * tickets failed and why.
 */
export const BULK_LIMIT = 100; // update_many and destroy_many take at most 100 ids
export const MERGE_LIMIT = 5; // merge takes at most 5 source tickets

export type BulkKind = 'updated' | 'deleted' | 'merged';

export interface Failure {
  id: number | null;
  message: string;
}

export interface BulkOutcome {
  kind: BulkKind;
  total: number;
  done: number;
  failures: Failure[];
  target?: number;
}

/** One ticket's line in a job's results; failures carry the API's error body (`details` per field). */
type JobResult = Omit<NonNullable<JobStatus['results']>[number], 'details'> & {
  description?: string;
  details?: string | Record<string, { description?: string }[]>;
};

/** The most specific words the server gave: a field's problem before the general description. */
function failureMessage(r: JobResult): string {
  const perField =
    r.details && typeof r.details === 'object' ? Object.values(r.details).flat()[0]?.description : undefined;
  const text = typeof r.details === 'string' ? r.details : undefined;
  return perField || r.description || text || r.error || r.status || '';
}

/** The tickets a finished job reports on: successes counted, failures kept with the server's words. */
function readJob(job: JobStatus, ids: number[]): { done: number; failures: Failure[] } {
  const results = (job.results ?? []) as JobResult[];
  if (job.status !== 'completed') {
    // A job that failed as a whole (a merge that was refused) changed none of its tickets.
    const message = job.message || failureMessage(results[0] ?? {}) || job.status;
    return { done: 0, failures: ids.map((id) => ({ id, message })) };
  }
  let done = 0;
  const failures: Failure[] = [];
  for (const r of results) {
    if (r.success === false)
      failures.push({ id: typeof r.id === 'number' ? r.id : null, message: failureMessage(r) });
    else done++;
  }
  return { done, failures };
}

function chunks(ids: number[], size: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < ids.length; i += size) out.push(ids.slice(i, i + size));
  return out;
}

async function runChunked(
  ids: number[],
  kind: BulkKind,
  start: (chunk: number[]) => Promise<{ job_status: JobStatus }>,
): Promise<BulkOutcome> {
  const outcome: BulkOutcome = { kind, total: ids.length, done: 0, failures: [] };
  for (const chunk of chunks(ids, BULK_LIMIT)) {
    const { job_status } = await start(chunk);
    const { done, failures } = readJob(await waitForJob(job_status.id), chunk);
    outcome.done += done;
    outcome.failures.push(...failures);
  }
  return outcome;
}

export type TicketChanges = Record<string, unknown>;

export function bulkUpdate(ids: number[], changes: TicketChanges): Promise<BulkOutcome> {
  return runChunked(ids, 'updated', (chunk) =>
    api.put<{ job_status: JobStatus }>('tickets/update_many', { ticket: changes }, { ids: chunk.join(',') }),
  );
}

export function bulkDelete(ids: number[]): Promise<BulkOutcome> {
  return runChunked(ids, 'deleted', (chunk) =>
    api.delete<{ job_status: JobStatus }>('tickets/destroy_many', { ids: chunk.join(',') }),
  );
}

export async function mergeInto(target: number, sources: number[]): Promise<BulkOutcome> {
  const { job_status } = await api.post<{ job_status: JobStatus }>(`tickets/${target}/merge`, {
    ids: sources,
  });
  const { failures } = readJob(await waitForJob(job_status.id), sources);
  // A merge succeeds or fails as a whole, for one reason.
  return {
    kind: 'merged',
    total: sources.length,
    done: failures.length ? 0 : sources.length,
    failures: failures.length ? [{ id: null, message: failures[0]!.message }] : [],
    target,
  };
}
