import type { Logger } from '../logging/logger';
import type { Caller } from './auth/caller';

/** What middleware puts on the request context for the handlers after it. */
export interface ApiEnv {
  Variables: {
    requestId: string;
    /** A child logger carrying the request id (and the order id once a handler knows it). */
    log: Logger;
    /** Set by the authentication middleware; absent on the public routes (health, documents). */
    caller?: Caller;
  };
}
