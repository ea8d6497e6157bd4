/** API shapes the agent app reads (a subset of each resource's fields). */
export interface User {
  id: number;
  name: string;
  email: string | null;
  role: 'end-user' | 'agent' | 'admin';
  active: boolean;
  organization_id: number | null;
  phone: string | null;
  time_zone: string;
  locale: string;
  tags: string[];
  notes: string | null;
  details: string | null;
  default_group_id: number | null;
  ticket_restriction: string | null;
  user_fields: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}

export interface Account {
  id: number;
  subdomain: string;
  name: string;
  host_mapping: string | null;
  time_zone: string;
  locale: string;
  brand_color?: string | null;
}

export interface Group {
  id: number;
  name: string;
  description: string;
  default: boolean;
  is_public: boolean;
  deleted: boolean;
}

export interface Organization {
  id: number;
  name: string;
  domain_names: string[];
  details: string | null;
  notes: string | null;
  tags: string[];
  organization_fields: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export type TicketStatus = 'new' | 'open' | 'pending' | 'hold' | 'solved' | 'closed';
export type TicketPriority = 'low' | 'normal' | 'high' | 'urgent' | null;
export type TicketType = 'problem' | 'incident' | 'question' | 'task' | null;

export interface Ticket {
  id: number;
  subject: string | null;
  description: string;
  status: TicketStatus;
  priority: TicketPriority;
  type: TicketType;
  requester_id: number;
  submitter_id: number;
  assignee_id: number | null;
  group_id: number | null;
  organization_id: number | null;
  problem_id: number | null;
  due_at: string | null;
  tags: string[];
  collaborator_ids: number[];
  follower_ids: number[];
  email_cc_ids: number[];
  custom_fields: { id: number; value: unknown }[];
  via: { channel: string };
  created_at: string;
  updated_at: string;
}

export interface Comment {
  id: number;
  type: 'Comment' | 'VoiceComment';
  author_id: number;
  body: string;
  html_body: string;
  plain_body: string;
  public: boolean;
  attachments: import('./api.ts').Attachment[];
  created_at: string;
  via: { channel: string };
}

export interface TicketField {
  id: number;
  type: string;
  title: string;
  description: string;
  active: boolean;
  required: boolean;
  required_in_portal: boolean;
  visible_in_portal: boolean;
  editable_in_portal: boolean;
  position: number;
  removable: boolean;
  regexp_for_validation: string | null;
  tag: string | null;
  custom_field_options?: { id: number; name: string; value: string; default?: boolean }[];
  system_field_options?: { name: string; value: string }[];
}

export interface View {
  id: number;
  title: string;
  active: boolean;
  position: number;
  default: boolean;
  restriction: { type: 'User' | 'Group'; id: number; ids?: number[] } | null;
  conditions: { all: Condition[]; any: Condition[] };
  execution: {
    group_by: string | null;
    sort_by: string | null;
    sort_order: 'asc' | 'desc';
    columns: { id: string; title: string }[];
  };
}

export interface Condition {
  field: string;
  operator: string;
  value: unknown;
}

export interface Macro {
  id: number;
  title: string;
  active: boolean;
  description: string | null;
  actions: { field: string; value: unknown }[];
  restriction: { type: 'User' | 'Group'; id: number; ids?: number[] } | null;
}

export interface Audit {
  id: number;
  ticket_id: number;
  author_id: number;
  created_at: string;
  via: { channel: string };
  events: {
    id: number;
    type: string;
    field_name?: string;
    value?: unknown;
    previous_value?: unknown;
    body?: string;
    public?: boolean;
  }[];
}
