import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HavenError } from '../../platform/http/errors.ts';
import {
  compileFilter,
  type FilterTicket,
  filterOrganizationIds,
  filterReferences,
  normalizeFilter,
} from './sla.filter.ts';
import type { StoredFilter } from './sla.tables.ts';

/**
 * SLA filters on their own (pure): what a policy stores for what a client sends, what is refused and how the
 * 422 names it, and which tickets a stored filter matches, including values stored by earlier versions.
 */

const ticket = (fields: Partial<FilterTicket> = {}): FilterTicket => ({
  status: 'open',
  priority: 'normal',
  type: null,
  group_id: null,
  assignee_id: null,
  requester_id: 11,
  organization_id: null,
  tags: [],
  via_channel: 'email',
  custom_fields: {},
  ...fields,
});

const matches = (filter: Partial<StoredFilter>, t: Partial<FilterTicket>) =>
  compileFilter({ all: [], any: [], ...filter } as StoredFilter)(ticket(t));
const one = (field: string, operator: string, value: unknown) =>
  ({ all: [{ field, operator, value }] }) as Partial<StoredFilter>;

/** The 422's only detail, as `[where: description, code]`. */
function refusal(input: { all?: unknown; any?: unknown }): [string, string] {
  try {
    normalizeFilter(input);
  } catch (err) {
    assert.ok(err instanceof HavenError);
    assert.equal(err.status, 422);
    const [detail, ...more] = (err.details as { filter: { description: string; error: string }[] }).filter;
    assert.equal(more.length, 0);
    return [detail!.description, detail!.error];
  }
  assert.fail(`accepted ${JSON.stringify(input)}`);
}

describe('SLA filters: what is stored', () => {
  test('values are stored the way they compare; Zendesk’s field names become ours', () => {
    const stored = normalizeFilter({
      all: [
        { field: 'group_id', operator: 'is', value: ' 5 ' },
        { field: 'tags', operator: 'includes', value: 'Gold, VIP vip' },
        { field: 'status', operator: 'less_than', value: ' Solved ' },
        { field: 'ticket_type_id', operator: 'is', value: 'Incident' },
      ],
      any: [
        { field: 'via', operator: 'is', value: 'EMAIL' },
        { field: 'organization_id', operator: 'is_not', value: 9 },
        { field: 'custom_fields_7', operator: 'is', value: 5 },
        { field: 'custom_fields_8', operator: 'present' },
      ],
    });
    assert.deepEqual(stored, {
      all: [
        { field: 'group_id', operator: 'is', value: 5 },
        { field: 'current_tags', operator: 'includes', value: 'gold vip' },
        { field: 'status', operator: 'less_than', value: 'solved' },
        { field: 'type', operator: 'is', value: 'incident' },
      ],
      any: [
        { field: 'via', operator: 'is', value: 'email' },
        { field: 'organization_id', operator: 'is_not', value: 9 },
        { field: 'custom_fields_7', operator: 'is', value: 5 },
        { field: 'custom_fields_8', operator: 'present', value: null },
      ],
    });
    assert.deepEqual(normalizeFilter(undefined), { all: [], any: [] });
  });

  test('"none" is kept as it was given', () => {
    const stored = normalizeFilter({
      all: [
        { field: 'priority', operator: 'is', value: null },
        { field: 'type', operator: 'is_not', value: '-' },
        { field: 'assignee_id', operator: 'is', value: 'none' },
        { field: 'requester_id', operator: 'is_not', value: '' },
      ],
    });
    assert.deepEqual(
      stored.all.map((c) => c.value),
      [null, '-', 'none', ''],
    );
  });

  test('references: groups, users and fields for rules.references, organizations apart', () => {
    const filter = normalizeFilter({
      all: [
        { field: 'group_id', operator: 'is', value: 5 },
        { field: 'assignee_id', operator: 'is_not', value: '6' },
        { field: 'requester_id', operator: 'is', value: 7 },
        { field: 'organization_id', operator: 'is', value: 8 },
        { field: 'group_id', operator: 'is_not', value: null },
      ],
      any: [{ field: 'custom_fields_9', operator: 'is', value: 10 }],
    });
    assert.deepEqual(filterReferences(filter), { groupIds: [5], userIds: [6, 7], fieldIds: [9] });
    assert.deepEqual(filterOrganizationIds(filter), [8]);
  });
});

