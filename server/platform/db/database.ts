import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

export type DatabaseKind = 'embedded' | 'postgres';

/** The process's one connection to its database: a `pg` pool over PGlite or over PostgreSQL, and Kysely on top. */
export interface DatabaseHandle {
  kind: DatabaseKind;
  pool: pg.Pool;
  db: Kysely<Database>;
  close(): Promise<void>;
}

export type DatabaseTarget =
  | { kind: 'postgres'; url: string; max?: number }
  | { kind: 'embedded'; dataDir: string }
  | { kind: 'embedded'; memory: true; loadDataDir?: Blob };

// int8 (ids, counts) as JS numbers: ids stay far below 2^53, and Zendesk clients expect numbers.
const INT8_OID = 20;
const NUMERIC_OID = 1700;
const INT8_ARRAY_OID = 1016;
const INT4_ARRAY_OID = 1007 as Parameters<typeof pg.types.getTypeParser>[0];
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (v: string) => (v === null ? null : Number(v));
    // bigint[] (ids of collaborators, followers …) as numbers too, parsed like int4[].
    if (oid === INT8_ARRAY_OID) return pg.types.getTypeParser(INT4_ARRAY_OID, 'text');
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as pg.CustomTypesConfig;

export async function openDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  if (target.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: target.url, max: target.max ?? 10, types: typeParsers });
    pool.on('error', () => {}); // idle-client errors surface on the next query instead of crashing the process
    await pool.query('select 1');
    return wrap('postgres', pool, async () => {});
  }

  let lite: PGlite;
  let release = async () => {};
  if ('memory' in target) {
    lite = await PGlite.create('memory://', target.loadDataDir ? { loadDataDir: target.loadDataDir } : {});
  } else {
    const dir = path.join(target.dataDir, 'pg');
    fs.mkdirSync(target.dataDir, { recursive: true });
    const unlock = lockDataDir(target.dataDir);
    try {
      lite = await PGlite.create(dir);
    } catch (err) {
      unlock();
      throw err;
    }
    release = async () => unlock();
  }
  const pool = new pg.Pool({ ...createPgConfig(lite), max: 1, types: typeParsers } as pg.PoolConfig);
  return wrap('embedded', pool, async () => {
    await lite.close();
    await release();
  });
}

function wrap(kind: DatabaseKind, pool: pg.Pool, after: () => Promise<void>): DatabaseHandle {
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  return {
    kind,
    pool,
    db,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy(); // ends the pool
      await after();
    },
  };
}

export class DataDirLockedError extends Error {}

/**
 * PGlite lets any process open a data directory, and two at once would corrupt it.
 * A lock file with the holder's pid keeps a second `haven` process out; a stale lock (dead pid) is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const lockPath = path.join(dataDir, 'haven.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      return () => {
        try {
          if (fs.readFileSync(lockPath, 'utf8') === String(process.pid)) fs.unlinkSync(lockPath);
        } catch {}
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(fs.readFileSync(lockPath, 'utf8'));
      if (holder && holder !== process.pid && isAlive(holder)) {
        throw new DataDirLockedError(
          `The data directory ${dataDir} is in use by another Haven process (pid ${holder}). Stop it first, or set DATABASE_URL.`,
        );
      }
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new DataDirLockedError(`Could not lock the data directory ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
