import type { TenantDb } from '../../platform/db/tenant-db.ts';
import {
  commandContext,
  created,
  defineRoute,
  type HandlerContext,
  listBody,
  respond,
} from '../../platform/http/define-route.ts';
import { notFound } from '../../platform/http/errors.ts';
import { isoTime, parseCsv } from '../../platform/http/format.ts';
import type { Page } from '../../platform/http/pagination.ts';
import { presentUser } from '../users/users.presenter.ts';
import { findUser, findUsersByIds } from '../users/users.queries.ts';
import {
  createGroup,
  createGroupMembership,
  deleteGroup,
  deleteGroupMembership,
  makeDefaultMembership,
  updateGroup,
} from './groups.commands.ts';
import { presentGroup, presentGroupMembership } from './groups.presenter.ts';
import {
  countGroups,
  findGroup,
  findGroupsByIds,
  findMembership,
  type GroupMembershipRow,
  type GroupRow,
  listGroups,
  listMemberships,
} from './groups.queries.ts';
import {
  assignableGroupsQuery,
  countGroupsQuery,
  createGroupBody,
  createMembershipBody,
  idParams,
  includeQuery,
  listGroupsQuery,
  listMembershipsQuery,
  updateGroupBody,
  userMembershipParams,
} from './groups.schema.ts';

const tags = ['Groups'];
type Ctx = HandlerContext<any, any, any>;

const groupPresenter = (ctx: Ctx) => (g: GroupRow) => presentGroup(g, ctx.url);
const membershipPresenter = (ctx: Ctx) => (m: GroupMembershipRow) => presentGroupMembership(m, ctx.url);

/** `include=users,groups`: the memberships' users and groups as top-level arrays. */
async function sideload(
  ctx: Ctx,
  db: TenantDb,
  memberships: GroupMembershipRow[],
  include: string | undefined,
) {
  const wanted = new Set(parseCsv(include));
  const out: Record<string, unknown> = {};
  if (wanted.has('users')) {
    const users = await findUsersByIds(db, [...new Set(memberships.map((m) => m.user_id))]);
    out.users = users.map((u) => presentUser(u, ctx.url));
  }
  if (wanted.has('groups')) {
    const groups = await findGroupsByIds(db, [...new Set(memberships.map((m) => m.group_id))]);
    out.groups = groups.map(groupPresenter(ctx));
  }
  return out;
}

async function membershipList(ctx: Ctx, page: Page<GroupMembershipRow>, path: string) {
  const body = listBody(ctx, 'group_memberships', page, path, membershipPresenter(ctx));
  return { ...body, ...(await sideload(ctx, ctx.db, page.rows, ctx.query.include)) };
}

async function loadGroup(ctx: Ctx, id: number): Promise<GroupRow> {
  const group = await findGroup(ctx.db, id);
  if (!group) throw notFound();
  return group;
}

