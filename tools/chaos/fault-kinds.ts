/** The faults a chaos run injects; each is described in FAULT_DESCRIPTIONS. */
export const FAULT_KINDS = ['kill-saga-worker', 'kill-relay', 'kill-consumers', 'broker-drop', 'postgres-kill', 'activity-crash'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const FAULT_DESCRIPTIONS: Record<FaultKind, string> = {
  'kill-saga-worker': 'SIGKILL of the saga worker',
  'kill-relay': 'SIGKILL of the outbox relay',
  'kill-consumers': 'SIGKILL of the consumers process',
  'broker-drop': "the broker closes every connection of the run's vhost",
  'postgres-kill': "pg_terminate_backend on every app connection to the run's database",
  'activity-crash': 'the saga worker dies after an activity committed, before Temporal hears of it',
};
