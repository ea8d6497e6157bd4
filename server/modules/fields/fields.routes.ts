import type { ZodType } from 'zod';
import {
  type AuthMode,
  commandContext,
  created,
  defineRoute,
  type HandlerContext,
  listBody,
  type RouteSpec,
  respond,
} from '../../platform/http/define-route.ts';
import { notFound } from '../../platform/http/errors.ts';
import {
  createField,
  deleteField,
  deleteFieldOption,
  saveFieldOption,
  updateField,
} from './fields.commands.ts';
import { fieldPolicy } from './fields.policy.ts';
import { FIELD_RESOURCES, presentField, presentFieldOption } from './fields.presenter.ts';
import {
  type FieldRow,
  type FieldWithOptions,
  findField,
  findOption,
  listFields,
  listOptions,
  withOptions,
} from './fields.queries.ts';
import {
  createOrganizationFieldBody,
  createTicketFieldBody,
  createUserFieldBody,
  type FieldRef,
  fieldParams,
  listFieldsQuery,
  saveOptionBody,
  updateOrganizationFieldBody,
  updateTicketFieldBody,
  updateUserFieldBody,
} from './fields.schema.ts';
import type { FieldKind } from './fields.tables.ts';

type Ctx = HandlerContext<any, any, any>;

const LABELS: Record<FieldKind, { label: string; tag: string }> = {
  ticket: { label: 'ticket field', tag: 'Ticket fields' },
  user: { label: 'user field', tag: 'User fields' },
  organization: { label: 'organization field', tag: 'Organization fields' },
};

/**
 * The same nine routes for each kind of field: the fields themselves, and the options of drop-down and
 * multi-select fields. Ticket fields are readable by end-users (only those shown in the help center);
 * user and organization fields by agents. Writes are for admins.
 */
function fieldRoutesFor(kind: FieldKind, bodies: { create: ZodType; update: ZodType }): RouteSpec[] {
  const { path, one } = FIELD_RESOURCES[kind];
  const { label, tag } = LABELS[kind];
  const base = `/api/v2/${path}`;
  const parent = `${kind}_field_id`;
  const params = fieldParams(kind);
  const readAuth: AuthMode = kind === 'ticket' ? 'end_user' : 'agent';
  const tags = [tag];

  async function visibleField(ctx: Ctx, ref: FieldRef): Promise<FieldRow> {
    const field = await findField(ctx.db, kind, ref);
    if (!field || !fieldPolicy.canView(ctx.actor, field)) throw notFound();
    return field;
  }
  const present = (ctx: Ctx) => (f: FieldWithOptions) => presentField(f, ctx.url);

  return [
    defineRoute({
      method: 'GET',
      url: base,
      auth: readAuth,
      tags,
      summary: `List ${label}s`,
      query: listFieldsQuery,
      handler: async (ctx) => {
        const page = await listFields(ctx.db, kind, ctx.query, { portalOnly: ctx.actor.role === 'end-user' });
        const withOpts = { ...page, rows: await withOptions(ctx.db, page.rows) };
        return respond(200, listBody(ctx, path, withOpts, `${base}.json`, present(ctx)));
      },
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/:id`,
      auth: readAuth,
      tags,
      summary: `Show a ${label}`,
      params: params.field,
      handler: async (ctx) => {
        const field = await visibleField(ctx, ctx.params.id);
        const [shown] = await withOptions(ctx.db, [field]);
        return respond(200, { [one]: presentField(shown!, ctx.url) });
      },
    }),
    defineRoute({
      method: 'POST',
      url: base,
      auth: 'admin',
      tags,
      summary: `Create a ${label}`,
      body: bodies.create,
      handler: async (ctx) => {
        const field = await createField(commandContext(ctx), kind, (ctx.body as any)[one]);
        return created(one, presentField(field, ctx.url));
      },
    }),
    defineRoute({
      method: 'PUT',
      url: `${base}/:id`,
      auth: 'admin',
      tags,
      summary: `Update a ${label}; custom_field_options, when given, replace the options`,
      params: params.field,
      body: bodies.update,
      handler: async (ctx) => {
        const field = await updateField(commandContext(ctx), kind, ctx.params.id, (ctx.body as any)[one]);
        return respond(200, { [one]: presentField(field, ctx.url) });
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: `${base}/:id`,
      auth: 'admin',
      tags,
      summary: `Delete a custom ${label} and its options`,
      params: params.field,
      handler: async (ctx) => {
        await deleteField(commandContext(ctx), kind, ctx.params.id);
        return respond(204);
      },
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/:${parent}/options`,
      auth: readAuth,
      tags,
      summary: `List the options of a drop-down or multi-select ${label}`,
      params: params.options,
      query: listFieldsQuery,
      handler: async (ctx) => {
        const field = await visibleField(ctx, (ctx.params as any)[parent]);
        const page = await listOptions(ctx.db, field.id, ctx.query);
        const listPath = `${base}/${field.id}/options.json`;
        return respond(
          200,
          listBody(ctx, 'custom_field_options', page, listPath, (o) => presentFieldOption(field, o, ctx.url)),
        );
      },
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/:${parent}/options/:id`,
      auth: readAuth,
      tags,
      summary: `Show an option of a ${label}`,
      params: params.option,
      handler: async (ctx) => {
        const field = await visibleField(ctx, (ctx.params as any)[parent]);
        const option = await findOption(ctx.db, field.id, (ctx.params as any).id);
        if (!option) throw notFound();
        return respond(200, { custom_field_option: presentFieldOption(field, option, ctx.url) });
      },
    }),
    defineRoute({
      method: 'POST',
      url: `${base}/:${parent}/options`,
      auth: 'admin',
      tags,
      summary: `Create an option of a ${label}, or update the one named by id`,
      params: params.options,
      body: saveOptionBody,
      handler: async (ctx) => {
        const result = await saveFieldOption(
          commandContext(ctx),
          kind,
          (ctx.params as any)[parent],
          ctx.body.custom_field_option,
        );
        const shown = presentFieldOption(result.field, result.option, ctx.url);
        return created('custom_field_option', shown, result.created);
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: `${base}/:${parent}/options/:id`,
      auth: 'admin',
      tags,
      summary: `Delete an option of a ${label}`,
      params: params.option,
      handler: async (ctx) => {
        await deleteFieldOption(
          commandContext(ctx),
          kind,
          (ctx.params as any)[parent],
          (ctx.params as any).id,
        );
        return respond(204);
      },
    }),
  ];
}

export const fieldRoutes: RouteSpec[] = [
  ...fieldRoutesFor('ticket', { create: createTicketFieldBody, update: updateTicketFieldBody }),
  ...fieldRoutesFor('user', { create: createUserFieldBody, update: updateUserFieldBody }),
  ...fieldRoutesFor('organization', {
    create: createOrganizationFieldBody,
    update: updateOrganizationFieldBody,
  }),
];
