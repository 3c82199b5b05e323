import type { Database } from '../db/client';

/** What activities need from the process that hosts them. */
export interface ActivityDeps {
  db: Database;
}
