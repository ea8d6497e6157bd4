import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  ADMIN_PASSWORD,
  requireChromium,
  shoot,
  startWorkspace,
  type Workspace,
  watchConsole,
} from './support.ts';

/**
 * The ticket screen in a real Chromium against a real `haven serve`: replying publicly, adding an internal
 * note, submitting as Pending with a new assignee, a custom field, applying a macro after previewing it, a
 * draft surviving a reload, and — with a second agent in a second browser — presence, the typing
 * indicator, an update arriving without a reload and the safe-update conflict warning. Every change is
 * checked through the API as well. A 100-comment ticket must render whole.
 */
let ws: Workspace | null = null;
let page: Page;
let problems: string[] = [];
const ids = {
  admin: 0,
  agent: 0,
  requester: 0,
  group: 0,
  orderField: 0,
  ticket: 0,
  other: 0,
  macro: 0,
};
const AGENT = { name: 'Bea Second', email: 'bea@ticket.example' };
const REQUESTER = { name: 'Carla Customer', email: 'carla@customer.example' };
const SUBJECT = 'The printer is on fire';
/** The smallest PNG there is: one transparent pixel. */
const PNG_1X1 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

async function eventually<T>(what: string, check: () => Promise<T | null | undefined | false>, ms = 15_000) {
  const until = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) assert.fail(`${what} did not happen (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function apiTicket(id: number) {
  return (await ws!.api('GET', `/api/v2/tickets/${id}`)).ticket;
}

async function apiComments(id: number): Promise<{ public: boolean; body: string; author_id: number }[]> {
  return (await ws!.api('GET', `/api/v2/tickets/${id}/comments?per_page=100`)).comments;
}

function editor(p: Page, note = false) {
  return p.getByRole('textbox', {
    name: note ? 'Internal note for agents' : 'Public reply to the requester',
  });
}

/** The conversation entry for a comment, by its kind and author. */
function commentBy(p: Page, name: string, note = false) {
  return p.getByRole('article', { name: note ? `Internal note by ${name}` : `Reply by ${name}` });
}

before(async () => {
  if (!requireChromium({ skip: () => {} })) return;
  ws = await startWorkspace('ticketpage');
  const me = await ws.api('GET', '/api/v2/users/me');
  ids.admin = me.user.id;
  ids.group = (await ws.api('POST', '/api/v2/groups', { group: { name: 'Support' } })).group.id;
  ids.agent = (
    await ws.api('POST', '/api/v2/users', { user: { name: AGENT.name, email: AGENT.email, role: 'agent' } })
  ).user.id;
  await ws.api('POST', `/api/v2/users/${ids.agent}/password`, { password: ADMIN_PASSWORD });
  for (const user of [ids.admin, ids.agent]) {
    await ws.api('POST', '/api/v2/group_memberships', {
      group_membership: { user_id: user, group_id: ids.group },
    });
  }
  const org = (await ws.api('POST', '/api/v2/organizations', { organization: { name: 'Customer Co' } }))
    .organization;
  ids.requester = (
    await ws.api('POST', '/api/v2/users', {
      user: { name: REQUESTER.name, email: REQUESTER.email, organization_id: org.id },
    })
  ).user.id;
  ids.orderField = (
    await ws.api('POST', '/api/v2/ticket_fields', { ticket_field: { type: 'text', title: 'Order number' } })
  ).ticket_field.id;
  ids.ticket = (
    await ws.api('POST', '/api/v2/tickets', {
      ticket: {
        subject: SUBJECT,
        comment: { body: 'Smoke is coming out of the paper tray.', author_id: ids.requester },
        requester_id: ids.requester,
        group_id: ids.group,
        priority: 'normal',
      },
    })
  ).ticket.id;
  ids.other = (
    await ws.api('POST', '/api/v2/tickets', {
      ticket: {
        subject: 'Invoice copy',
        comment: { body: 'Please resend the invoice.', author_id: ids.requester },
        requester_id: ids.requester,
      },
    })
  ).ticket.id;
  ids.macro = (
    await ws.api('POST', '/api/v2/macros', {
      macro: {
        title: 'Escalate to engineering',
        actions: [
          { field: 'priority', value: 'high' },
          { field: 'current_tags', value: 'escalated' },
          { field: 'comment_value', value: 'We have escalated this to our engineers.' },
        ],
      },
    })
  ).macro.id;
  const signedIn = await ws.signedIn(ws.adminEmail);
  page = signedIn.page;
  // Chromium logs every non-2xx fetch; the conflict test provokes exactly one 409 on purpose.
  problems = watchConsole(page);
});

after(async () => {
  await ws?.stop();
});

test('open a ticket, reply publicly, add a note, submit as Pending with a new assignee', {
  timeout: 120_000,
}, async (t) => {
  if (!requireChromium(t)) return;
  await page.goto(`${ws!.baseUrl}/agent/tickets/${ids.ticket}`);
  await page.getByRole('heading', { name: SUBJECT, level: 1 }).waitFor();
  await commentBy(page, REQUESTER.name).getByText('Smoke is coming out of the paper tray.').waitFor();
  // The requester panel: profile, organization and their other request.
  const requester = page.getByRole('complementary', { name: 'Requester' });
  await requester.getByRole('link', { name: REQUESTER.name }).waitFor();
  await requester.getByRole('link', { name: 'Customer Co' }).waitFor();
  await requester.getByRole('link', { name: new RegExp(`#${ids.other} Invoice copy`) }).waitFor();
  await editor(page).waitFor();
  await shoot(page, 'ticket-1-page');

  // A public reply.
  await editor(page).click();
  await page.keyboard.type('Thanks for telling us. Please unplug it.');
  await page.getByRole('button', { name: 'Submit', exact: true }).click();
  await commentBy(page, 'Ada Admin').getByText('Please unplug it.').waitFor();
  assert.equal(await editor(page).textContent(), '', 'the composer is empty after a submit');
  let comments = await apiComments(ids.ticket);
  assert.equal(comments.at(-1)!.public, true);
  assert.match(comments.at(-1)!.body, /Please unplug it\./);
  // The agent's reply opened the new ticket.
  assert.equal((await apiTicket(ids.ticket)).status, 'open');

  // An internal note, by shortcut (n) and submitted with Ctrl+Enter.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('n');
  await editor(page, true).waitFor();
  assert.equal(await page.getByRole('tab', { name: 'Internal note' }).getAttribute('aria-selected'), 'true');
  await editor(page, true).click();
  await page.keyboard.type('Customer sounds calm; fire brigade not needed.');
  await page.keyboard.press('Control+Enter');
  const note = commentBy(page, 'Ada Admin', true);
  await note.getByText('fire brigade not needed').waitFor();
  // A note says so in words, not by colour alone.
  await note.getByText('Internal note', { exact: true }).waitFor();
  comments = await apiComments(ids.ticket);
  assert.equal(comments.at(-1)!.public, false, 'the note is private');
  await note.scrollIntoViewIfNeeded();
  await shoot(page, 'ticket-2-note');

  // Assignee and a custom field are pending until "Submit as Pending" sends them in one update.
  await page.getByRole('tab', { name: 'Public reply' }).click();
  await page.getByLabel('Assignee').selectOption({ label: `${AGENT.name} (Support)` });
  await page.getByLabel('Order number').fill('A-1042');
  assert.equal((await apiTicket(ids.ticket)).assignee_id, null, 'nothing is written before submit');
  await page.getByRole('button', { name: 'Submit with another status' }).click();
  await page.getByRole('menuitem', { name: 'Submit as Pending' }).click();
  await eventually('status pending', async () => (await apiTicket(ids.ticket)).status === 'pending');
  const updated = await apiTicket(ids.ticket);
  assert.equal(updated.assignee_id, ids.agent);
  assert.equal(updated.group_id, ids.group);
  assert.equal(updated.custom_fields.find((f: { id: number }) => f.id === ids.orderField)?.value, 'A-1042');
  await page.locator('.ticket-meta .status').getByText('Pending').waitFor();
  // History tells the story in words.
  await page.getByRole('tab', { name: 'History' }).click();
  const history = page.getByRole('tabpanel');
  await history.getByText('Status: Open → Pending').waitFor();
  await history.getByText(`Assignee: — → ${AGENT.name}`).waitFor();
  await history.getByText('Order number: — → A-1042').waitFor();
  await page.getByRole('tab', { name: 'Conversation' }).click();
});

