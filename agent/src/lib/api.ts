/**
 * The agent app's only way to the server: Haven's public /api/v2, with the session cookie and the session's
 * CSRF token (read from /users/me as `authenticity_token`). No private endpoints.
 */

export interface FieldProblem {
  description: string;
  error?: string;
}

/** An API error in the shape Zendesk clients expect: `error`, `description`, per-field `details`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly description: string,
    readonly details: Record<string, FieldProblem[]> = {},
    readonly body: unknown = null,
  ) {
    super(description || code);
  }

  /** The first problem with one field, in plain words ("Email is not a valid email address"). */
  fieldError(field: string): string | undefined {
    const problem = this.details[field]?.[0];
    return problem?.description;
  }

  get offline(): boolean {
    return this.status === 0;
  }
}

let csrfToken: string | null = null;

// Set while the page is being left (sign-out form, link to another site): a request that fails with 401
// because the session just ended must not start a second navigation that races the first.
let leaving = false;
addEventListener('beforeunload', () => {
  leaving = true;
});
addEventListener('pageshow', () => {
  leaving = false;
});

/** Whether the page is being left (e.g. the sign-out form was submitted): re-reading data then only earns 401s. */
export function isLeaving(): boolean {
  return leaving;
}
export function setCsrfToken(token: string | null | undefined) {
  csrfToken = token ?? null;
}

type Query = Record<string, string | number | boolean | undefined | null | (string | number)[]>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  const qs = params.toString();
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path;
}

async function request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
  const url = withQuery(path.startsWith('/') ? path : `/api/v2/${path}`, query);
  // X-Requested-With: a 401 then comes without a Basic challenge, so no browser password prompt blocks it.
  const headers: Record<string, string> = {
    accept: 'application/json',
    'x-requested-with': 'XMLHttpRequest',
  };
  let payload: BodyInit | undefined;
  if (body instanceof Blob) {
    headers['content-type'] = body.type || 'application/binary';
    payload = body;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(url, { method, headers, body: payload, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'Offline', 'Haven could not be reached. Check your connection and try again.');
  }
  if (response.status === 401 && !leaving && !path.includes('/users/me')) {
    // The session ended (signed out elsewhere, expired): back to sign-in, returning here afterwards.
    window.location.assign(`/sign_in?return_to=${encodeURIComponent(location.pathname + location.search)}`);
  }
  const text = await response.text();
  let json: any = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (!response.ok) {
    const code =
      typeof json?.error === 'string' ? json.error : (json?.error?.title ?? `HTTP ${response.status}`);
    const description =
      json?.description ??
      json?.error?.message ??
      json?.details?.base?.[0]?.description ??
      response.statusText;
    throw new ApiError(response.status, code, description, json?.details ?? {}, json);
  }
  return json as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>('GET', path, undefined, query),
  post: <T>(path: string, body?: unknown, query?: Query) => request<T>('POST', path, body ?? {}, query),
  put: <T>(path: string, body?: unknown, query?: Query) => request<T>('PUT', path, body ?? {}, query),
  delete: <T = void>(path: string, query?: Query) => request<T>('DELETE', path, undefined, query),
  /** Uploads one file; the token goes into a comment's `uploads`. */
  upload: (file: File, token?: string) =>
    request<{ upload: { token: string; attachment: Attachment } }>('POST', 'uploads', file, {
      filename: file.name,
      token,
    }),
};

/** Polls a bulk job until it ends; resolves with its final status. */
export async function waitForJob(id: string, intervalMs = 400): Promise<JobStatus> {
  for (;;) {
    const { job_status } = await api.get<{ job_status: JobStatus }>(`job_statuses/${id}`);
    if (job_status.status === 'completed' || job_status.status === 'failed' || job_status.status === 'killed')
      return job_status;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface Attachment {
  id: number;
  file_name: string;
  content_url: string;
  content_type: string;
  size: number;
  inline: boolean;
  thumbnails: { id: number; content_url: string; file_name: string }[];
}

export interface JobStatus {
  id: string;
  status: 'queued' | 'working' | 'completed' | 'failed' | 'killed';
  total: number | null;
  progress: number | null;
  message: string | null;
  results:
    | { id?: number; index?: number; success?: boolean; status?: string; error?: string; details?: string }[]
    | null;
}
