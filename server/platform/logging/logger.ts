import pino, { type DestinationStream, type Logger } from 'pino';
import { scrubText, scrubValue } from './redact.ts';

export type { Logger };

/**
 * Structured logs that never carry raw emails, phone numbers, credentials or message bodies: every bound
 * object and every message passes through the scrubber, whatever the caller put in it.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'haven' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        log: (obj) => scrubValue(obj) as Record<string, unknown>,
        bindings: (bindings) => scrubValue(bindings) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === 'string' ? scrubText(a) : a));
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