test('apply a macro: preview, apply into the composer, submit', { timeout: 60_000 }, async (t) => {
  if (!requireChromium(t)) return;
  await page.getByRole('button', { name: 'Apply macro' }).click();
  await page.getByRole('searchbox', { name: 'Search macros' }).fill('escalate');
  await page.getByRole('button', { name: 'Escalate to engineering' }).click();
  const preview = page.getByRole('dialog', { name: 'Macro: Escalate to engineering' });
  await preview.getByText('Priority: Normal → High').waitFor();
  await preview.getByText('Tags: added escalated').waitFor();
  await preview.getByText('We have escalated this to our engineers.').waitFor();
  await shoot(page, 'ticket-3-macro-preview');
  // Previewing writes nothing.
  assert.equal((await apiTicket(ids.ticket)).priority, 'normal');
  await preview.getByRole('button', { name: 'Apply' }).click();
  await editor(page).getByText('We have escalated this to our engineers.').waitFor();
  assert.equal(await page.getByLabel('Priority').inputValue(), 'high');
  assert.equal((await apiTicket(ids.ticket)).priority, 'normal', 'applying only fills the draft');
  await page.getByRole('button', { name: 'Submit', exact: true }).click();
  await commentBy(page, 'Ada Admin').getByText('We have escalated this to our engineers.').waitFor();
  const ticket = await apiTicket(ids.ticket);
  assert.equal(ticket.priority, 'high');
  assert.ok(ticket.tags.includes('escalated'));
  assert.equal(ticket.status, 'pending', 'a plain submit keeps the status');
  const comments = await apiComments(ids.ticket);
  assert.equal(comments.at(-1)!.public, true);
  assert.match(comments.at(-1)!.body, /escalated this to our engineers/);
});

