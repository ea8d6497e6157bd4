import type { Selectable } from 'kysely';
import { isoTime } from '../../platform/http/format.ts';
import type { AttachmentsTable } from './attachments.tables.ts';

export type AttachmentRecord = Selectable<AttachmentsTable>;

/** An attachment as the module's queries return it: the row with its thumbnails. */
export type AttachmentRow = AttachmentRecord & { thumbnails: AttachmentRecord[] };

/** Where an attachment's bytes are downloaded (permission-checked; see attachments.routes.ts). */
export function contentPath(row: AttachmentRecord): string {
  return `/attachments/token/${row.content_token}/?name=${encodeURIComponent(row.file_name)}`;
}

/** An attachment in Zendesk API v2 shape; each thumbnail is an attachment object of its own. */
export function presentAttachment(row: AttachmentRow, url: (path: string) => string) {
  return presentFile(
    row,
    url,
    row.thumbnails.map((t) => presentFile(t, url, [])),
  );
}

function presentFile(row: AttachmentRecord, url: (path: string) => string, thumbnails: unknown[]) {
  const content = url(contentPath(row));
  return {
    url: url(`/api/v2/attachments/${row.id}.json`),
    id: row.id,
    file_name: row.file_name,
    content_url: content,
    mapped_content_url: content,
    content_type: row.content_type,
    size: row.size,
    width: row.width,
    height: row.height,
    inline: row.inline,
    deleted: row.deleted,
    // Haven does not scan files; Zendesk's value for that is `not_scanned`.
    malware_access_override: false,
    malware_scan_result: 'not_scanned',
    thumbnails,
  };
}

/** The answer to an upload: its token, when it expires, the file just added and every file in it. */
export function presentUpload(
  upload: { token: string; expiresAt: Date; attachment: AttachmentRow; attachments: AttachmentRow[] },
  url: (path: string) => string,
) {
  return {
    token: upload.token,
    expires_at: isoTime(upload.expiresAt),
    attachments: upload.attachments.map((a) => presentAttachment(a, url)),
    attachment: presentAttachment(upload.attachment, url),
  };
}