describe('SLA filters: what is refused', () => {
  const cases: [unknown, RegExp, string][] = [
    [
      { field: 'subject', operator: 'is', value: 'x' },
      /"subject" is not a field SLA filters support/,
      'UnknownField',
    ],
    [{ field: 'status', operator: 'includes', value: 'open' }, /does not apply to status/, 'UnknownOperator'],
    [{ field: 'status', operator: 'changed', value: '' }, /does not apply to status/, 'UnknownOperator'],
    [{ field: 'type', operator: 'less_than', value: 'task' }, /does not apply to type/, 'UnknownOperator'],
    [{ field: 'priority', operator: 'is', value: 'asap' }, /asap.*priority/, 'InvalidValue'],
    [{ field: 'priority', operator: 'less_than', value: null }, /priority/, 'InvalidValue'],
    [{ field: 'status', operator: 'is', value: null }, /status/, 'InvalidValue'],
    [{ field: 'via', operator: 'is', value: '-' }, /via|channel/, 'InvalidValue'],
    [{ field: 'via', operator: 'is', value: 'pigeon' }, /pigeon/, 'InvalidValue'],
    [{ field: 'group_id', operator: 'is', value: 'support' }, /support.*group_id/, 'InvalidValue'],
    [{ field: 'assignee_id', operator: 'is', value: 'current_user' }, /assignee_id/, 'InvalidValue'],
    [{ field: 'current_tags', operator: 'includes', value: '' }, /tag/, 'any'],
    [{ field: 'current_tags', operator: 'includes', value: 5 }, /tag/, 'InvalidValue'],
    [{ field: 'current_tags', operator: 'includes', value: 'x'.repeat(81) }, /tag/, 'InvalidValue'],
    [{ field: 'custom_fields_7', operator: 'is' }, /custom_fields_7 is needs a value/, 'InvalidValue'],
    [{ field: 'custom_fields_7', operator: 'less_than', value: 1 }, /does not apply/, 'UnknownOperator'],
    [{ field: 'status', operator: 'is', value: { a: 1 } }, /value of status/, 'InvalidValue'],
    [{ operator: 'is', value: 'open' }, /needs a field/, 'BlankValue'],
    [{ field: 'status', value: 'open' }, /status needs an operator/, 'BlankValue'],
    ['status is open', /each condition is an object/, 'InvalidValue'],
  ];
  for (const [condition, description, code] of cases) {
    test(`${JSON.stringify(condition)}`, () => {
      const [where, error] = refusal({
        all: [{ field: 'status', operator: 'is', value: 'open' }],
        any: [condition],
      });
      assert.match(where, /^any\[0\]: /);
      assert.match(where, description);
      if (code !== 'any') assert.equal(error, code);
    });
  }

  test('lists and their length', () => {
    assert.deepEqual(refusal({ all: 'status' }), ['all: must be a list of conditions', 'InvalidValue']);
    const many = Array.from({ length: 101 }, () => ({ field: 'status', operator: 'is', value: 'open' }));
    assert.equal(refusal({ all: many })[1], 'TooLong');
  });
});

