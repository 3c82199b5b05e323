/**
 * The app's processes and their entry points, all named `workers/run-<process>.ts`. Each also
 * runs on its own (`npm run worker`, `npm run relay`, `npm run api`, `npm run consumers`);
 * `npm start` (`workers/run-all.ts`) runs them all, and the chaos run and the benchmarks spawn
 * them from this list.
 */
export const APP_PROCESSES = [
  { name: 'saga-worker', entry: 'workers/run-saga-worker.ts' },
  { name: 'outbox-relay', entry: 'workers/run-outbox-relay.ts' },
  { name: 'api', entry: 'workers/run-api.ts' },
  { name: 'consumers', entry: 'workers/run-consumers.ts' },
] as const;

export type AppProcess = (typeof APP_PROCESSES)[number];
export type AppProcessName = AppProcess['name'];

/** The entry point of an app process, relative to the repository's root. */
export function appEntry(name: AppProcessName): string {
  const app = APP_PROCESSES.find((candidate) => candidate.name === name);
  if (!app) throw new Error(`no app process named ${name}`);
  return app.entry;
}
