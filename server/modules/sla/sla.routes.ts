import {
  commandContext,
  defineRoute,
  type HandlerContext,
  respond,
} from '../../platform/http/define-route.ts';
import {
  createHoliday,
  createPolicy,
  createSchedule,
  deleteHoliday,
  deletePolicy,
  deleteSchedule,
  reorderPolicies,
  updateHoliday,
  updatePolicy,
  updateSchedule,
  updateWorkweek,
} from './sla.commands.ts';
import { filterDefinitions } from './sla.filter.ts';
import { presentHoliday, presentPolicy, presentSchedule } from './sla.presenter.ts';
import {
  definitionLists,
  findHoliday,
  findPolicy,
  findSchedule,
  listHolidays,
  listPolicies,
  listSchedules,
} from './sla.queries.ts';
import {
  holidayBody,
  holidayParams,
  idParams,
  policyBody,
  reorderBody,
  scheduleBody,
  scheduleParams,
  workweekBody,
} from './sla.schema.ts';

type Ctx = HandlerContext<any, any, any>;

/** Whole lists, as Zendesk answers these (an account has few schedules and policies). */
const list = (key: string, items: unknown[]) =>
  respond(200, { [key]: items, count: items.length, next_page: null, previous_page: null });

const SCHEDULES = '/api/v2/business_hours/schedules';

