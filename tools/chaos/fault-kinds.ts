/** The faults a chaos run injects; each is described in FAULT_DESCRIPTIONS. */
export const FAULT_KINDS = [
  'kill-saga-worker',
  'kill-relay',
  'kill-consumers',
  'broker-drop',
  'postgres-kill',
  'activity-crash',
  'restart-temporal',
  'restart-rabbitmq',
  'restart-postgres',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const FAULT_DESCRIPTIONS: Record<FaultKind, string> = {
  'kill-saga-worker': 'SIGKILL of the saga worker',
  'kill-relay': 'SIGKILL of the outbox relay',
  'kill-consumers': 'SIGKILL of the consumers process',
  'broker-drop': "the broker closes every connection of the run's vhost",
  'postgres-kill': "pg_terminate_backend on every app connection to the run's database",
  'activity-crash': 'the saga worker dies after an activity committed, before Temporal hears of it',
  'restart-temporal': "SIGKILL of the run's Temporal server, then its restart",
  'restart-rabbitmq': "the run's RabbitMQ node restarted (stop_app, start_app)",
  'restart-postgres': "the run's PostgreSQL restarted (fast shutdown, start)",
};

/** Faults that restart a service: the run then brings up its own (tools/chaos/own-services/). */
export const INFRASTRUCTURE_FAULTS: ReadonlySet<FaultKind> = new Set(['restart-temporal', 'restart-rabbitmq', 'restart-postgres']);

export const needsOwnServices = (faults: readonly FaultKind[]): boolean => faults.some((fault) => INFRASTRUCTURE_FAULTS.has(fault));