test('a draft survives a reload and is kept until submitted', { timeout: 60_000 }, async (t) => {
  if (!requireChromium(t)) return;
  await editor(page).click();
  await page.keyboard.type('Half-written answer about toner');
  await page.getByLabel('Priority').selectOption('urgent');
  // Reloading at once: the draft is saved when the page goes away, not only after its usual short delay.
  await page.reload();
  await editor(page).getByText('Half-written answer about toner').waitFor();
  assert.equal(await page.getByLabel('Priority').inputValue(), 'urgent');
  assert.equal((await apiTicket(ids.ticket)).priority, 'high', 'still only a draft');
  // Throw the draft away by hand: the editor emptied and the property set back.
  await editor(page).click();
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Delete');
  await page.getByLabel('Priority').selectOption('high');
  await eventually('draft cleared', () =>
    page.evaluate(
      () => !Object.keys(localStorage).some((k) => localStorage.getItem(k)?.includes('Half-written')),
    ),
  );
});

test('a second agent sees presence, typing and updates live, and a stale submit warns', {
  timeout: 120_000,
}, async (t) => {
  if (!requireChromium(t)) return;
  const second = await ws!.signedIn(AGENT.email);
  const bea = second.page;
  const beaProblems = watchConsole(bea, [/status of 409/]);
  await bea.goto(`${ws!.baseUrl}/agent/tickets/${ids.ticket}`);
  await bea.getByRole('heading', { name: SUBJECT, level: 1 }).waitFor();

  // Each sees the other.
  await bea.getByRole('status').filter({ hasText: 'Ada Admin is also viewing this ticket.' }).waitFor();
  await page
    .getByRole('status')
    .filter({ hasText: `${AGENT.name} is also viewing this ticket.` })
    .waitFor();

  // Ada types: Bea is told, live.
  await editor(page).click();
  await page.keyboard.type('Checking with the engineers');
  await bea.getByRole('status').filter({ hasText: 'Ada Admin is typing a reply…' }).waitFor();
  await shoot(bea, 'ticket-4-presence');

  // Bea starts her own reply while Ada's is still unsent.
  await editor(bea).click();
  await bea.keyboard.type('I will call the customer now.');
  // Safe updates compare times to the second: let the clock move past the version Bea is working from.
  await new Promise((r) => setTimeout(r, 1_100));

  // Ada submits; Bea's page shows it without a reload.
  await page.getByRole('button', { name: 'Submit', exact: true }).click();
  await commentBy(bea, 'Ada Admin').getByText('Checking with the engineers').waitFor();
  await bea.getByRole('status').filter({ hasText: 'Updated by Ada Admin just now.' }).waitFor();
  await bea.getByText('Added a public reply').first().waitFor();

  // Bea's reply began before Ada's update: submitting warns instead of overwriting, and keeps her draft.
  await bea.getByRole('button', { name: 'Submit', exact: true }).click();
  const conflict = bea.getByRole('dialog', { name: 'Someone else updated this ticket' });
  await conflict.waitFor();
  await conflict.getByText('Added a public reply').waitFor();
  await shoot(bea, 'ticket-5-conflict');
  assert.equal(
    (await apiComments(ids.ticket)).some((c) => c.body.includes('call the customer')),
    false,
    'nothing was written',
  );
  await conflict.getByRole('button', { name: 'Review changes' }).click();
  await conflict.waitFor({ state: 'hidden' });
  await editor(bea).getByText('I will call the customer now.').waitFor();
  // Having reviewed, the same draft now goes through.
  await bea.getByRole('button', { name: 'Submit', exact: true }).click();
  await commentBy(bea, AGENT.name).getByText('I will call the customer now.').waitFor();
  const last = (await apiComments(ids.ticket)).at(-1)!;
  assert.equal(last.author_id, ids.agent);
  assert.match(last.body, /call the customer/);
  // Ada sees Bea's reply arrive, with the banner naming her.
  await commentBy(page, AGENT.name).getByText('I will call the customer now.').waitFor();
  await page
    .getByRole('status')
    .filter({ hasText: `Updated by ${AGENT.name} just now.` })
    .waitFor();

  const conflictLogs = beaProblems.filter((p) => /status of 409/.test(p));
  assert.deepEqual(
    beaProblems.filter((p) => !conflictLogs.includes(p)),
    [],
  );
  await second.context.close();
});