const scheduleRoutes = [
  defineRoute({
    method: 'GET',
    url: SCHEDULES,
    auth: 'agent',
    tags: ['Business hours'],
    summary: 'List business-hours schedules (the first created is the default)',
    handler: async (ctx) => list('schedules', (await listSchedules(ctx.db)).map(presentSchedule)),
  }),
  defineRoute({
    method: 'GET',
    url: `${SCHEDULES}/:id`,
    auth: 'agent',
    tags: ['Business hours'],
    summary: 'Show a schedule',
    params: idParams,
    handler: async (ctx) =>
      respond(200, { schedule: presentSchedule(await findSchedule(ctx.db, ctx.params.id)) }),
  }),
  defineRoute({
    method: 'POST',
    url: SCHEDULES,
    auth: 'admin',
    tags: ['Business hours'],
    summary: 'Create a schedule (Monday to Friday, 09:00 to 17:00 unless intervals are given)',
    body: scheduleBody,
    handler: async (ctx) => {
      const schedule = await createSchedule(commandContext(ctx), ctx.body.schedule);
      return respond(201, { schedule: presentSchedule(schedule) });
    },
  }),
  defineRoute({
    method: 'PUT',
    url: `${SCHEDULES}/:id`,
    auth: 'admin',
    tags: ['Business hours'],
    summary: 'Update a schedule’s name, time zone or intervals',
    params: idParams,
    body: scheduleBody,
    handler: async (ctx) => {
      const schedule = await updateSchedule(commandContext(ctx), ctx.params.id, ctx.body.schedule);
      return respond(200, { schedule: presentSchedule(schedule) });
    },
  }),
  defineRoute({
    method: 'PUT',
    url: `${SCHEDULES}/:id/workweek`,
    auth: 'admin',
    tags: ['Business hours'],
    summary: 'Replace a schedule’s weekly intervals (minutes from Sunday 00:00 local time)',
    params: idParams,
    body: workweekBody,
    handler: async (ctx) => {
      const schedule = await updateWorkweek(commandContext(ctx), ctx.params.id, ctx.body.workweek.intervals);
      return respond(200, { workweek: { intervals: presentSchedule(schedule).intervals } });
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: `${SCHEDULES}/:id`,
    auth: 'admin',
    tags: ['Business hours'],
    summary: 'Delete a schedule and its holidays',
    params: idParams,
    handler: async (ctx) => {
      await deleteSchedule(commandContext(ctx), ctx.params.id);
      return respond(204);
    },
  }),
  defineRoute({
    method: 'GET',
    url: `${SCHEDULES}/:schedule_id/holidays`,
    auth: 'agent',
    tags: ['Business hours'],
    summary: 'List a schedule’s holidays',
    params: scheduleParams,
    handler: async (ctx) => {
      await findSchedule(ctx.db, ctx.params.schedule_id);
      return list('holidays', (await listHolidays(ctx.db, ctx.params.schedule_id)).map(presentHoliday));
    },
  }),
  defineRoute({
    method: 'GET',
    url: `${SCHEDULES}/:schedule_id/holidays/:id`,
    auth: 'agent',
    tags: ['Business hours'],
    summary: 'Show a holiday',
    params: holidayParams,
    handler: async (ctx) => {
      const holiday = await findHoliday(ctx.db, ctx.params.schedule_id, ctx.params.id);
      return respond(200, { holiday: presentHoliday(holiday) });
    },
  }),
  defineRoute({
    method: 'POST',
    url: `${SCHEDULES}/:schedule_id/holidays`,
    auth: 'admin',
    tags: ['Business hours'],
    summary: 'Add a holiday (inclusive local dates; end_date defaults to start_date)',
    params: scheduleParams,
    body: holidayBody,
    handler: async (ctx) => {
      const holiday = await createHoliday(commandContext(ctx), ctx.params.schedule_id, ctx.body.holiday);
      return respond(201, { holiday: presentHoliday(holiday) });
    },
  }),
  defineRoute({
    method: 'PUT',
    url: `${SCHEDULES}/:schedule_id/holidays/:id`,
    auth: 'admin',
    tags: ['Business hours'],
    summary: 'Update a holiday',
    params: holidayParams,
    body: holidayBody,
    handler: async (ctx) => {
      const { schedule_id, id } = ctx.params;
      const holiday = await updateHoliday(commandContext(ctx), schedule_id, id, ctx.body.holiday);
      return respond(200, { holiday: presentHoliday(holiday) });
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: `${SCHEDULES}/:schedule_id/holidays/:id`,
    auth: 'admin',
    tags: ['Business hours'],
    summary: 'Delete a holiday',
    params: holidayParams,
    handler: async (ctx) => {
      await deleteHoliday(commandContext(ctx), ctx.params.schedule_id, ctx.params.id);
      return respond(204);
    },
  }),
];

const presentAll = (ctx: Ctx, rows: Awaited<ReturnType<typeof listPolicies>>) =>
  rows.map((p) => presentPolicy(p, ctx.url));

/** SLA policy routes under one base: Zendesk's `/api/v2/slas/policies` and the `/api/v2/sla_policies` alias. */
function policyRoutes(base: string) {
  const tags = ['SLA policies'];
  return [
    defineRoute({
      method: 'GET',
      url: base,
      auth: 'admin',
      tags,
      summary: 'List SLA policies in the order they are matched',
      handler: async (ctx) => list('sla_policies', presentAll(ctx, await listPolicies(ctx.db))),
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/definitions`,
      auth: 'admin',
      tags,
      summary: 'The filter conditions an SLA policy can use',
      handler: async (ctx) => respond(200, { definitions: filterDefinitions(await definitionLists(ctx.db)) }),
    }),
    defineRoute({
      method: 'PUT',
      url: `${base}/reorder`,
      auth: 'admin',
      tags,
      summary: 'Reorder SLA policies (the first matching policy applies to a ticket)',
      body: reorderBody,
      handler: async (ctx) => {
        const rows = await reorderPolicies(commandContext(ctx), ctx.body.sla_policy_ids);
        return list('sla_policies', presentAll(ctx, rows));
      },
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/:id`,
      auth: 'admin',
      tags,
      summary: 'Show an SLA policy',
      params: idParams,
      handler: async (ctx) =>
        respond(200, { sla_policy: presentPolicy(await findPolicy(ctx.db, ctx.params.id), ctx.url) }),
    }),
    defineRoute({
      method: 'POST',
      url: base,
      auth: 'admin',
      tags,
      summary: 'Create an SLA policy (added last unless a position is given)',
      body: policyBody,
      handler: async (ctx) => {
        const policy = presentPolicy(await createPolicy(commandContext(ctx), ctx.body.sla_policy), ctx.url);
        return respond(201, { sla_policy: policy }, { Location: policy.url });
      },
    }),
    defineRoute({
      method: 'PUT',
      url: `${base}/:id`,
      auth: 'admin',
      tags,
      summary: 'Update an SLA policy; `policy_metrics` and `filter` replace the whole list',
      params: idParams,
      body: policyBody,
      handler: async (ctx) => {
        const policy = await updatePolicy(commandContext(ctx), ctx.params.id, ctx.body.sla_policy);
        return respond(200, { sla_policy: presentPolicy(policy, ctx.url) });
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: `${base}/:id`,
      auth: 'admin',
      tags,
      summary: 'Delete an SLA policy',
      params: idParams,
      handler: async (ctx) => {
        await deletePolicy(commandContext(ctx), ctx.params.id);
        return respond(204);
      },
    }),
  ];
}

export const slaRoutes = [
  ...scheduleRoutes,
  ...policyRoutes('/api/v2/slas/policies'),
  ...policyRoutes('/api/v2/sla_policies'),
];
