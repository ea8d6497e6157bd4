import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  hasChromium,
  requireChromium,
  shoot,
  startWorkspace,
  type Workspace,
  watchConsole,
} from './support.ts';

/**
 * Search results, customers and organizations in the agent workspace, against a real `haven serve`: the
 * global search box with Zendesk syntax, an invalid query explained beside the field, a customer's profile
 * edited (a bad email keeps the other edits), their tickets, an organization's people and tickets, and adding
 * a customer and an organization. Screenshots of each screen go to test-artifacts/.
 */

let ws: Workspace | null = null;

interface Seeded {
  orgId: number;
  graceId: number;
  linusId: number;
  openTicket: number;
  solvedTicket: number;
  ccTicket: number;
}
let seeded: Seeded;

before(async () => {
  if (!hasChromium) return;
  ws = await startWorkspace('crm');
  const api = ws.api;
  const { user: admin } = await api('GET', '/api/v2/users/me');
  const { organization } = await api('POST', '/api/v2/organizations', {
    organization: {
      name: 'Quillfield Press',
      domain_names: ['quillfield.example'],
      tags: ['print'],
      details: '12 Harbour Row',
    },
  });
  const { user: grace } = await api('POST', '/api/v2/users', {
    user: {
      name: 'Grace Quill',
      email: 'grace@quillfield.example',
      phone: '+44 20 7946 0000',
      organization_id: organization.id,
    },
  });
  const { user: linus } = await api('POST', '/api/v2/users', {
    user: { name: 'Linus Inkwell', email: 'linus@inkwell.example' },
  });
  const ticket = async (body: Record<string, unknown>) =>
    (await api('POST', '/api/v2/tickets', { ticket: body })).ticket.id as number;
  const openTicket = await ticket({
    subject: 'Quill printer jams on tray two',
    comment: { body: 'Every second page jams since Monday.' },
    requester_id: grace.id,
  });
  const solvedTicket = await ticket({
    subject: 'Quill toner replaced',
    comment: { body: 'The toner is in; thanks.' },
    requester_id: grace.id,
    assignee_id: admin.id,
    status: 'solved',
  });
  const ccTicket = await ticket({
    subject: 'Ink delivery schedule',
    comment: { body: 'When does the next pallet arrive?' },
    requester_id: linus.id,
    collaborator_ids: [grace.id],
  });
  seeded = {
    orgId: organization.id,
    graceId: grace.id,
    linusId: linus.id,
    openTicket,
    solvedTicket,
    ccTicket,
  };
});

after(async () => {
  await ws?.stop();
});

