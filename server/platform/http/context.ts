import type { Actor } from '../auth/authenticate.ts';
import type { Account } from '../tenancy/accounts-directory.ts';

/** What the authentication hook learned about a request. */
export interface RequestState {
  account: Account | null;
  actor: Actor | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook of every route; null only before it has run. */
    haven: RequestState | null;
  }
}
