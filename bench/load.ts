// The load generator, run by bench/lib.ts's runLoad() in a process of its own. It takes one JSON argument
// and prints one JSON result on stdout.
//
//   {"mode":"autocannon","url":…,"headers":{…},"connections":10,"duration":10}
//     autocannon against one URL (GET by default).
//   {"mode":"create-users","base":…,"authorization":…,"workers":10,"duration":10,"prefix":…}
//     10 workers, each awaiting its own POST /api/v2/users.json before sending the next, with unique emails,
//     until the deadline. No request is left in flight at the end, so every 201 is exactly one user created.
//   {"mode":"create-tickets","base":…,"authorization":…,"workers":10,"duration":10,"prefix":…,
//    "requesterIds":[…]}
//     The same workers, each POSTing /api/v2/tickets.json with a subject and comment drawn from the bench
//     vocabulary. With requesterIds, each ticket names one of those users as requester_id (rotating);
//     without, each names a new requester by a unique email (`<prefix>-<n>@bench.example.test`), which
//     creates that end-user.
//   {"mode":"get-rotate","base":…,"authorization":…,"workers":10,"duration":10,
//    "requests":[{"label":…,"path":…},…]}
//     The same workers, GETting the paths in turn (request n takes path n mod length). Latencies are also
//     reported per label.
import http from 'node:http';
import { createRequire } from 'node:module';
import { mulberry32, percentile, randomText, SUBJECT_TEMPLATES } from './lib.ts';

const require = createRequire(import.meta.url);
// autocannon ships no types.
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => Promise<any>;

export interface AutocannonSummary {
  requestsPerSec: number;
  p50: number;
  p99: number;
  latencyAvg: number;
  total2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationS: number;
  clientCpuMs: number;
}

export interface LatencyStats {
  count: number;
  failed: number;
  p50: number;
  p95: number;
  p99: number;
  avg: number;
  max: number;
}

/** What a worker run measured: every response's latency, overall and per label. */
export interface WorkersSummary {
  requestsPerSec: number;
  p50: number;
  p95: number;
  p99: number;
  latencyAvg: number;
  /** Responses with the expected status (201 for creations, 200 for reads). */
  ok: number;
  failed: number;
  statuses: Record<string, number>;
  firstFailure: string | null;
  durationS: number;
  clientCpuMs: number;
  byLabel: Record<string, LatencyStats>;
}

export interface CreateUsersSummary extends WorkersSummary {
  created: number;
}

export type CreateTicketsSummary = CreateUsersSummary;

async function runAutocannon(c: {
  url: string;
  headers?: Record<string, string>;
  connections: number;
  duration: number;
  method?: string;
}): Promise<AutocannonSummary> {
  const cpu = process.cpuUsage();
  const r = await autocannon({
    url: c.url,
    method: c.method ?? 'GET',
    headers: c.headers ?? {},
    connections: c.connections,
    duration: c.duration,
  });
  return {
    requestsPerSec: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    latencyAvg: r.latency.average,
    total2xx: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    durationS: r.duration,
    clientCpuMs: cpuMs(cpu),
  };
}