/** Chromium logs every 4xx answer to fetch; these are the ones the flows below provoke on purpose. */
const EXPECTED_ERRORS = [
  /status of 400 \(Bad Request\) \(.*\/api\/v2\/search\/count\?/,
  /status of 422 \(Unprocessable (Entity|Content)\) \(.*\/api\/v2\/users(\/\d+)?\)/,
];

async function tabCount(page: Page, name: string): Promise<string> {
  return (
    (await page
      .getByRole('tab', { name: new RegExp(`^${name}`) })
      .locator('.tab-count')
      .textContent()) ?? ''
  );
}

test('search from the global box, switch tabs, and an invalid query', { timeout: 120_000 }, async (t) => {
  if (!requireChromium(t)) return;
  const { page } = await ws!.signedIn(ws!.adminEmail);
  const problems = watchConsole(page, EXPECTED_ERRORS);

  await page.getByLabel('Search tickets, people and organizations').fill('status<solved quill');
  await page.getByLabel('Search tickets, people and organizations').press('Enter');
  await page.waitForURL(/\/agent\/search\?q=status%3Csolved(\+|%20)quill/);
  await page.getByRole('heading', { name: 'Search: status<solved quill' }).waitFor();
  const tickets = page.getByRole('tabpanel');
  await tickets.getByRole('link', { name: 'Quill printer jams on tray two' }).waitFor();
  assert.equal(await page.getByRole('tab', { name: /^Tickets/ }).getAttribute('aria-selected'), 'true');
  assert.equal(
    await tickets.getByRole('link', { name: 'Quill toner replaced' }).count(),
    0,
    'solved is left out',
  );
  assert.equal(await tabCount(page, 'Tickets'), '1');
  assert.equal(await tabCount(page, 'People'), '0', 'status applies to tickets only');
  assert.equal(
    await tickets.getByRole('link', { name: 'Quill printer jams on tray two' }).getAttribute('href'),
    `/agent/tickets/${seeded.openTicket}`,
  );
  await shoot(page, 'customers-1-search-tickets');

  // The page's own field holds the query; a new one replaces it in the URL.
  const field = page.getByLabel('Search', { exact: true });
  assert.equal(await field.inputValue(), 'status<solved quill');
  await field.fill('quill');
  await field.press('Enter');
  await page.waitForURL(/\/agent\/search\?q=quill$/);
  await page.getByRole('heading', { name: 'Search: quill' }).waitFor();
  await page.getByRole('tabpanel').getByRole('link', { name: 'Quill toner replaced' }).waitFor();
  assert.equal(await tabCount(page, 'Tickets'), '2');
  assert.equal(await tabCount(page, 'People'), '1');

  await page.getByRole('tab', { name: /^People/ }).click();
  await page.waitForURL(/type=user/);
  const people = page.getByRole('tabpanel');
  await people.getByRole('link', { name: 'Grace Quill' }).waitFor();
  assert.equal(
    await people.getByRole('link', { name: 'Grace Quill' }).getAttribute('href'),
    `/agent/users/${seeded.graceId}`,
  );
  assert.equal(await people.getByRole('link', { name: 'Quill printer jams on tray two' }).count(), 0);
  await people.getByRole('link', { name: 'Quillfield Press' }).waitFor();
  await shoot(page, 'customers-2-search-people');

  // Arrow keys move between tabs (and their results follow).
  await page.getByRole('tab', { name: /^People/ }).press('ArrowLeft');
  await page.waitForURL(/type=ticket/);
  await page.getByRole('tabpanel').getByRole('link', { name: 'Quill printer jams on tray two' }).waitFor();

  // A query Haven cannot run is explained beside the field, in the server's words.
  await field.fill('nosuchfield:x');
  await field.press('Enter');
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match((await alert.textContent()) ?? '', /That search cannot run: "nosuchfield" is not a field/);
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByRole('tablist').count(), 0);
  await shoot(page, 'customers-3-search-invalid');

  assert.deepEqual(problems, []);
});

