import type { Generated } from 'kysely';
import { defineTable, pd } from '../../platform/privacy/registry.ts';
import type { ClockInterval } from './sla.clock.ts';

export const SLA_METRICS = [
  'first_reply_time',
  'next_reply_time',
  'periodic_update',
  'requester_wait_time',
] as const;
export type SlaMetricName = (typeof SLA_METRICS)[number];
export type SlaStage = 'active' | 'paused' | 'achieved' | 'breached';

/** One filter condition as stored: `{ field, operator, value }` in Zendesk's vocabulary (sla.filter.ts). */
export interface StoredFilterCondition {
  field: string;
  operator: string;
  value: string | number | boolean | null;
}

export interface StoredFilter {
  all: StoredFilterCondition[];
  any: StoredFilterCondition[];
}

/** A target: minutes for one metric at one priority, in calendar or business hours. */
export interface StoredPolicyMetric {
  priority: 'low' | 'normal' | 'high' | 'urgent';
  metric: SlaMetricName;
  target: number;
  business_hours: boolean;
}

/**
 * One instance of a metric on a ticket (sla.metrics.ts). Instants are ISO strings (jsonb). `segments` are the
 * running periods of requester wait time ([start, end|null]); other metrics run from `started_at` on.
 * A null `target` is a metric the ticket's policy sets no target for: followed, never breached.
 */
export interface StoredMetric {
  metric: SlaMetricName;
  target: number | null;
  business_hours: boolean;
  started_at: string;
  breach_at: string | null;
  fulfilled_at: string | null;
  stage: SlaStage;
  segments?: [string, string | null][];
}

export interface BusinessSchedulesTable {
  account_id: number;
  id: Generated<number>;
  name: string;
  time_zone: string;
  intervals: Generated<ClockInterval[]>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface BusinessHolidaysTable {
  account_id: number;
  id: Generated<number>;
  schedule_id: number;
  name: string;
  /** Inclusive local dates of the schedule, `YYYY-MM-DD` (PostgreSQL `date`, read back as text). */
  start_date: string;
  end_date: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface SlaPoliciesTable {
  account_id: number;
  id: Generated<number>;
  title: string;
  description: Generated<string>;
  position: Generated<number>;
  filter: Generated<StoredFilter>;
  policy_metrics: Generated<StoredPolicyMetric[]>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** A completed (or breached while still running) metric, for reporting. */
export interface SlaMetricEventsTable {
  account_id: number;
  id: Generated<number>;
  ticket_id: number;
  policy_id: number | null;
  metric: SlaMetricName;
  started_at: Date;
  breach_at: Date | null;
  fulfilled_at: Date | null;
  outcome: 'achieved' | 'breached';
  created_at: Generated<Date>;
}

export interface SlaTables {
  business_schedules: BusinessSchedulesTable;
  business_holidays: BusinessHolidaysTable;
  sla_policies: SlaPoliciesTable;
  sla_metric_events: SlaMetricEventsTable;
}

defineTable<BusinessSchedulesTable>('business_schedules', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    name: pd.none(),
    time_zone: pd.none(),
    intervals: pd.none(),
    created_at: pd.none(),
    updated_at: pd.none(),
  },
});

defineTable<BusinessHolidaysTable>('business_holidays', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    schedule_id: pd.none(),
    name: pd.none(),
    start_date: pd.none(),
    end_date: pd.none(),
    created_at: pd.none(),
    updated_at: pd.none(),
  },
});

// A filter may name a requester, assignee or organization by id, so erasure redacts it (as view conditions).
defineTable<SlaPoliciesTable>('sla_policies', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    title: pd.none(),
    description: pd.none(),
    position: pd.none(),
    filter: pd.content('redact'),
    policy_metrics: pd.none(),
    created_at: pd.none(),
    updated_at: pd.none(),
  },
});

// Outcomes name a ticket and times only; the ticket carries the person.
defineTable<SlaMetricEventsTable>('sla_metric_events', {
  columns: {
    account_id: pd.none(),
    id: pd.none(),
    ticket_id: pd.none(),
    policy_id: pd.none(),
    metric: pd.none(),
    started_at: pd.none(),
    breach_at: pd.none(),
    fulfilled_at: pd.none(),
    outcome: pd.none(),
    created_at: pd.none(),
  },
});
