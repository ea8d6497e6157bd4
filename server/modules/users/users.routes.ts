import type { TenantDb } from '../../platform/db/tenant-db.ts';
import {
  commandContext,
  created,
  defineRoute,
  type HandlerContext,
  listBody,
  respond,
} from '../../platform/http/define-route.ts';
import { HavenError, notFound } from '../../platform/http/errors.ts';
import { parseCsv, parseIdList } from '../../platform/http/format.ts';
import type { Page } from '../../platform/http/pagination.ts';
import { presentGroup, presentGroupMembership } from '../groups/groups.presenter.ts';
import { presentOrganization } from '../organizations/organizations.presenter.ts';
import {
  addIdentity,
  createOrUpdateUser,
  createUser,
  deleteIdentity,
  deleteUser,
  makeIdentityPrimary,
  setPassword,
  updateUser,
} from './users.commands.ts';
import { userPolicy } from './users.policy.ts';
import { presentIdentity, presentUser, presentUserForEndUser } from './users.presenter.ts';
import {
  findUser,
  findUsersByExternalIds,
  findUsersByIds,
  groupIdsForUsers,
  listIdentities,
  listUsers,
  searchUsers,
  type UserRow,
  userFromSnapshot,
} from './users.queries.ts';
import {
  createOrUpdateUserBody,
  createUserBody,
  identityBody,
  identityParams,
  idParams,
  includeQuery,
  listUsersQuery,
  searchUsersQuery,
  setPasswordBody,
  showManyQuery,
  updateUserBody,
} from './users.schema.ts';

const tags = ['Users'];
type Ctx = HandlerContext<any, any, any>;

function present(ctx: Ctx, user: UserRow) {
  const actor = ctx.actor;
  return actor.role === 'end-user' && actor.userId !== user.id
    ? presentUserForEndUser(user, ctx.url)
    : presentUser(user, ctx.url);
}

/** `include=organizations,groups,identities`: related records as top-level arrays. */
async function sideload(ctx: Ctx, db: TenantDb, users: UserRow[], include: string | undefined) {
  const wanted = new Set(parseCsv(include));
  const out: Record<string, unknown> = {};
  if (wanted.has('organizations')) {
    const ids = [...new Set(users.map((u) => u.organization_id).filter((id): id is number => id !== null))];
    const orgs = ids.length
      ? await db.selectFrom('organizations').selectAll().where('id', 'in', ids).orderBy('id').execute()
      : [];
    out.organizations = orgs.map((o) => presentOrganization(o, ctx.url));
  }
  if (wanted.has('groups')) {
    const byUser = await groupIdsForUsers(
      db,
      users.map((u) => u.id),
    );
    const ids = [...new Set([...byUser.values()].flat())];
    const groups = ids.length
      ? await db.selectFrom('groups').selectAll().where('id', 'in', ids).orderBy('id').execute()
      : [];
    out.groups = groups.map((g) => presentGroup(g, ctx.url));
  }
  if (wanted.has('identities')) {
    const ids = users.map((u) => u.id);
    const identities = ids.length
      ? await db.selectFrom('user_identities').selectAll().where('user_id', 'in', ids).orderBy('id').execute()
      : [];
    out.identities = identities.map((i) => presentIdentity(i, ctx.url));
  }
  return out;
}

async function listResponse(ctx: Ctx, page: Page<UserRow>, path: string, include: string | undefined) {
  const body = listBody(ctx, 'users', page, path, (u) => present(ctx, u));
  return { ...body, ...(await sideload(ctx, ctx.db, page.rows, include)) };
}

async function loadVisibleUser(ctx: Ctx, id: number): Promise<UserRow> {
  const user = await findUser(ctx.db, id);
  if (!user || !userPolicy.canView(ctx.actor, user)) throw notFound();
  return user;
}