const groupRoutesOnly = [
  defineRoute({
    method: 'GET',
    url: '/api/v2/groups',
    auth: 'agent',
    tags,
    summary: 'List groups (deleted ones too unless exclude_deleted=true)',
    query: listGroupsQuery,
    handler: async (ctx) => {
      const page = await listGroups(
        ctx.db,
        { excludeDeleted: ctx.query.exclude_deleted === 'true' },
        ctx.query,
      );
      return respond(200, listBody(ctx, 'groups', page, '/api/v2/groups.json', groupPresenter(ctx)));
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/groups/assignable',
    auth: 'agent',
    tags,
    summary: 'List groups tickets can be assigned to (not deleted)',
    query: assignableGroupsQuery,
    handler: async (ctx) => {
      const page = await listGroups(ctx.db, { excludeDeleted: true }, ctx.query);
      return respond(
        200,
        listBody(ctx, 'groups', page, '/api/v2/groups/assignable.json', groupPresenter(ctx)),
      );
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/groups/count',
    auth: 'agent',
    tags,
    summary: 'Count groups (counted as GET /groups lists them)',
    query: countGroupsQuery,
    handler: async (ctx) => {
      const value = await countGroups(ctx.db, { excludeDeleted: ctx.query.exclude_deleted === 'true' });
      return respond(200, { count: { value, refreshed_at: isoTime(new Date()) } });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/groups/:id',
    auth: 'agent',
    tags,
    summary: 'Show a group',
    params: idParams,
    handler: async (ctx) =>
      respond(200, { group: presentGroup(await loadGroup(ctx, ctx.params.id), ctx.url) }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v2/groups',
    auth: 'admin',
    tags,
    summary: 'Create a group',
    body: createGroupBody,
    handler: async (ctx) => {
      const shown = presentGroup(await createGroup(commandContext(ctx), ctx.body.group), ctx.url);
      return created('group', shown);
    },
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v2/groups/:id',
    auth: 'admin',
    tags,
    summary: 'Update a group',
    params: idParams,
    body: updateGroupBody,
    handler: async (ctx) => {
      const group = await updateGroup(commandContext(ctx), ctx.params.id, ctx.body.group);
      return respond(200, { group: presentGroup(group, ctx.url) });
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v2/groups/:id',
    auth: 'admin',
    tags,
    summary: 'Delete a group (soft: deleted=true) and remove its memberships',
    params: idParams,
    handler: async (ctx) => {
      await deleteGroup(commandContext(ctx), ctx.params.id);
      return respond(204);
    },
  }),
];

const membershipRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v2/group_memberships',
    auth: 'agent',
    tags,
    summary: 'List group memberships (include=users,groups)',
    query: listMembershipsQuery,
    handler: async (ctx) => {
      const page = await listMemberships(ctx.db, {}, ctx.query);
      return respond(200, await membershipList(ctx, page, '/api/v2/group_memberships.json'));
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/group_memberships/:id',
    auth: 'agent',
    tags,
    summary: 'Show a group membership',
    params: idParams,
    query: includeQuery,
    handler: async (ctx) => {
      const membership = await findMembership(ctx.db, ctx.params.id);
      if (!membership) throw notFound();
      return respond(200, {
        group_membership: presentGroupMembership(membership, ctx.url),
        ...(await sideload(ctx, ctx.db, [membership], ctx.query.include)),
      });
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v2/group_memberships',
    auth: 'admin',
    tags,
    summary: 'Add an agent to a group',
    body: createMembershipBody,
    handler: async (ctx) => {
      const membership = await createGroupMembership(commandContext(ctx), ctx.body.group_membership);
      const shown = presentGroupMembership(membership, ctx.url);
      return created('group_membership', shown);
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v2/group_memberships/:id',
    auth: 'admin',
    tags,
    summary: 'Remove an agent from a group',
    params: idParams,
    handler: async (ctx) => {
      await deleteGroupMembership(commandContext(ctx), ctx.params.id);
      return respond(204);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/groups/:id/memberships',
    auth: 'agent',
    tags,
    summary: "List a group's memberships (include=users,groups)",
    params: idParams,
    query: listMembershipsQuery,
    handler: async (ctx) => {
      const group = await loadGroup(ctx, ctx.params.id);
      const page = await listMemberships(ctx.db, { groupId: group.id }, ctx.query);
      return respond(200, await membershipList(ctx, page, `/api/v2/groups/${group.id}/memberships.json`));
    },
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v2/users/:user_id/group_memberships/:id/make_default',
    auth: 'agent',
    tags,
    summary: "Make a membership its user's default (admins, or agents for themselves)",
    params: userMembershipParams,
    handler: async (ctx) => {
      if (!(await findUser(ctx.db, ctx.params.user_id))) throw notFound();
      const rows = await makeDefaultMembership(commandContext(ctx), ctx.params.user_id, ctx.params.id);
      return respond(200, { group_memberships: rows.map(membershipPresenter(ctx)) });
    },
  }),
];

export const groupRoutes = [...groupRoutesOnly, ...membershipRoutes];
