/** The app's processes; each also runs on its own (`npm run worker`, `npm run relay`, `npm run consumers`, …). */
export interface AppProcess {
  name: string;
  entry: string;
}

export const APP_PROCESSES: readonly AppProcess[] = [
  { name: 'saga-worker', entry: 'workers/saga-worker.ts' },
  { name: 'outbox-relay', entry: 'workers/relay.ts' },
  { name: 'api', entry: 'api/server.ts' },
  { name: 'consumers', entry: 'workers/consumers.ts' },
];
