import type { Generated } from 'kysely';
import { defineTable, pd } from '../../platform/privacy/registry.ts';

/**
 * A file attached to a ticket comment, or uploaded and waiting for one (`upload_token` and `expires_at`
 * set, `comment_id` null). Thumbnails are attachments too, with `parent_id` naming their image.
 */
export interface AttachmentsTable {
  account_id: number;
  id: Generated<number>;
  parent_id: number | null;
  /** The upload this file belongs to until a comment claims it; several files can share one. */
  upload_token: string | null;
  uploader_id: number | null;
  expires_at: Date | null;
  comment_id: number | null;
  /** The bytes in the blob store; null once redacted. */
  file_id: number | null;
  /** Random, names the file in its download URL (`/attachments/token/{content_token}/`). */
  content_token: string;
  file_name: string;
  content_type: string;
  size: number;
  width: number | null;
  height: number | null;
  inline: Generated<boolean>;
  /** Redacted: the bytes are gone and the file is an empty `redacted.txt`. */
  deleted: Generated<boolean>;
  created_at: Generated<Date>;
}

// A file is content about whoever uploaded it; erasing them removes their files (the bytes go with the row).
defineTable<AttachmentsTable>('attachments', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    parent_id: pd.none(),
    upload_token: pd.none(),
    uploader_id: pd.subject('delete_row'),
    expires_at: pd.none(),
    comment_id: pd.none(),
    file_id: pd.none(),
    content_token: pd.none(),
    file_name: pd.content('redact'),
    content_type: pd.none(),
    size: pd.none(),
    width: pd.none(),
    height: pd.none(),
    inline: pd.none(),
    deleted: pd.none(),
    created_at: pd.none(),
  },
});