describe('SLA filters: which tickets match', () => {
  test('statuses and priorities in Zendesk’s order; no priority is below none of them', () => {
    assert.equal(matches(one('status', 'less_than', 'solved'), { status: 'hold' }), true);
    assert.equal(matches(one('status', 'less_than', 'solved'), { status: 'solved' }), false);
    assert.equal(matches(one('status', 'greater_than', 'open'), { status: 'pending' }), true);
    assert.equal(matches(one('status', 'is_not', 'open'), { status: 'open' }), false);
    const below = one('priority', 'less_than', 'high');
    assert.deepEqual(
      ['low', 'normal', 'high', 'urgent', null].map((priority) => matches(below, { priority })),
      [true, true, false, false, false],
    );
    const above = one('priority', 'greater_than', 'normal');
    assert.deepEqual(
      ['low', 'normal', 'high', 'urgent', null].map((priority) => matches(above, { priority })),
      [false, false, true, true, false],
    );
    assert.equal(matches(one('priority', 'is_not', 'high'), { priority: null }), true);
    assert.equal(matches(one('priority', 'is', null), { priority: null }), true);
    assert.equal(matches(one('priority', 'is', '-'), { priority: 'low' }), false);
    assert.equal(matches(one('priority', 'is_not', 'none'), { priority: 'low' }), true);
  });

  test('types, ids and channels; "none" matches an empty column', () => {
    assert.equal(matches(one('type', 'is', 'incident'), { type: 'incident' }), true);
    assert.equal(matches(one('type', 'is_not', 'incident'), { type: null }), true);
    assert.equal(matches(one('type', 'is', ''), { type: null }), true);
    assert.equal(matches(one('group_id', 'is', 5), { group_id: 5 }), true);
    assert.equal(matches(one('group_id', 'is', 5), { group_id: 6 }), false);
    assert.equal(matches(one('group_id', 'is_not', 5), { group_id: null }), true);
    assert.equal(matches(one('assignee_id', 'is', '-'), { assignee_id: null }), true);
    assert.equal(matches(one('assignee_id', 'is_not', null), { assignee_id: null }), false);
    assert.equal(matches(one('requester_id', 'is', 11), {}), true);
    assert.equal(matches(one('organization_id', 'is', '3'), { organization_id: 3 }), true);
    assert.equal(matches(one('via', 'is', 'email'), {}), true);
    assert.equal(matches(one('via', 'is_not', 'email'), {}), false);
  });

  test('tags: at least one of / none of', () => {
    assert.equal(matches(one('current_tags', 'includes', 'vip gold'), { tags: ['gold'] }), true);
    assert.equal(matches(one('current_tags', 'includes', 'vip gold'), { tags: ['silver'] }), false);
    assert.equal(matches(one('current_tags', 'not_includes', 'vip gold'), { tags: ['gold'] }), false);
    assert.equal(matches(one('current_tags', 'not_includes', 'vip gold'), { tags: [] }), true);
  });

  test('custom fields compare their exact text, as views do', () => {
    const fields = { custom_fields: { '7': 'Gold', '8': ['a', 'b c'], '9': false, '10': 3 } };
    assert.equal(matches(one('custom_fields_7', 'is', 'Gold'), fields), true);
    assert.equal(matches(one('custom_fields_7', 'is', 'gold'), fields), false);
    assert.equal(matches(one('custom_fields_7', 'is_not', 'gold'), fields), true);
    assert.equal(matches(one('custom_fields_10', 'is', 3), fields), true);
    assert.equal(matches(one('custom_fields_8', 'includes', 'b c'), fields), true);
    assert.equal(matches(one('custom_fields_8', 'includes', 'b'), fields), false);
    assert.equal(matches(one('custom_fields_8', 'not_includes', 'z'), fields), true);
    assert.equal(matches(one('custom_fields_7', 'includes', 'Gold'), fields), true);
    assert.equal(matches(one('custom_fields_9', 'present', null), fields), false);
    assert.equal(matches(one('custom_fields_9', 'not_present', null), fields), true);
    assert.equal(matches(one('custom_fields_11', 'not_present', null), fields), true);
    assert.equal(matches(one('custom_fields_7', 'present', null), fields), true);
  });

  test('all must hold and at least one of any; an empty filter matches every ticket', () => {
    const filter = {
      all: [{ field: 'status', operator: 'is', value: 'open' }],
      any: [
        { field: 'group_id', operator: 'is', value: 5 },
        { field: 'current_tags', operator: 'includes', value: 'vip' },
      ],
    } as StoredFilter;
    assert.equal(matches(filter, { group_id: 5 }), true);
    assert.equal(matches(filter, { tags: ['vip'] }), true);
    assert.equal(matches(filter, {}), false);
    assert.equal(matches(filter, { status: 'new', tags: ['vip'] }), false);
    assert.equal(matches({}, {}), true);
  });

  test('a stored filter the current rules refuse does not compile (its policy is skipped)', () => {
    assert.throws(() => compileFilter({ all: [{ field: 'subject', operator: 'is', value: 'x' }], any: [] }));
  });
});