test('a 100-comment ticket renders every comment', { timeout: 180_000 }, async (t) => {
  if (!requireChromium(t)) return;
  const { ticket } = await ws!.api('POST', '/api/v2/tickets', {
    ticket: { subject: 'A long conversation', comment: { body: 'Comment 1' }, requester_id: ids.requester },
  });
  for (let n = 2; n <= 100; n++) {
    await ws!.api('PUT', `/api/v2/tickets/${ticket.id}`, {
      ticket: { comment: { body: `Comment ${n}`, public: n % 10 !== 0 } },
    });
  }
  await page.goto(`${ws!.baseUrl}/agent/tickets/${ticket.id}`);
  await page.getByRole('heading', { name: 'A long conversation', level: 1 }).waitFor();
  await page.getByText('Comment 100', { exact: true }).waitFor();
  assert.equal(await page.locator('.conversation-list > li').count(), 100);
  assert.equal(await page.locator('.conversation-list > li.comment-note').count(), 10);
  await shoot(page, 'ticket-6-long');
});

test('attachments: a file and an image are uploaded, listed, removable, and sent with the reply', {
  timeout: 60_000,
}, async (t) => {
  if (!requireChromium(t)) return;
  await page.goto(`${ws!.baseUrl}/agent/tickets/${ids.other}`);
  await page.getByRole('heading', { name: 'Invoice copy', level: 1 }).waitFor();
  const files = page.locator('.composer input[type="file"]');
  await files.setInputFiles([
    { name: 'invoice.txt', mimeType: 'text/plain', buffer: Buffer.from('Invoice 42: 10 EUR\n') },
    { name: 'pixel.png', mimeType: 'image/png', buffer: Buffer.from(PNG_1X1, 'base64') },
    { name: 'wrong.txt', mimeType: 'text/plain', buffer: Buffer.from('not this one') },
  ]);
  const list = page.getByRole('list', { name: 'Files to send' });
  await list.getByText('wrong.txt').waitFor();
  await list.getByText('pixel.png').waitFor();
  await list.getByText('invoice.txt').waitFor();
  await page.getByRole('button', { name: 'Remove wrong.txt' }).click();
  await list.getByText('wrong.txt').waitFor({ state: 'detached' });
  await editor(page).click();
  await page.keyboard.type('Here is the invoice again.');
  await page.getByRole('button', { name: 'Submit', exact: true }).click();
  const reply = commentBy(page, 'Ada Admin');
  await reply.getByText('Here is the invoice again.').waitFor();
  await reply.getByRole('link', { name: /invoice\.txt/ }).waitFor();
  await reply.getByRole('img', { name: 'pixel.png' }).waitFor();
  const { comments } = await ws!.api('GET', `/api/v2/tickets/${ids.other}/comments`);
  const names = comments
    .at(-1)
    .attachments.map((a: { file_name: string }) => a.file_name)
    .sort();
  assert.deepEqual(names, ['invoice.txt', 'pixel.png']);
  // The download link serves the bytes that were uploaded.
  const href = await reply.getByRole('link', { name: /invoice\.txt/ }).getAttribute('href');
  const download = await page.request.get(href!);
  assert.equal(await download.text(), 'Invoice 42: 10 EUR\n');
});

