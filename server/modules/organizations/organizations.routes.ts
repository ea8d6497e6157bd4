import {
  commandContext,
  created,
  defineRoute,
  type HandlerContext,
  listBody,
  respond,
} from '../../platform/http/define-route.ts';
import { HavenError, notFound } from '../../platform/http/errors.ts';
import { isoTime, parseCsv, parseIdList } from '../../platform/http/format.ts';
import { presentUser } from '../users/users.presenter.ts';
import { findUser, listUsers } from '../users/users.queries.ts';
import {
  createOrganization,
  createOrUpdateOrganization,
  deleteOrganization,
  updateOrganization,
} from './organizations.commands.ts';
import { organizationPolicy } from './organizations.policy.ts';
import { presentOrganization } from './organizations.presenter.ts';
import {
  autocompleteOrganizations,
  countOrganizations,
  findOrganization,
  findOrganizationsByExternalIds,
  findOrganizationsByIds,
  listOrganizations,
  type OrganizationRow,
  searchOrganizations,
} from './organizations.queries.ts';
import {
  autocompleteQuery,
  createOrganizationBody,
  idParams,
  listOrganizationsQuery,
  searchOrganizationsQuery,
  showManyQuery,
  updateOrganizationBody,
} from './organizations.schema.ts';

const tags = ['Organizations'];
type Ctx = HandlerContext<any, any, any>;

const presentAll = (ctx: Ctx) => (o: OrganizationRow) => presentOrganization(o, ctx.url);

export const organizationRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v2/organizations',
    auth: 'agent',
    tags,
    summary: 'List organizations',
    query: listOrganizationsQuery,
    handler: async (ctx) => {
      const page = await listOrganizations(ctx.db, ctx.query);
      return respond(
        200,
        listBody(ctx, 'organizations', page, '/api/v2/organizations.json', presentAll(ctx)),
      );
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/organizations/count',
    auth: 'agent',
    tags,
    summary: 'Count organizations',
    handler: async (ctx) => {
      const value = await countOrganizations(ctx.db);
      return respond(200, { count: { value, refreshed_at: isoTime(new Date()) } });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/organizations/show_many',
    auth: 'agent',
    tags,
    summary: 'Show several organizations by ids or external_ids',
    query: showManyQuery,
    handler: async (ctx) => {
      const ids = parseIdList(ctx.query.ids);
      const externalIds = parseCsv(ctx.query.external_ids);
      if (ids.length > 100 || externalIds.length > 100) {
        throw new HavenError('CS_BAD_REQUEST', { description: 'At most 100 ids at once' });
      }
      const orgs = ids.length
        ? await findOrganizationsByIds(ctx.db, ids)
        : await findOrganizationsByExternalIds(ctx.db, externalIds);
      return respond(200, { organizations: orgs.map(presentAll(ctx)) });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/organizations/search',
    auth: 'agent',
    tags,
    summary: 'Find organizations by exact external_id or name',
    query: searchOrganizationsQuery,
    handler: async (ctx) => {
      const { external_id: externalId, name } = ctx.query;
      if (externalId === undefined && name === undefined) {
        throw new HavenError('CS_BAD_REQUEST', { description: 'Give external_id or name' });
      }
      const page = await searchOrganizations(ctx.db, { externalId, name }, ctx.query);
      return respond(
        200,
        listBody(ctx, 'organizations', page, '/api/v2/organizations/search.json', presentAll(ctx)),
      );
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/organizations/autocomplete',
    auth: 'agent',
    tags,
    summary: 'Organizations whose name starts with the given text',
    query: autocompleteQuery,
    handler: async (ctx) => {
      const page = await autocompleteOrganizations(ctx.db, ctx.query.name, ctx.query);
      const path = '/api/v2/organizations/autocomplete.json';
      return respond(200, listBody(ctx, 'organizations', page, path, presentAll(ctx)));
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/organizations/:id',
    auth: 'end_user',
    tags,
    summary: 'Show an organization (end-users: only their own)',
    params: idParams,
    handler: async (ctx) => {
      const org = await findOrganization(ctx.db, ctx.params.id);
      if (!org) throw notFound();
      const own =
        ctx.actor.role === 'end-user'
          ? ((await findUser(ctx.db, ctx.actor.userId))?.organization_id ?? null)
          : null;
      if (!organizationPolicy.canView(ctx.actor, org, own)) throw notFound();
      return respond(200, { organization: presentOrganization(org, ctx.url) });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v2/organizations/:id/users',
    auth: 'agent',
    tags,
    summary: "List an organization's users",
    params: idParams,
    query: listOrganizationsQuery,
    handler: async (ctx) => {
      const org = await findOrganization(ctx.db, ctx.params.id);
      if (!org) throw notFound();
      const page = await listUsers(ctx.db, { organizationId: org.id }, ctx.query);
      const path = `/api/v2/organizations/${org.id}/users.json`;
      return respond(
        200,
        listBody(ctx, 'users', page, path, (u) => presentUser(u, ctx.url)),
      );
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v2/organizations',
    auth: 'admin',
    tags,
    summary: 'Create an organization',
    body: createOrganizationBody,
    handler: async (ctx) => {
      const org = await createOrganization(commandContext(ctx), ctx.body.organization);
      const shown = presentOrganization(org, ctx.url);
      return created('organization', shown);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v2/organizations/create_or_update',
    auth: 'admin',
    tags,
    summary: 'Create an organization, or update the one with the same external_id or name',
    body: updateOrganizationBody,
    handler: async (ctx) => {
      const result = await createOrUpdateOrganization(commandContext(ctx), ctx.body.organization);
      return created('organization', presentOrganization(result.organization, ctx.url), result.created);
    },
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v2/organizations/:id',
    auth: 'admin',
    tags,
    summary: 'Update an organization',
    params: idParams,
    body: updateOrganizationBody,
    handler: async (ctx) => {
      const org = await updateOrganization(commandContext(ctx), ctx.params.id, ctx.body.organization);
      return respond(200, { organization: presentOrganization(org, ctx.url) });
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v2/organizations/:id',
    auth: 'admin',
    tags,
    summary: "Delete an organization; its users' organization_id becomes null",
    params: idParams,
    handler: async (ctx) => {
      await deleteOrganization(commandContext(ctx), ctx.params.id);
      return respond(204);
    },
  }),
];
