#!/usr/bin/env node
// The test command: every suite on the embedded database, then — when TEST_DATABASE_URL is set — the
// API suites again on PostgreSQL and the multi-node suite (which also uses TEST_REDIS_URL when set).
// Ends with one plain "N passed, N failed" line.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function find(dir, out = []) {
  for (const name of readdirSync(path.join(root, dir))) {
    const rel = path.join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(path.join(root, rel)).isDirectory()) find(rel, out);
    else if (name.endsWith('.test.ts')) out.push(rel);
  }
  return out;
}

const all = [...find('server'), ...find('test')].sort();
const filter = process.argv.slice(2);
const pick = (files) => (filter.length ? files.filter((f) => filter.some((x) => f.includes(x))) : files);
const multinode = all.filter((f) => f.startsWith('test/multinode/'));
const embedded = all.filter((f) => !multinode.includes(f));
const apiSuites = embedded.filter((f) => !f.startsWith('test/browser/'));

const totals = { pass: 0, fail: 0, skipped: 0 };

function run(label, files, env) {
  files = pick(files);
  if (files.length === 0) return;
  console.log(`\n=== ${label}: ${files.length} files ===`);
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      '--test-concurrency=2',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${path.join(root, 'tmp', `${label}.tap`)}`,
      ...files,
    ],
    { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } },
  );
  const tap = readFileSync(path.join(root, 'tmp', `${label}.tap`), 'utf8');
  const count = (key) => Number((tap.match(new RegExp(`^# ${key} (\\d+)`, 'm')) ?? [])[1] ?? 0);
  totals.pass += count('pass');
  totals.fail += count('fail') + count('cancelled');
  totals.skipped += count('skipped');
  if (result.status !== 0 && count('fail') + count('cancelled') === 0) totals.fail += 1;
}

mkdirSync(path.join(root, 'tmp'), { recursive: true });

// The server serves the agent workspace from agent/dist; build it from the sources being tested.
const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  console.log('\n0 passed, 1 failed (the agent workspace did not build)');
  process.exit(1);
}

run('embedded', embedded, { HAVEN_TEST_DB: 'embedded' });
if (process.env.TEST_DATABASE_URL) {
  run('postgres', apiSuites, { HAVEN_TEST_DB: 'postgres' });
  run('multinode', multinode, { HAVEN_TEST_DB: 'postgres' });
} else {
  console.log('\nTEST_DATABASE_URL is not set: skipping the PostgreSQL and multi-node runs.');
}

console.log(
  `\n${totals.pass} passed, ${totals.fail} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`,
);
process.exit(totals.fail > 0 ? 1 : 0);