function send(
  agent: http.Agent,
  url: URL,
  method: string,
  authorization: string,
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { authorization, accept: 'application/json' };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    const req = http.request(url, { method, agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        text += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function stats(latencies: number[], failed: number): LatencyStats {
  const s = [...latencies].sort((a, b) => a - b);
  return {
    count: s.length,
    failed,
    p50: round2(percentile(s, 50)),
    p95: round2(percentile(s, 95)),
    p99: round2(percentile(s, 99)),
    avg: round2(s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)),
    max: round2(s[s.length - 1] ?? 0),
  };
}

interface WorkerRequest {
  label: string;
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  expect: number;
}

/**
 * `workers` loops, each sending its next request only once the previous one answered, until the deadline.
 * `next(n)` builds the n-th request (n counts from 1 across all workers).
 */
async function runWorkers(
  c: { base: string; authorization: string; workers: number; duration: number },
  next: (n: number) => WorkerRequest,
): Promise<WorkersSummary> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: c.workers });
  const all: number[] = [];
  const byLabel = new Map<string, { latencies: number[]; failed: number }>();
  const statuses: Record<string, number> = {};
  let n = 0;
  let ok = 0;
  let failed = 0;
  let firstFailure: string | null = null;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const deadline = started + c.duration * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const r = next(++n);
      let entry = byLabel.get(r.label);
      if (!entry) {
        entry = { latencies: [], failed: 0 };
        byLabel.set(r.label, entry);
      }
      const t0 = performance.now();
      try {
        const res = await send(agent, new URL(r.path, c.base), r.method, c.authorization, r.body);
        const ms = performance.now() - t0;
        all.push(ms);
        entry.latencies.push(ms);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (res.status === r.expect) ok++;
        else {
          failed++;
          entry.failed++;
          firstFailure ??= `${r.method} ${r.path}: ${res.status} ${res.text.slice(0, 300)}`;
        }
      } catch (err) {
        failed++;
        entry.failed++;
        statuses.error = (statuses.error ?? 0) + 1;
        firstFailure ??= `${r.method} ${r.path}: ${String(err)}`;
      }
    }
  };
  await Promise.all(Array.from({ length: c.workers }, worker));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  const overall = stats(all, failed);
  return {
    requestsPerSec: round2((ok + failed) / elapsed),
    p50: overall.p50,
    p95: overall.p95,
    p99: overall.p99,
    latencyAvg: overall.avg,
    ok,
    failed,
    statuses,
    firstFailure,
    durationS: elapsed,
    clientCpuMs: cpuMs(cpu),
    byLabel: Object.fromEntries([...byLabel].map(([label, e]) => [label, stats(e.latencies, e.failed)])),
  };
}

interface WorkerConfig {
  base: string;
  authorization: string;
  workers: number;
  duration: number;
}

async function createUsers(c: WorkerConfig & { prefix: string }): Promise<CreateUsersSummary> {
  const summary = await runWorkers(c, (n) => ({
    label: 'create user',
    method: 'POST',
    path: '/api/v2/users.json',
    body: JSON.stringify({
      user: { name: `Bench User ${n}`, email: `${c.prefix}-${n}@bench.example.test` },
    }),
    expect: 201,
  }));
  return { ...summary, created: summary.ok };
}

async function createTickets(
  c: WorkerConfig & { prefix: string; requesterIds?: number[]; seed?: number },
): Promise<CreateTicketsSummary> {
  const rand = mulberry32(c.seed ?? 42);
  const ids = c.requesterIds ?? [];
  const summary = await runWorkers(c, (n) => {
    const template = SUBJECT_TEMPLATES[Math.floor(rand() * SUBJECT_TEMPLATES.length)]!;
    const requester = ids.length
      ? { requester_id: ids[n % ids.length] }
      : { requester: { name: `Bench Requester ${n}`, email: `${c.prefix}-${n}@bench.example.test` } };
    return {
      label: ids.length ? 'requester_id' : 'new requester email',
      method: 'POST',
      path: '/api/v2/tickets.json',
      body: JSON.stringify({
        ticket: {
          subject: `${template} ${randomText(rand, 2)}`,
          comment: { body: randomText(rand, 15 + Math.floor(rand() * 25)) },
          ...requester,
          priority: 'normal',
          tags: ['bench'],
        },
      }),
      expect: 201,
    };
  });
  return { ...summary, created: summary.ok };
}

async function getRotate(c: WorkerConfig & { requests: { label: string; path: string }[] }) {
  return runWorkers(c, (n) => {
    const r = c.requests[n % c.requests.length]!;
    return { label: r.label, method: 'GET', path: r.path, expect: 200 };
  });
}

const config = JSON.parse(process.argv[2] ?? '{}');
const result =
  config.mode === 'create-users'
    ? await createUsers(config)
    : config.mode === 'create-tickets'
      ? await createTickets(config)
      : config.mode === 'get-rotate'
        ? await getRotate(config)
        : await runAutocannon(config);
process.stdout.write(`${JSON.stringify(result)}\n`);
