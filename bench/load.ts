// The load generator, run by bench/lib.ts's runLoad() in a process of its own. It takes one JSON argument
// and prints one JSON result on stdout.
//
//   {"mode":"autocannon","url":…,"headers":{…},"connections":10,"duration":10}
//     autocannon against one URL (GET by default).
//   {"mode":"create-users","base":…,"authorization":…,"workers":10,"duration":10,"prefix":…}
//     10 workers, each awaiting its own POST /api/v2/users.json before sending the next, with unique emails,
//     until the deadline. No request is left in flight at the end, so every 201 is exactly one user created.
import http from 'node:http';
import { createRequire } from 'node:module';

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

export interface CreateUsersSummary {
  requestsPerSec: number;
  p50: number;
  p99: number;
  latencyAvg: number;
  created: number;
  failed: number;
  statuses: Record<string, number>;
  firstFailure: string | null;
  durationS: number;
  clientCpuMs: number;
}

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

function post(
  agent: http.Agent,
  url: URL,
  authorization: string,
  body: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          authorization,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function createUsers(c: {
  base: string;
  authorization: string;
  workers: number;
  duration: number;
  prefix: string;
}): Promise<CreateUsersSummary> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: c.workers });
  const url = new URL('/api/v2/users.json', c.base);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  let created = 0;
  let failed = 0;
  let firstFailure: string | null = null;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const deadline = started + c.duration * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const n = ++next;
      const body = JSON.stringify({
        user: { name: `Bench User ${n}`, email: `${c.prefix}-${n}@bench.example.test` },
      });
      const t0 = performance.now();
      try {
        const res = await post(agent, url, c.authorization, body);
        latencies.push(performance.now() - t0);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (res.status === 201) created++;
        else {
          failed++;
          firstFailure ??= `${res.status} ${res.text.slice(0, 300)}`;
        }
      } catch (err) {
        failed++;
        statuses.error = (statuses.error ?? 0) + 1;
        firstFailure ??= String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: c.workers }, worker));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSec: (created + failed) / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    latencyAvg: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
    created,
    failed,
    statuses,
    firstFailure,
    durationS: elapsed,
    clientCpuMs: cpuMs(cpu),
  };
}

const config = JSON.parse(process.argv[2] ?? '{}');
const result = config.mode === 'create-users' ? await createUsers(config) : await runAutocannon(config);
process.stdout.write(`${JSON.stringify(result)}\n`);
