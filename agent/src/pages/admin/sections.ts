import { type ComponentType, type LazyExoticComponent, lazy } from 'react';
import type { MessageKey } from '../../i18n/index.ts';

/**
 * The settings sections, in the order the left-hand list shows them.
 *
 * A capability plugs its settings in by adding ONE entry here and nothing else: the layout, the list, the
 * URL (`/agent/admin/{id}`) and the admin check come from this registry. For example the email channel
 * adds `{ id: 'support-addresses', group: 'channels', title: 'admin.sections.supportAddresses', … }`, the
 * chat widget `{ id: 'chat-widget', group: 'channels', … }` and privacy `{ id: 'privacy', group: 'privacy',
 * … }`, each with its title in i18n/en/admin.ts and its component in this folder (or its own feature
 * folder). Groups without a section are not shown, so nothing appears for a capability that is not built.
 *
 * Each component is its own lazily loaded chunk: opening the account settings does not load the view
 * editor.
 */
export type SectionGroup = 'account' | 'people' | 'tickets' | 'rules' | 'channels' | 'privacy' | 'developers';

export const SECTION_GROUPS: { id: SectionGroup; title: MessageKey }[] = [
  { id: 'account', title: 'admin.nav.account' },
  { id: 'people', title: 'admin.nav.people' },
  { id: 'tickets', title: 'admin.nav.tickets' },
  { id: 'rules', title: 'admin.nav.rules' },
  { id: 'channels', title: 'admin.nav.channels' },
  { id: 'privacy', title: 'admin.nav.privacy' },
  { id: 'developers', title: 'admin.nav.developers' },
];

export interface AdminSection {
  /** The URL segment: /agent/admin/{id}. */
  id: string;
  group: SectionGroup;
  title: MessageKey;
  component: LazyExoticComponent<ComponentType>;
  /** Sections agents may also open (none yet); the rest show "only admins" to agents. */
  adminOnly: boolean;
}

export const ADMIN_SECTIONS: AdminSection[] = [
  {
    id: 'account',
    group: 'account',
    title: 'admin.sections.account',
    component: lazy(() => import('./AccountSection.tsx')),
    adminOnly: true,
  },
  {
    id: 'team',
    group: 'people',
    title: 'admin.sections.team',
    component: lazy(() => import('./TeamSection.tsx')),
    adminOnly: true,
  },
  {
    id: 'groups',
    group: 'people',
    title: 'admin.sections.groups',
    component: lazy(() => import('./GroupsSection.tsx')),
    adminOnly: true,
  },
  {
    id: 'ticket-fields',
    group: 'tickets',
    title: 'admin.sections.ticketFields',
    component: lazy(() => import('./TicketFieldsSection.tsx')),
    adminOnly: true,
  },
  {
    id: 'views',
    group: 'tickets',
    title: 'admin.sections.views',
    component: lazy(() => import('./ViewsSection.tsx')),
    adminOnly: true,
  },
  {
    id: 'macros',
    group: 'tickets',
    title: 'admin.sections.macros',
    component: lazy(() => import('./MacrosSection.tsx')),
    adminOnly: true,
  },
  {
    id: 'satisfaction',
    group: 'tickets',
    title: 'admin.sections.satisfaction',
    component: lazy(() => import('./SatisfactionSection.tsx')),
    adminOnly: true,
  },
  {
    id: 'triggers',
    group: 'rules',
    title: 'admin.sections.triggers',
    component: lazy(() => import('./TriggersSection.tsx')),
    adminOnly: true,
  },
  {
    id: 'automations',
    group: 'rules',
    title: 'admin.sections.automations',
    component: lazy(() => import('./AutomationsSection.tsx')),
    adminOnly: true,
  },
  {
    id: 'sla',
    group: 'rules',
    title: 'admin.sections.sla',
    component: lazy(() => import('./SlaSection.tsx')),
    adminOnly: true,
  },
  {
    id: 'business-hours',
    group: 'rules',
    title: 'admin.sections.businessHours',
    component: lazy(() => import('./BusinessHoursSection.tsx')),
    adminOnly: true,
  },
  {
    id: 'email-addresses',
    group: 'channels',
    title: 'email.sections.addresses',
    component: lazy(() => import('./email/AddressesSection.tsx')),
    adminOnly: true,
  },
  {
    id: 'email-mailboxes',
    group: 'channels',
    title: 'email.sections.mailboxes',
    component: lazy(() => import('./email/MailboxesSection.tsx')),
    adminOnly: true,
  },
  {
    id: 'email-outgoing',
    group: 'channels',
    title: 'email.sections.outgoing',
    component: lazy(() => import('./email/OutgoingSection.tsx')),
    adminOnly: true,
  },
  {
    id: 'email-templates',
    group: 'channels',
    title: 'email.sections.templates',
    component: lazy(() => import('./email/TemplatesSection.tsx')),
    adminOnly: true,
  },
  {
    id: 'email-suspended',
    group: 'channels',
    title: 'email.sections.suspended',
    component: lazy(() => import('./email/SuspendedSection.tsx')),
    adminOnly: true,
  },
  {
    id: 'email-log',
    group: 'channels',
    title: 'email.sections.log',
    component: lazy(() => import('./email/LogSection.tsx')),
    adminOnly: true,
  },
  {
    id: 'api-tokens',
    group: 'developers',
    title: 'admin.sections.apiTokens',
    component: lazy(() => import('./ApiTokensSection.tsx')),
    adminOnly: true,
  },
  {
    id: 'webhooks',
    group: 'developers',
    title: 'admin.sections.webhooks',
    component: lazy(() => import('./WebhooksSection.tsx')),
    adminOnly: true,
  },
];
