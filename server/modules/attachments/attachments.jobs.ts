import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { defineJob } from '../../platform/jobs/jobs.ts';

/**
 * Uploads nobody attached within their hour are deleted, across all accounts, every ten minutes. Their
 * thumbnails go by cascade and their bytes by the attachments trigger, so nothing is left behind.
 */
export function expireUploadsJob(db: Kysely<Database>) {
  return defineJob({
    name: 'attachments.expire-uploads',
    cron: '*/10 * * * *',
    handler: async () => {
      await db.deleteFrom('attachments').where('expires_at', '<=', new Date()).execute();
    },
  });
}
