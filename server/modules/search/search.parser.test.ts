import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HavenError } from '../../platform/http/errors.ts';
import { textQuery } from './search.compile.ts';
import { type Condition, parseDateRange, parseSearchQuery, type Term, tokenize } from './search.parser.ts';

const now = new Date('2024-06-15T12:00:00Z');
const parse = (q: string) => parseSearchQuery(q, { now });
const conditions = (q: string): Condition[] => parse(q).terms.map((t) => t.condition);
const only = (q: string): Term => {
  const terms = parse(q).terms;
  assert.equal(terms.length, 1, `one term in ${q}`);
  return terms[0]!;
};

function rejects(q: string, pattern: RegExp) {
  assert.throws(
    () => parse(q),
    (e: unknown) => {
      assert.ok(e instanceof HavenError, `${q}: ${String(e)}`);
      assert.equal(e.code, 'CS_SEARCH_INVALID');
      assert.equal(e.status, 400);
      assert.match(e.message, pattern, q);
      return true;
    },
  );
}

describe('tokenizer', () => {
  test('splits on white space and reads negation, fields, operators and quotes', () => {
    const terms = tokenize(
      ' printer  -"on fire" status<=pending subject:"paper jam" -tags:vip created>=2024-01-01',
    );
    assert.deepEqual(
      terms.map(({ negated, field, op, value, quoted }) => ({ negated, field, op, value, quoted })),
      [
        { negated: false, field: null, op: ':', value: 'printer', quoted: false },
        { negated: true, field: null, op: ':', value: 'on fire', quoted: true },
        { negated: false, field: 'status', op: '<=', value: 'pending', quoted: false },
        { negated: false, field: 'subject', op: ':', value: 'paper jam', quoted: true },
        { negated: true, field: 'tags', op: ':', value: 'vip', quoted: false },
        { negated: false, field: 'created', op: '>=', value: '2024-01-01', quoted: false },
      ],
    );
  });

  test('field names are case-insensitive; words that do not start like a field stay words', () => {
    assert.equal(tokenize('STATUS:open')[0]!.field, 'status');
    assert.deepEqual(
      tokenize('10:30 e-mail').map((t) => [t.field, t.value]),
      [
        [null, '10:30'],
        [null, 'e-mail'],
      ],
    );
  });

  test('escaped quotes inside a phrase', () => {
    assert.equal(tokenize('"say \\"hi\\""')[0]!.value, 'say "hi"');
  });
});

describe('free text', () => {
  test('bare words, phrases and prefixes', () => {
    assert.deepEqual(conditions('printer "paper jam" pri*'), [
      { field: 'text', scope: 'all', match: { text: 'printer', phrase: false, prefix: false } },
      { field: 'text', scope: 'all', match: { text: 'paper jam', phrase: true, prefix: false } },
      { field: 'text', scope: 'all', match: { text: 'pri', phrase: false, prefix: true } },
    ]);
    const ast = parse('printer');
    assert.deepEqual(ast.kinds, ['ticket', 'user', 'organization'], 'bare words search every type');
    assert.equal(ast.hasText, true);
  });

  test('negated words are text terms that exclude, and alone do not make relevance order', () => {
    const t = only('-refund');
    assert.equal(t.negated, true);
    assert.equal(parse('-refund').hasText, false);
  });

  test('text as to_tsquery: quoted operands, weights for subject/description/comment, same field ORed', () => {
    const ast = parse(
      `printer "it's broken" -"on fire" pri* subject:help subject:urgent comment:x* description:"a b"`,
    );
    assert.equal(
      textQuery(ast.terms, 'ticket'),
      `'printer' & 'it''s broken' & !'on fire' & 'pri':* & ( 'help':A | 'urgent':A ) & 'x':*C & 'a b':B`,
    );
    assert.equal(textQuery(parse('name:jane').terms, 'user'), `'jane':A`);
    assert.equal(textQuery(parse('status:open').terms, 'ticket'), null);
    assert.equal(textQuery(parse('back\\slash').terms, 'ticket'), `'back\\\\slash'`);
  });

  test('wildcards only end a word; words need a letter or digit', () => {
    rejects('*foo', /wildcard/);
    rejects('fo*o', /wildcard/);
    rejects('!!!', /no letters or digits/);
    rejects('""', /no letters or digits/);
  });
});

