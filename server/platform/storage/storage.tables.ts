import type { Generated } from 'kysely';
import { defineTable, pd } from '../privacy/registry.ts';

/** File bytes, kept in the database so every Haven node reads the same files (see blob-store.ts). */
export interface StoredFilesTable {
  account_id: number;
  id: Generated<number>;
  /** Hex SHA-256 of `content`: an integrity check and the download's ETag. */
  sha256: string;
  size: number;
  content: Buffer;
  created_at: Generated<Date>;
}

// A stored file is whatever someone uploaded, so it is content. Its owner row (an attachment) links it to a
// person; erasing that row removes the file with it.
defineTable<StoredFilesTable>('stored_files', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    sha256: pd.content('delete_row'),
    size: pd.none(),
    content: pd.content('delete_row'),
    created_at: pd.none(),
  },
});
