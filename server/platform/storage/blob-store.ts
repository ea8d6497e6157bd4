import { createHash } from 'node:crypto';
import type { TenantDb } from '../db/tenant-db.ts';

/** What the store knows about a file it holds. */
export interface StoredBlob {
  id: number;
  sha256: string;
  size: number;
}

/**
 * Where file bytes live. Callers keep the returned id and never reach the bytes another way, so another
 * backend (S3-compatible storage) can replace this one behind the same three calls.
 */
export interface BlobStore {
  put(db: TenantDb, bytes: Buffer): Promise<StoredBlob>;
  /** The bytes, or null when the file is gone. */
  get(db: TenantDb, id: number): Promise<Buffer | null>;
  delete(db: TenantDb, id: number): Promise<void>;
}

/**
 * Files as `bytea` rows in `stored_files`: every node of a scale-out install shares them through the one
 * PostgreSQL, a file is written in the same transaction as the record that points at it, and backups cover
 * them. Account-scoped like every tenant table, so one account can never read another's bytes.
 */
export const blobStore: BlobStore = {
  async put(db, bytes) {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const row = await db
      .insertInto('stored_files', { sha256, size: bytes.length, content: bytes })
      .returning(['id', 'sha256', 'size'])
      .executeTakeFirstOrThrow();
    return { id: row.id, sha256: row.sha256, size: Number(row.size) };
  },

  async get(db, id) {
    const row = await db.selectFrom('stored_files').select('content').where('id', '=', id).executeTakeFirst();
    return row ? row.content : null;
  },

  async delete(db, id) {
    await db.deleteFrom('stored_files').where('id', '=', id).execute();
  },
};
