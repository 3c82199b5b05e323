/**
 * The app's processes and their entry points, all named `workers/run-<process>.ts`. Each also
 * runs on its own (`npm run worker`, `npm run relay`, `npm run api`, `npm run consumers`);
 * `npm start` (`workers/run-all.ts`) runs them all, and the tests, the chaos run and the
 * benchmarks spawn them from this list (tools/environment/app-entries.ts).
 */
export interface AppProcess {
  name: string;
  entry: string;
}

export const APP_PROCESSES: readonly AppProcess[] = [
  { name: 'saga-worker', entry: 'workers/run-saga-worker.ts' },
  { name: 'outbox-relay', entry: 'workers/run-outbox-relay.ts' },
  { name: 'api', entry: 'workers/run-api.ts' },
  { name: 'consumers', entry: 'workers/run-consumers.ts' },
];
