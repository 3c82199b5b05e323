import { APP_PROCESSES } from '../../workers/app-processes';

/** The names of the app's processes (workers/app-processes.ts), which the harnesses run as children. */
export const SAGA_WORKER = 'saga-worker';
export const RELAY = 'outbox-relay';
export const CONSUMERS = 'consumers';
export const API = 'api';

/** The entry file of the app process `name`, relative to the repository's root: one list of them, in workers/. */
export function appEntry(name: string): string {
  const app = APP_PROCESSES.find((candidate) => candidate.name === name);
  if (!app) throw new Error(`no app process named ${name} in workers/app-processes.ts`);
  return app.entry;
}