export const userRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v2/users/me',
    auth: 'end_user',
    tags,
    summary: 'The signed-in user',
    query: includeQuery,
    handler: async (ctx) => {
      const snapshot = ctx.actor.snapshot;
      const user = snapshot ? userFromSnapshot(snapshot) : await findUser(ctx.db, ctx.actor.userId);
      if (!user) throw new HavenError('CS_AUTH_REQUIRED');
      const body: Record<string, unknown> = { user: presentUser(user, ctx.url) };
      // The session's CSRF token, as Zendesk's `authenticity_token`, for clients that use the cookie.
      if (ctx.actor.csrfToken)
        (body.user as Record<string, unknown>).authenticity_token = ctx.actor.csrfToken;
      return respond(200, { ...body, ...(await sideload(ctx, ctx.db, [user], ctx.query.include)) });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/users',
    auth: 'agent',
    tags,
    summary: 'List users (filter by role)',
    query: listUsersQuery,
    handler: async (ctx) => {
      const roleList = ctx.query['role[]'];
      const roles = roleList
        ? Array.isArray(roleList)
          ? roleList
          : [roleList]
        : ctx.query.role
          ? [ctx.query.role]
          : undefined;
      const page = await listUsers(ctx.db, { roles, externalId: ctx.query.external_id }, ctx.query);
      return respond(200, await listResponse(ctx, page, '/api/v2/users.json', ctx.query.include));
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/users/search',
    auth: 'agent',
    tags,
    summary: 'Search users by query (email:, name:, role:, external_id:, tags:, or free text) or external_id',
    query: searchUsersQuery,
    handler: async (ctx) => {
      if (!ctx.query.query && ctx.query.external_id === undefined) {
        throw new HavenError('CS_BAD_REQUEST', { description: 'Give query or external_id' });
      }
      const page = await searchUsers(ctx.db, ctx.query.query, ctx.query.external_id, ctx.query);
      return respond(200, await listResponse(ctx, page, '/api/v2/users/search.json', ctx.query.include));
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/users/show_many',
    auth: 'agent',
    tags,
    summary: 'Show several users by ids or external_ids',
    query: showManyQuery,
    handler: async (ctx) => {
      const ids = parseIdList(ctx.query.ids);
      const externalIds = parseCsv(ctx.query.external_ids);
      if (ids.length > 100 || externalIds.length > 100) {
        throw new HavenError('CS_BAD_REQUEST', { description: 'At most 100 ids at once' });
      }
      const users = ids.length
        ? await findUsersByIds(ctx.db, ids)
        : await findUsersByExternalIds(ctx.db, externalIds);
      return respond(200, {
        users: users.map((u) => present(ctx, u)),
        ...(await sideload(ctx, ctx.db, users, ctx.query.include)),
      });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/users/:id',
    auth: 'end_user',
    tags,
    summary: 'Show a user',
    params: idParams,
    query: includeQuery,
    handler: async (ctx) => {
      const user = await loadVisibleUser(ctx, ctx.params.id);
      return respond(200, {
        user: present(ctx, user),
        ...(await sideload(ctx, ctx.db, [user], ctx.query.include)),
      });
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v2/users',
    auth: 'agent',
    tags,
    summary: 'Create a user (end-user unless role says otherwise)',
    body: createUserBody,
    handler: async (ctx) => {
      const user = await createUser(commandContext(ctx), ctx.body.user);
      return created('user', presentUser(user, ctx.url));
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v2/users/create_or_update',
    auth: 'agent',
    tags,
    summary: 'Create a user, or update the one with the same email or external_id',
    body: createOrUpdateUserBody,
    handler: async (ctx) => {
      const result = await createOrUpdateUser(commandContext(ctx), ctx.body.user);
      return created('user', presentUser(result.user, ctx.url), result.created);
    },
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v2/users/:id',
    auth: 'end_user',
    tags,
    summary: 'Update a user',
    params: idParams,
    body: updateUserBody,
    handler: async (ctx) => {
      const user = await updateUser(commandContext(ctx), ctx.params.id, ctx.body.user);
      return respond(200, { user: present(ctx, user) });
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v2/users/:id',
    auth: 'agent',
    tags,
    summary: 'Delete (deactivate) a user',
    params: idParams,
    handler: async (ctx) => {
      const user = await deleteUser(commandContext(ctx), ctx.params.id);
      return respond(200, { user: presentUser(user, ctx.url) });
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v2/users/:id/password',
    auth: 'admin',
    tags,
    summary: "Set a user's password (admins)",
    params: idParams,
    body: setPasswordBody,
    handler: async (ctx) => {
      await setPassword(
        { ...commandContext(ctx), actor: ctx.actor },
        ctx.params.id,
        ctx.body.password,
        undefined,
      );
      return respond(200, {});
    },
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v2/users/:id/password',
    auth: 'end_user',
    tags,
    summary: 'Change your own password (needs previous_password)',
    params: idParams,
    body: setPasswordBody,
    handler: async (ctx) => {
      if (ctx.params.id !== ctx.actor.userId) throw notFound();
      await setPassword(
        { ...commandContext(ctx), actor: ctx.actor },
        ctx.params.id,
        ctx.body.password,
        ctx.body.previous_password,
      );
      return respond(200, {});
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/users/:id/identities',
    auth: 'end_user',
    tags,
    summary: "List a user's email and phone identities",
    params: idParams,
    handler: async (ctx) => {
      const user = await loadVisibleUser(ctx, ctx.params.id);
      const identities = await listIdentities(ctx.db, user.id);
      return respond(200, {
        identities: identities.map((i) => presentIdentity(i, ctx.url)),
        next_page: null,
        previous_page: null,
        count: identities.length,
      });
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v2/users/:id/identities',
    auth: 'agent',
    tags,
    summary: 'Add an email or phone identity',
    params: idParams,
    body: identityBody,
    handler: async (ctx) => {
      const identity = await addIdentity(commandContext(ctx), ctx.params.id, ctx.body.identity);
      return respond(201, { identity: presentIdentity(identity, ctx.url) });
    },
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v2/users/:id/identities/:identity_id/make_primary',
    auth: 'agent',
    tags,
    summary: 'Make an identity the primary one of its type',
    params: identityParams,
    handler: async (ctx) => {
      await loadVisibleUser(ctx, ctx.params.id);
      await makeIdentityPrimary(commandContext(ctx), ctx.params.id, ctx.params.identity_id);
      const identities = await listIdentities(ctx.db, ctx.params.id);
      return respond(200, { identities: identities.map((i) => presentIdentity(i, ctx.url)) });
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v2/users/:id/identities/:identity_id',
    auth: 'agent',
    tags,
    summary: 'Delete a non-primary identity',
    params: identityParams,
    handler: async (ctx) => {
      await loadVisibleUser(ctx, ctx.params.id);
      await deleteIdentity(commandContext(ctx), ctx.params.id, ctx.params.identity_id);
      return respond(204);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/users/:id/group_memberships',
    auth: 'agent',
    tags,
    summary: "List a user's group memberships",
    params: idParams,
    handler: async (ctx) => {
      await loadVisibleUser(ctx, ctx.params.id);
      const rows = await ctx.db
        .selectFrom('group_memberships')
        .selectAll()
        .where('user_id', '=', ctx.params.id)
        .orderBy('id')
        .execute();
      return respond(200, {
        group_memberships: rows.map((m) => presentGroupMembership(m, ctx.url)),
        next_page: null,
        previous_page: null,
        count: rows.length,
      });
    },
  }),
];