test('solving with a required field empty shows the error beside the field and keeps the reply', {
  timeout: 60_000,
}, async (t) => {
  if (!requireChromium(t)) return;
  const { ticket_field } = await ws!.api('POST', '/api/v2/ticket_fields', {
    ticket_field: {
      type: 'tagger',
      title: 'Root cause',
      required: true,
      custom_field_options: [
        { name: 'Hardware', value: 'cause_hardware' },
        { name: 'User error', value: 'cause_user' },
      ],
    },
  });
  await page.goto(`${ws!.baseUrl}/agent/tickets/${ids.other}`);
  await page.getByRole('heading', { name: 'Invoice copy', level: 1 }).waitFor();
  await editor(page).click();
  await page.keyboard.type('Sent; closing this one.');
  await page.getByRole('button', { name: 'Submit with another status' }).click();
  await page.getByRole('menuitem', { name: 'Submit as Solved' }).click();
  const rootCause = page.getByLabel('Root cause (required to solve)');
  await page.getByText('Root cause: required when solving').waitFor();
  assert.equal(await rootCause.getAttribute('aria-invalid'), 'true');
  await page.getByRole('alert').filter({ hasText: 'Not submitted' }).waitFor();
  await editor(page).getByText('Sent; closing this one.').waitFor();
  assert.notEqual((await apiTicket(ids.other)).status, 'solved');
  await shoot(page, 'ticket-7-required-field');

  await rootCause.selectOption({ label: 'User error' });
  await page.getByRole('button', { name: 'Submit with another status' }).click();
  await page.getByRole('menuitem', { name: 'Submit as Solved' }).click();
  await commentBy(page, 'Ada Admin').getByText('Sent; closing this one.').waitFor();
  const solved = await apiTicket(ids.other);
  assert.equal(solved.status, 'solved');
  assert.equal(
    solved.custom_fields.find((f: { id: number }) => f.id === ticket_field.id)?.value,
    'cause_user',
  );
  // Later solves in this account should not trip over the field.
  await ws!.api('PUT', `/api/v2/ticket_fields/${ticket_field.id}`, { ticket_field: { required: false } });
});

