import { defineStore, defineTable, pd } from '../privacy/registry.ts';

interface SocketIoAttachmentsTable {
  id: number;
  created_at: Date;
  payload: Buffer;
}

defineTable<SocketIoAttachmentsTable>('socket_io_attachments', {
  scope: { global: 'transient fan-out buffer of the socket.io Postgres adapter, cleared within seconds' },
  columns: {
    id: pd.none(),
    created_at: pd.none(),
    payload: pd.technical('retain:transient; the adapter deletes rows after delivery'),
  },
});

defineStore({
  store: 'pgboss',
  class: 'technical',
  erase: 'retain:job payloads carry ids only; completed jobs are archived and deleted by pg-boss',
  description: 'The job queue (pg-boss schema): job names and id-only payloads.',
});