describe('fields', () => {
  test('status with every comparison, in Zendesk order', () => {
    const statuses = (q: string) => (conditions(q)[0] as { values: string[] }).values;
    assert.deepEqual(statuses('status:open'), ['open']);
    assert.deepEqual(statuses('status<solved'), ['new', 'open', 'pending', 'hold']);
    assert.deepEqual(statuses('status<=pending'), ['new', 'open', 'pending']);
    assert.deepEqual(statuses('status>hold'), ['solved', 'closed']);
    assert.deepEqual(statuses('status>=solved'), ['solved', 'closed']);
    assert.deepEqual(statuses('status<new'), []);
    assert.deepEqual(statuses('STATUS:Open'), ['open']);
    rejects('status:opened', /status must be one of/);
  });

  test('priority with comparisons (low < normal < high < urgent) and none', () => {
    assert.deepEqual(conditions('priority>normal'), [{ field: 'priority', values: ['high', 'urgent'] }]);
    assert.deepEqual(conditions('priority<=normal'), [{ field: 'priority', values: ['low', 'normal'] }]);
    assert.deepEqual(conditions('priority:none'), [{ field: 'priority', values: [null] }]);
    rejects('priority>none', /cannot be compared/);
    rejects('priority:asap', /priority must be one of/);
  });

  test('ticket_type, and type: with a ticket type', () => {
    assert.deepEqual(conditions('ticket_type:incident'), [{ field: 'ticket_type', values: ['incident'] }]);
    const ast = parse('type:problem');
    assert.deepEqual(ast.kinds, ['ticket']);
    assert.deepEqual(ast.terms[0]!.condition, { field: 'ticket_type', values: ['problem'] });
    rejects('ticket_type:bug', /ticket types are/);
  });

  test('type: chooses record types; repeated it ORs, negated it excludes', () => {
    assert.deepEqual(parse('type:ticket').kinds, ['ticket']);
    assert.deepEqual(parse('type:user type:organization').kinds, ['user', 'organization']);
    assert.deepEqual(parse('-type:ticket foo').kinds, ['user', 'organization']);
    rejects('type:group', /type takes ticket, user or organization/);
    rejects('type:ticket -type:ticket', /rule out every record type/);
    rejects('type<ticket', /cannot be compared/);
  });

  test('a field narrows the types searched; one that cannot apply is an error', () => {
    assert.deepEqual(parse('status:open').kinds, ['ticket']);
    assert.deepEqual(parse('role:agent').kinds, ['user']);
    assert.deepEqual(parse('organization:acme').kinds, ['ticket', 'user']);
    assert.deepEqual(parse('name:acme').kinds, ['user', 'organization']);
    assert.deepEqual(parse('tags:vip').kinds, ['ticket', 'user', 'organization']);
    assert.deepEqual(parse('type:ticket type:user status:open').kinds, ['ticket']);
    rejects('type:user status:open', /"status" applies to tickets, not to users/);
    rejects('status:open role:agent', /"role" applies to users, not to tickets/);
  });

  test('people: me, none, ids, emails and names', () => {
    assert.deepEqual(
      conditions('assignee:me requester:none submitter:42 assignee:"Jane Doe" requester:a@b.example'),
      [
        { field: 'assignee', ref: { kind: 'me' } },
        { field: 'requester', ref: { kind: 'none' } },
        { field: 'submitter', ref: { kind: 'value', value: '42' } },
        { field: 'assignee', ref: { kind: 'value', value: 'Jane Doe' } },
        { field: 'requester', ref: { kind: 'value', value: 'a@b.example' } },
      ],
    );
    assert.deepEqual(conditions('group:none organization:Acme'), [
      { field: 'group', ref: { kind: 'none' } },
      { field: 'organization', ref: { kind: 'value', value: 'Acme' } },
    ]);
    assert.deepEqual(conditions('group:me'), [{ field: 'group', ref: { kind: 'value', value: 'me' } }]);
  });

  test('tags (and tag:), via, external_id, custom fields', () => {
    assert.deepEqual(conditions('tags:VIP tag:gold tags:pre*'), [
      { field: 'tags', tag: 'vip', prefix: false },
      { field: 'tags', tag: 'gold', prefix: false },
      { field: 'tags', tag: 'pre', prefix: true },
    ]);
    assert.deepEqual(conditions('via:Email'), [{ field: 'via', channel: 'email' }]);
    assert.deepEqual(conditions('external_id:ABC-1'), [{ field: 'external_id', value: 'ABC-1' }]);
    assert.deepEqual(conditions('custom_field_123:"Gold plan"'), [
      { field: 'custom_field', fieldId: 123, value: 'Gold plan' },
    ]);
    rejects('via:e-mail', /channel name/);
    rejects('tags:*x', /wildcard/);
  });

  test('user fields: role, email, name, phone; organization fields: name, domain', () => {
    assert.deepEqual(conditions('role:end-user email:*@Example.com phone:"+44 20 7946"'), [
      { field: 'role', roles: ['end-user'] },
      { field: 'email', value: '*@example.com', wildcard: true },
      { field: 'phone', digits: '44207946' },
    ]);
    assert.deepEqual(conditions('domain:Acme.com'), [{ field: 'domain', domain: 'acme.com' }]);
    rejects('role:owner', /role must be/);
    rejects('phone:abc', /needs digits/);
  });

  test('the same field repeated is ORed; comparisons and negations always narrow', () => {
    const groups = parse(
      'tags:a tags:b -tags:c status:open status:pending created>2024-01-01 created<2024-02-01',
    ).terms.map((t) => t.orGroup);
    assert.deepEqual(groups, ['tags', 'tags', null, 'status', 'status', null, null]);
    assert.equal(only('tag:a').orGroup, 'tags', 'tag: and tags: are one field');
    assert.equal(only('type:incident').orGroup, 'ticket_type');
  });

  test('unknown fields, bad operators and empty values are errors, never ignored', () => {
    rejects('colour:red', /"colour" is not a field search knows.*put it in quotes/);
    rejects('http://example.com', /"http" is not a field/);
    rejects('tags>vip', /tags cannot be compared with >/);
    rejects('status:', /needs a value/);
    rejects('subject:""', /needs a value/);
    rejects('"unclosed', /never closed/);
    rejects('"a"b', /space after the closing quote/);
    rejects('- word', /must be followed/);
    rejects('', /empty/);
    rejects('   ', /empty/);
    rejects(Array.from({ length: 51 }, (_, i) => `w${i}`).join(' '), /at most 50 terms/);
  });
});