test('a customer: list, filter, edit with a bad email, their tickets', { timeout: 120_000 }, async (t) => {
  if (!requireChromium(t)) return;
  const { page } = await ws!.signedIn(ws!.adminEmail);
  const problems = watchConsole(page, EXPECTED_ERRORS);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Customers' }).click();
  await page.getByRole('heading', { name: 'Customers' }).waitFor();
  const table = page.getByRole('table', { name: 'Customers' });
  await table.getByRole('link', { name: 'Grace Quill' }).waitFor();
  await table.getByRole('link', { name: 'Linus Inkwell' }).waitFor();
  assert.equal(await table.getByRole('link', { name: 'Ada Admin' }).count(), 0, 'agents are not customers');
  await shoot(page, 'customers-4-list');

  await page.getByLabel('Filter customers').fill('inkwell');
  await page.waitForURL(/filter=inkwell/);
  await table.getByRole('link', { name: 'Grace Quill' }).waitFor({ state: 'detached' });
  await table.getByRole('link', { name: 'Linus Inkwell' }).waitFor();
  await page.getByLabel('Filter customers').fill('');
  await table.getByRole('link', { name: 'Grace Quill' }).click();

  await page.waitForURL(`**/agent/users/${seeded.graceId}`);
  await page.getByRole('heading', { name: 'Grace Quill', level: 1 }).waitFor();
  const tickets = page.getByRole('tabpanel');
  await tickets.getByRole('link', { name: 'Quill printer jams on tray two' }).waitFor();
  await tickets.getByRole('link', { name: 'Quill toner replaced' }).waitFor();
  assert.equal(await tabCount(page, 'Requested'), '2');
  assert.equal(await tabCount(page, 'CC’d'), '1');
  await shoot(page, 'customers-5-user');
  await page.getByRole('tab', { name: /^CC’d/ }).click();
  await tickets.getByRole('link', { name: 'Ink delivery schedule' }).waitFor();
  assert.equal(
    await tickets.getByRole('link', { name: 'Ink delivery schedule' }).getAttribute('href'),
    `/agent/tickets/${seeded.ccTicket}`,
  );
  await tickets.getByRole('link', { name: 'Linus Inkwell' }).waitFor();

  // Edit the phone.
  await page.getByRole('button', { name: 'Edit profile' }).click();
  await page.getByLabel('Phone').fill('+1 555 0100 200');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').filter({ hasText: 'Profile saved.' }).waitFor();
  const afterPhone = (await ws!.api('GET', `/api/v2/users/${seeded.graceId}`)).user;
  assert.equal(afterPhone.phone, '+1 555 0100 200');
  assert.equal(afterPhone.email, 'grace@quillfield.example', 'fields left alone are not sent');

  // A bad email is explained beside the field; the other edits stay, also across a reload (a draft).
  await page.getByRole('button', { name: 'Edit profile' }).click();
  await page.getByLabel('Notes').fill('Prefers a phone call to email.');
  await page.getByLabel('Tags').fill('vip print');
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByRole('button', { name: 'Save' }).click();
  const email = page.getByLabel('Email');
  await page.getByText('Email is not a valid email address').waitFor();
  assert.equal(await email.getAttribute('aria-invalid'), 'true');
  const describedBy = (await email.getAttribute('aria-describedby')) ?? '';
  assert.match(
    (await page.locator(`[id="${describedBy.split(' ').at(-1)}"]`).textContent()) ?? '',
    /not a valid email address/,
  );
  assert.equal(await page.getByLabel('Notes').inputValue(), 'Prefers a phone call to email.');
  await shoot(page, 'customers-6-user-bad-email');
  // The draft is written a moment after the last keystroke.
  await page.waitForFunction(() =>
    Object.keys(localStorage).some(
      (key) => key.startsWith('haven:draft:') && localStorage.getItem(key)?.includes('not-an-email'),
    ),
  );
  await page.reload();
  await page.getByLabel('Email').waitFor();
  assert.equal(await page.getByLabel('Email').inputValue(), 'not-an-email');
  assert.equal(await page.getByLabel('Notes').inputValue(), 'Prefers a phone call to email.');
  assert.equal(await page.getByLabel('Tags').inputValue(), 'vip print');
  const unchanged = (await ws!.api('GET', `/api/v2/users/${seeded.graceId}`)).user;
  assert.equal(unchanged.notes, null, 'nothing was written by the failed save');

  await page.getByLabel('Email').fill('grace.quill@quillfield.example');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').filter({ hasText: 'Profile saved.' }).waitFor();
  const saved = (await ws!.api('GET', `/api/v2/users/${seeded.graceId}`)).user;
  assert.equal(saved.email, 'grace.quill@quillfield.example');
  assert.equal(saved.notes, 'Prefers a phone call to email.');
  assert.deepEqual(saved.tags.sort(), ['print', 'vip']);
  await page.getByText('grace.quill@quillfield.example').first().waitFor();

  // Dark theme, same screen.
  await page.emulateMedia({ colorScheme: 'dark' });
  await shoot(page, 'customers-7-user-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  assert.deepEqual(problems, []);
});

test('an organization: people, tickets and edit', { timeout: 120_000 }, async (t) => {
  if (!requireChromium(t)) return;
  const { page } = await ws!.signedIn(ws!.adminEmail);
  const problems = watchConsole(page, EXPECTED_ERRORS);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organizations' }).click();
  await page.getByRole('heading', { name: 'Organizations', level: 1 }).waitFor();
  await page
    .getByRole('table', { name: 'Organizations' })
    .getByRole('link', { name: 'Quillfield Press' })
    .click();
  await page.waitForURL(`**/agent/organizations/${seeded.orgId}`);
  await page.getByRole('heading', { name: 'Quillfield Press', level: 1 }).waitFor();
  const people = page.getByRole('table', { name: 'People' });
  await people.getByRole('link', { name: 'Grace Quill' }).waitFor();
  const tickets = page.getByRole('table', { name: 'Tickets' });
  await tickets.getByRole('link', { name: 'Quill printer jams on tray two' }).waitFor();
  await tickets.getByRole('link', { name: 'Quill toner replaced' }).waitFor();
  assert.equal(await tickets.getByRole('link', { name: 'Ink delivery schedule' }).count(), 0);
  await shoot(page, 'customers-8-organization');

  await page.getByRole('button', { name: 'Edit organization' }).click();
  await page.getByLabel('Domains').fill('quillfield.example not_a_domain');
  await page.getByLabel('Details').fill('14 Harbour Row, second floor');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('“not_a_domain” is not a domain name').waitFor();
  assert.equal(await page.getByLabel('Details').inputValue(), '14 Harbour Row, second floor');
  await page.getByLabel('Domains').fill('quillfield.example quillfield.test');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').filter({ hasText: 'Organization saved.' }).waitFor();
  const org = (await ws!.api('GET', `/api/v2/organizations/${seeded.orgId}`)).organization;
  assert.deepEqual(org.domain_names, ['quillfield.example', 'quillfield.test']);
  assert.equal(org.details, '14 Harbour Row, second floor');

  // Tablet width.
  await page.setViewportSize({ width: 820, height: 1000 });
  await shoot(page, 'customers-9-organization-tablet');

  assert.deepEqual(
    problems.filter((p) => !/status of 422 .*\/api\/v2\/organizations\/\d+\)/.test(p)),
    [],
  );
});