test('merge a ticket into another, then follow up on the closed one', { timeout: 90_000 }, async (t) => {
  if (!requireChromium(t)) return;
  const make = async (subject: string) =>
    (
      await ws!.api('POST', '/api/v2/tickets', {
        ticket: {
          subject,
          comment: { body: `${subject}.`, author_id: ids.requester },
          requester_id: ids.requester,
        },
      })
    ).ticket.id as number;
  const source = await make('Duplicate about the printer');
  const target = await make('Printer smoke, second report');
  await page.goto(`${ws!.baseUrl}/agent/tickets/${source}`);
  await page.getByRole('heading', { name: 'Duplicate about the printer', level: 1 }).waitFor();
  await page.getByRole('button', { name: 'Merge into another ticket' }).click();
  const dialog = page.getByRole('dialog', { name: 'Merge into another ticket' });
  await dialog.getByLabel('Ticket to merge into').fill(String(target));
  await dialog.getByRole('button', { name: new RegExp(`#${target} Printer smoke, second report`) }).click();
  await dialog.getByLabel(`Comment added to #${source} (this ticket)`).fill('Merged into the other report.');
  await dialog.getByRole('button', { name: `Merge into #${target}` }).click();
  await page.waitForURL(`**/agent/tickets/${target}`);
  await page.getByRole('heading', { name: 'Printer smoke, second report', level: 1 }).waitFor();
  assert.equal((await apiTicket(source)).status, 'closed');
  assert.ok((await apiComments(source)).some((c) => c.body.includes('Merged into the other report.')));

  // A closed ticket is read-only; a follow-up is a new ticket that links back.
  await page.goto(`${ws!.baseUrl}/agent/tickets/${source}`);
  await page.getByText('This ticket is closed').waitFor();
  assert.equal(await editor(page).count(), 0, 'no composer on a closed ticket');
  await shoot(page, 'ticket-8-closed');
  await page.getByRole('button', { name: 'Create follow-up' }).click();
  const follow = page.getByRole('dialog', { name: `Follow-up to #${source}` });
  await follow.getByLabel('First message').fill('Picking this up again.');
  await follow.getByRole('button', { name: 'Create follow-up' }).click();
  await page.waitForURL(
    (url) => /\/agent\/tickets\/\d+$/.test(url.pathname) && !url.pathname.endsWith(`/${source}`),
  );
  const created = Number(new URL(page.url()).pathname.split('/').pop());
  await commentBy(page, 'Ada Admin').getByText('Picking this up again.').waitFor();
  const followUp = await apiTicket(created);
  assert.equal(followUp.requester_id, ids.requester);
  assert.equal(followUp.via.source.rel, 'follow_up');
});

test('a ticket that does not exist says so', { timeout: 30_000 }, async (t) => {
  if (!requireChromium(t)) return;
  const { context, page: other } = await ws!.signedIn(ws!.adminEmail);
  const seen = watchConsole(other, [/status of 404/]);
  await other.goto(`${ws!.baseUrl}/agent/tickets/987654`);
  await other.getByRole('alert').getByText('Ticket #987654 does not exist').waitFor();
  assert.deepEqual(seen, []);
  await context.close();
});

test('no console errors on the first agent’s page', (t) => {
  if (!requireChromium(t)) return;
  // Chromium logs the one 422 the required-field test provokes; anything else is a defect.
  const expected = problems.filter((p) => /status of 422/.test(p));
  assert.ok(expected.length <= 1);
  assert.deepEqual(
    problems.filter((p) => !expected.includes(p)),
    [],
  );
});