describe('dates', () => {
  const day = (s: string) => new Date(`${s}T00:00:00Z`);

  test('a day is the whole UTC day', () => {
    assert.deepEqual(parseDateRange('2024-05-01', ':', now), {
      gte: day('2024-05-01'),
      lt: day('2024-05-02'),
    });
    assert.deepEqual(parseDateRange('2024-05-01', '<', now), { lt: day('2024-05-01') });
    assert.deepEqual(parseDateRange('2024-05-01', '<=', now), { lt: day('2024-05-02') });
    assert.deepEqual(parseDateRange('2024-05-01', '>', now), { gte: day('2024-05-02') });
    assert.deepEqual(parseDateRange('2024-05-01', '>=', now), { gte: day('2024-05-01') });
  });

  test('ISO times compare as instants; no zone means UTC', () => {
    const at = new Date('2024-05-01T10:00:00Z');
    assert.deepEqual(parseDateRange('2024-05-01T10:00:00Z', '<', now), { lt: at });
    assert.deepEqual(parseDateRange('2024-05-01T10:00', '>=', now), { gte: at });
    assert.deepEqual(parseDateRange('2024-05-01T12:00:00+02:00', '>', now), { gt: at });
    assert.deepEqual(parseDateRange('2024-05-01T10:00:00Z', ':', now), {
      gte: at,
      lt: new Date('2024-05-01T10:00:01Z'),
    });
  });

  test('relative values count back from now', () => {
    const ago = (ms: number) => new Date(now.getTime() - ms);
    assert.deepEqual(parseDateRange('4hours', '>', now), { gt: ago(4 * 3_600_000) });
    assert.deepEqual(parseDateRange('30minutes', '>', now), { gt: ago(30 * 60_000) });
    assert.deepEqual(parseDateRange('2days', '<', now), { lt: ago(2 * 86_400_000) });
    assert.deepEqual(parseDateRange('3weeks', '>=', now), { gte: ago(21 * 86_400_000) });
    assert.deepEqual(parseDateRange('1months', '<=', now), { lte: new Date('2024-05-15T12:00:00Z') });
    assert.deepEqual(parseDateRange('1year', ':', now), { gte: new Date('2023-06-15T12:00:00Z') });
  });

  test('every date field takes them; bad dates are errors', () => {
    assert.deepEqual(conditions('solved<2024-01-01 due_date>1weeks updated:2024-02-03'), [
      { field: 'solved', range: { lt: day('2024-01-01') } },
      { field: 'due_date', range: { gt: new Date(now.getTime() - 7 * 86_400_000) } },
      { field: 'updated', range: { gte: day('2024-02-03'), lt: day('2024-02-04') } },
    ]);
    rejects('created>2024-02-30', /is not a date/);
    rejects('created>yesterday', /dates are YYYY-MM-DD/);
    rejects('created>4fortnights', /dates are YYYY-MM-DD/);
  });
});