test('add a customer and an organization', { timeout: 120_000 }, async (t) => {
  if (!requireChromium(t)) return;
  const { page } = await ws!.signedIn(ws!.adminEmail);
  const problems = watchConsole(page, [...EXPECTED_ERRORS, /status of 422 .*\/api\/v2\/organizations\)/]);

  await page.goto(`${ws!.baseUrl}/agent/customers`);
  await page.getByRole('button', { name: 'Add customer' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add customer' });
  await dialog.getByLabel('Name').fill('Margaret Ledger');
  await dialog.getByLabel('Email').fill('linus@inkwell.example');
  await dialog.getByLabel('Phone').fill('+1 555 0199');
  await dialog.getByLabel('Organization').fill('Quillfield Press');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await dialog.getByText(/already being used by another user/).waitFor();
  assert.equal(await dialog.getByLabel('Email').getAttribute('aria-invalid'), 'true');
  assert.equal(await dialog.getByLabel('Name').inputValue(), 'Margaret Ledger');
  await shoot(page, 'customers-10-add-customer-error');
  await dialog.getByLabel('Email').fill('margaret@ledger.example');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('heading', { name: 'Margaret Ledger', level: 1 }).waitFor();
  const id = Number(new URL(page.url()).pathname.split('/').pop());
  const margaret = (await ws!.api('GET', `/api/v2/users/${id}`)).user;
  assert.equal(margaret.email, 'margaret@ledger.example');
  assert.equal(margaret.role, 'end-user');
  assert.equal(margaret.organization_id, seeded.orgId);
  assert.equal(margaret.phone, '+1 555 0199');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organizations' }).click();
  await page.getByRole('button', { name: 'Add organization' }).click();
  const orgDialog = page.getByRole('dialog', { name: 'Add organization' });
  await orgDialog.getByLabel('Name').fill('Quillfield Press');
  await orgDialog.getByLabel('Domains').fill('ledger.example');
  await orgDialog.getByRole('button', { name: 'Create' }).click();
  await orgDialog.getByText('Name has already been taken').waitFor();
  assert.equal(await orgDialog.getByLabel('Name').getAttribute('aria-invalid'), 'true');
  await shoot(page, 'customers-11-add-organization-error');
  await orgDialog.getByLabel('Name').fill('Ledger & Sons');
  await orgDialog.getByLabel('Tags').fill('books');
  await orgDialog.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('heading', { name: 'Ledger & Sons', level: 1 }).waitFor();
  const orgId = Number(new URL(page.url()).pathname.split('/').pop());
  const org = (await ws!.api('GET', `/api/v2/organizations/${orgId}`)).organization;
  assert.deepEqual(org.domain_names, ['ledger.example']);
  assert.deepEqual(org.tags, ['books']);
  await shoot(page, 'customers-12-new-organization');

  // The filter on the organizations page finds it by the start of its name.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organizations' }).click();
  await page.getByLabel('Filter organizations by name').fill('ledg');
  const table = page.getByRole('table', { name: 'Organizations' });
  await table.getByRole('link', { name: 'Quillfield Press' }).waitFor({ state: 'detached' });
  await table.getByRole('link', { name: 'Ledger & Sons' }).waitFor();
  await shoot(page, 'customers-13-organizations');

  assert.deepEqual(problems, []);
});

test('long lists page through next and previous', { timeout: 120_000 }, async (t) => {
  if (!requireChromium(t)) return;
  // One after another, so ids (the list's order) follow the numbers.
  for (let i = 1; i <= 27; i++) {
    await ws!.api('POST', '/api/v2/users', {
      user: { name: `Pager Person ${String(i).padStart(2, '0')}`, email: `pager${i}@pages.example` },
    });
  }
  const { page } = await ws!.signedIn(ws!.adminEmail);
  const problems = watchConsole(page, EXPECTED_ERRORS);

  await page.goto(`${ws!.baseUrl}/agent/customers?filter=pager`);
  const table = page.getByRole('table', { name: 'Customers' });
  await page.getByText('27 customers').waitFor();
  assert.equal(await page.getByLabel('Filter customers').inputValue(), 'pager');
  await table.getByRole('link', { name: 'Pager Person 27' }).waitFor();
  assert.equal(await table.getByRole('row').count(), 1 + 25);
  const pager = page.getByRole('navigation', { name: 'Customers' });
  assert.equal(await pager.getByRole('button', { name: /Previous page/ }).isDisabled(), true);
  await pager.getByRole('button', { name: /Next page/ }).click();
  await page.waitForURL(/page=2/);
  await table.getByRole('link', { name: 'Pager Person 01' }).waitFor();
  assert.equal(await table.getByRole('row').count(), 1 + 2);
  assert.equal(await pager.getByRole('button', { name: /Next page/ }).isDisabled(), true);
  await shoot(page, 'customers-14-page-two');
  await pager.getByRole('button', { name: /Previous page/ }).click();
  await table.getByRole('link', { name: 'Pager Person 27' }).waitFor();

  // Search results page the same way, within their tab.
  await page.goto(`${ws!.baseUrl}/agent/search?q=pager`);
  const results = page.getByRole('tabpanel');
  assert.equal(await tabCount(page, 'People'), '27');
  await results.getByRole('table').getByRole('row').nth(25).waitFor();
  const firstPage = await results.getByRole('table').getByRole('row').count();
  assert.equal(firstPage, 1 + 25);
  await results.getByRole('button', { name: /Next page/ }).click();
  await page.waitForURL(/page=2/);
  await results.getByRole('table').getByRole('row').nth(2).waitFor();
  await results.getByRole('table').getByRole('row').nth(3).waitFor({ state: 'detached' });

  assert.deepEqual(problems, []);
});
