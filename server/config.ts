import path from 'node:path';
import { z } from 'zod';

/** One typed configuration, read from the environment. A bad value stops start-up naming the variable. */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const booleanString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const postgresUrl = z
  .string()
  .url()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// or postgresql:// URL');

const redisUrl = z
  .string()
  .url()
  .refine((v) => /^rediss?:\/\//.test(v), 'must be a redis:// or rediss:// URL');

const smtpUrl = z
  .string()
  .url()
  .refine(
    (v) => /^smtps?:\/\//.test(v),
    'must be an smtp:// or smtps:// URL, such as smtp://user:pass@mail.example.com:587',
  );

/** `Name <address>` or a bare address, as a mail's From header takes it. */
const mailFrom = z
  .string()
  .trim()
  .regex(
    /^(?:[^<>@\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/,
    'must be an address such as Haven <support@example.com>',
  );

const hostname = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i, 'must be a host name such as haven.example.com');

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  HAVEN_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: postgresUrl.optional(),
  REDIS_URL: redisUrl.optional(),
  HAVEN_BASE_URL: z.string().url().optional(),
  HAVEN_BASE_DOMAIN: hostname.default('localhost'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** API requests a signed-in user may make per minute; 0 turns the limit off. */
  HAVEN_API_RATE_LIMIT: z.coerce.number().int().min(0).default(700),
  /** Failed sign-ins for one email before it is locked, and for how long. */
  HAVEN_SIGN_IN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
  HAVEN_SIGN_IN_LOCK_MINUTES: z.coerce.number().int().min(1).default(15),
  HAVEN_SESSION_DAYS: z.coerce.number().int().min(1).default(14),
  HAVEN_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  HAVEN_TRUST_PROXY: booleanString.default(false),
  /** Largest file one upload may carry (413 above it). Files live in PostgreSQL, whose values stop at 1 GB. */
  HAVEN_MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024 * 1024)
    .default(50 * 1024 * 1024),
  /** Where outgoing mail goes; unset means Haven sends no mail (invitations hand out a link instead). */
  HAVEN_SMTP_URL: smtpUrl.optional(),
  HAVEN_MAIL_FROM: mailFrom.optional(),
  /** Lets webhooks (and other outgoing calls) reach loopback, private and link-local addresses. Off by default. */
  HAVEN_ALLOW_PRIVATE_EGRESS: booleanString.default(false),
  /** Delay before a failed webhook delivery is first retried; it doubles for each later attempt. */
  HAVEN_WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(0).default(10_000),
  /** Failed webhook invocations in a row (within a day) after which the webhook is deactivated. */
  HAVEN_WEBHOOK_FAILURE_LIMIT: z.coerce.number().int().min(1).default(20),
  /** The built-in SMTP server for incoming mail: a port, or `off`. */
  HAVEN_SMTP_PORT: z.union([z.literal('off'), z.coerce.number().int().min(0).max(65535)]).default(2525),
  HAVEN_SMTP_HOST: z.string().min(1).optional(),
  /** PEM files; with both set the SMTP server offers STARTTLS. */
  HAVEN_SMTP_TLS_CERT: z.string().min(1).optional(),
  HAVEN_SMTP_TLS_KEY: z.string().min(1).optional(),
  /** Largest message the SMTP server and the raw-MIME endpoint accept. */
  HAVEN_SMTP_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(30 * 1024 * 1024),
  /** How often IMAP mailboxes without IDLE are polled, and how often IDLE connections are re-checked. */
  HAVEN_IMAP_POLL_SECONDS: z.coerce.number().int().min(1).default(60),
  /** Delay before failed outgoing mail is retried; it doubles for each later attempt. */
  HAVEN_MAIL_RETRY_BASE_MS: z.coerce.number().int().min(0).default(30_000),
});

export type HavenConfig = {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  baseUrl: string;
  baseDomain: string;
  logLevel: (typeof LOG_LEVELS)[number];
  apiRateLimitPerMinute: number;
  signInMaxFailures: number;
  signInLockMinutes: number;
  sessionDays: number;
  bodyLimitBytes: number;
  trustProxy: boolean;
  maxUploadBytes: number;
  secureCookies: boolean;
  /** The SMTP relay's URL (credentials included); null when Haven sends no mail. Never logged. */
  smtpUrl: string | null;
  mailFrom: string;
  allowPrivateEgress: boolean;
  webhookRetryBaseMs: number;
  webhookFailureLimit: number;
  /** The inbound SMTP server's port (0 picks a free one); null when it is off. */
  smtpPort: number | null;
  smtpHost: string;
  smtpTls: { certFile: string; keyFile: string } | null;
  smtpMaxBytes: number;
  imapPollSeconds: number;
  mailRetryBaseMs: number;
};

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): HavenConfig {
  // Empty strings count as unset, as shells and compose files often leave them.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${String(issue.path[0])}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const baseUrl = (e.HAVEN_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.HAVEN_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    baseUrl,
    baseDomain: e.HAVEN_BASE_DOMAIN.toLowerCase(),
    logLevel: e.LOG_LEVEL,
    apiRateLimitPerMinute: e.HAVEN_API_RATE_LIMIT,
    signInMaxFailures: e.HAVEN_SIGN_IN_MAX_FAILURES,
    signInLockMinutes: e.HAVEN_SIGN_IN_LOCK_MINUTES,
    sessionDays: e.HAVEN_SESSION_DAYS,
    bodyLimitBytes: e.HAVEN_BODY_LIMIT_BYTES,
    trustProxy: e.HAVEN_TRUST_PROXY,
    maxUploadBytes: e.HAVEN_MAX_UPLOAD_BYTES,
    secureCookies: baseUrl.startsWith('https://'),
    smtpUrl: e.HAVEN_SMTP_URL ?? null,
    mailFrom: e.HAVEN_MAIL_FROM ?? `Haven <no-reply@${e.HAVEN_BASE_DOMAIN.toLowerCase()}>`,
    allowPrivateEgress: e.HAVEN_ALLOW_PRIVATE_EGRESS,
    webhookRetryBaseMs: e.HAVEN_WEBHOOK_RETRY_BASE_MS,
    webhookFailureLimit: e.HAVEN_WEBHOOK_FAILURE_LIMIT,
    smtpPort: e.HAVEN_SMTP_PORT === 'off' ? null : e.HAVEN_SMTP_PORT,
    smtpHost: e.HAVEN_SMTP_HOST ?? e.HOST,
    smtpTls:
      e.HAVEN_SMTP_TLS_CERT && e.HAVEN_SMTP_TLS_KEY
        ? { certFile: path.resolve(e.HAVEN_SMTP_TLS_CERT), keyFile: path.resolve(e.HAVEN_SMTP_TLS_KEY) }
        : null,
    smtpMaxBytes: e.HAVEN_SMTP_MAX_BYTES,
    imapPollSeconds: e.HAVEN_IMAP_POLL_SECONDS,
    mailRetryBaseMs: e.HAVEN_MAIL_RETRY_BASE_MS,
  };
}
