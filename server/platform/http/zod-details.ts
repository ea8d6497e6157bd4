import type { ZodError } from 'zod';
import type { ErrorDetails } from './errors.ts';

/** Zod issues in Zendesk's `details` shape, keyed by field name (the envelope key dropped). */
export function zodDetails(error: ZodError): ErrorDetails {
  const details: ErrorDetails = {};
  for (const issue of error.issues) {
    const path = issue.path.length > 1 ? issue.path.slice(1) : issue.path;
    const field = path.length ? path.join('.') : 'base';
    const blank = issue.code === 'invalid_type' && issue.input === undefined;
    const message = blank ? 'cannot be blank' : issue.message;
    details[field] ??= [];
    details[field].push({
      description: `${field}: ${message}`,
      error: blank ? 'BlankValue' : 'InvalidValue',
    });
  }
  return details;
}
