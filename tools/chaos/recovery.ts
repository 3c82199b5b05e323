import type { Sql } from 'postgres';
import type { FaultKind } from './fault-kinds';
import type { InjectedFault } from './fault-injector';
import type { ProcessStart } from './process-supervisor';

export interface FaultRecovery {
  fault: InjectedFault;
  /** From the fault to the restarted process passing its readiness check, or the restarted service answering. */
  readyMs: number | null;
  /**
   * From the fault until the work it caught was done: null when nothing was caught, or when
   * some of it never got done (an invariant then says so).
   */
  recoveryMs: number | null;
  /** From the fault to the first piece of the caught work done: the first saga step, publish or handled delivery after it. */
  firstProgressMs: number | null;
  /** What was caught: sagas in flight, outbox rows unpublished, deliveries not yet handled. */
  caught: string;
  /** The caught saga that recovered last, and the step it committed then: where the recovery time went. */
  lastSaga: string | null;
}

type Component = 'sagas' | 'relay' | 'consumers';

// What a fault's work is waiting on; a fault that killed a process (its `target`) also waits on its restart.
const AFFECTED: Record<FaultKind, Component[]> = {
  'kill-saga-worker': ['sagas'],
  'activity-crash': ['sagas'],
  'kill-relay': ['relay'],
  'kill-consumers': ['consumers'],
  'broker-drop': ['relay', 'consumers'],
  'postgres-kill': ['sagas', 'relay', 'consumers'],
  // Every saga step and every worker poll goes through the Temporal server.
  'restart-temporal': ['sagas'],
  'restart-rabbitmq': ['relay', 'consumers'],
  'restart-postgres': ['sagas', 'relay', 'consumers'],
};

interface Backlog {
  caught: number;
  /** When the last of it was done, or null if some never was. */
  clearedAt: string | null;
  /** When the first of it was done, or null if none was. */
  firstAt: string | null;
  what: string;
  /** For sagas: the one whose next step came last, as `<step> of <orderId>`. */
  last?: string;
}

export interface RecoveryInputs {
  sql: Sql;
  faults: readonly InjectedFault[];
  starts: readonly ProcessStart[];
  /** Each consumer's event names (its bindings resolved against the outbox). */
  routedNames: ReadonlyMap<string, readonly string[]>;
  /**
   * The sagas whose progress counts, with when the API accepted each: those that wait by design at
   * some point (for a human's review, or a flaky provider's retry back-off) are left out, as their
   * pauses are not the fault's doing.
   */
  sagas: readonly { orderId: string; submittedAt: number }[];
}

/**
 * How long each fault took to recover from, read afterwards from the timestamps the work left
 * in Postgres: the time until all the work it caught in flight was done. For the saga worker,
 * every saga in flight at the fault committed its next step (an activity that was running on a
 * killed worker is retried only after its 30 s start-to-close timeout); for the relay, every row
 * committed before the fault and still unpublished was published; for each consumer, every
 * event published before the fault and not yet handled was handled.
 */
export async function measureRecoveries(inputs: RecoveryInputs): Promise<FaultRecovery[]> {
  const recoveries: FaultRecovery[] = [];
  for (const fault of inputs.faults) {
    const components = AFFECTED[fault.kind];
    const restarts = fault.target;
    if (!fault.injected || fault.at === null) {
      recoveries.push({ fault, readyMs: null, recoveryMs: null, firstProgressMs: null, caught: '', lastSaga: null });
      continue;
    }
    const at = fault.at;
    // The first start after the fault that became ready (one may have died while starting).
    const restart = restarts
      ? inputs.starts.find((start) => start.process === restarts && start.startedAt >= at && start.readyAt !== null)
      : undefined;
    // As text: the harness's pool is drizzle's, which passes timestamps as strings.
    const since = new Date(at).toISOString();
    const backlogs: Backlog[] = [];
    for (const component of components) {
      if (component === 'sagas') backlogs.push(await sagaBacklog(inputs, since));
      if (component === 'relay') backlogs.push(await relayBacklog(inputs.sql, since));
      if (component === 'consumers')
        for (const [consumer, names] of inputs.routedNames) backlogs.push(await consumerBacklog(inputs.sql, since, consumer, names));
    }
    const caught = backlogs.filter((backlog) => backlog.caught > 0);
    const cleared = caught.every((backlog) => backlog.clearedAt !== null);
    const firsts = caught.flatMap((backlog) => (backlog.firstAt === null ? [] : [Date.parse(backlog.firstAt)]));
    recoveries.push({
      fault,
      readyMs: restart?.readyAt ? restart.readyAt - at : fault.readyAt !== null ? fault.readyAt - at : null,
      recoveryMs: caught.length > 0 && cleared ? Math.max(...caught.map((backlog) => Date.parse(backlog.clearedAt!))) - at : null,
      firstProgressMs: firsts.length > 0 ? Math.min(...firsts) - at : null,
      caught: caught.map((backlog) => `${backlog.caught} ${backlog.what}`).join(', ') || 'nothing in flight',
      lastSaga: caught.find((backlog) => backlog.last !== undefined)?.last ?? null,
    });
  }
  return recoveries;
}

async function sagaBacklog({ sql, sagas }: RecoveryInputs, since: string): Promise<Backlog> {
  // Submitted before the fault, not ended before it: also those whose first step had not run yet.
  const submitted = sagas.filter((saga) => saga.submittedAt < Date.parse(since)).map((saga) => saga.orderId);
  const [row] = await sql<
    {
      caught: number;
      unfinished: number;
      clearedAt: string | null;
      firstAt: string | null;
      lastOrder: string | null;
      lastStep: string | null;
    }[]
  >`
    WITH in_flight AS (
      SELECT submitted.id, next_step.step, next_step.completed_at AS next_step_at
      FROM unnest(${submitted}::uuid[]) AS submitted(id)
      LEFT JOIN LATERAL (
        SELECT s.step, s.completed_at FROM saga_steps s
        WHERE s.order_id = submitted.id AND s.completed_at >= ${since}
        ORDER BY s.completed_at LIMIT 1
      ) next_step ON true
      WHERE NOT EXISTS (SELECT 1 FROM saga_steps s WHERE s.order_id = submitted.id AND s.step IN ('completeOrder', 'markOrderOutcome') AND s.completed_at < ${since})
    )
    SELECT count(*)::int AS caught, count(*) FILTER (WHERE next_step_at IS NULL)::int AS unfinished,
           max(next_step_at) AS "clearedAt", min(next_step_at) AS "firstAt",
           (array_agg(id::text ORDER BY next_step_at DESC NULLS FIRST))[1] AS "lastOrder",
           (array_agg(step ORDER BY next_step_at DESC NULLS FIRST))[1] AS "lastStep"
    FROM in_flight`;
  return {
    caught: row!.caught,
    clearedAt: row!.unfinished > 0 ? null : row!.clearedAt,
    firstAt: row!.firstAt,
    what: 'sagas in flight',
    ...(row!.lastOrder ? { last: `${row!.lastStep ?? 'no step'} of ${row!.lastOrder}` } : {}),
  };
}

async function relayBacklog(sql: Sql, since: string): Promise<Backlog> {
  const [row] = await sql<{ caught: number; unfinished: number; clearedAt: string | null; firstAt: string | null }[]>`
    SELECT count(*)::int AS caught, count(*) FILTER (WHERE published_at IS NULL)::int AS unfinished, max(published_at) AS "clearedAt", min(published_at) AS "firstAt"
    FROM outbox WHERE created_at < ${since} AND (published_at IS NULL OR published_at >= ${since})`;
  return { caught: row!.caught, clearedAt: row!.unfinished > 0 ? null : row!.clearedAt, firstAt: row!.firstAt, what: 'rows unpublished' };
}

async function consumerBacklog(sql: Sql, since: string, consumer: string, names: readonly string[]): Promise<Backlog> {
  const [row] = await sql<{ caught: number; unfinished: number; clearedAt: string | null; firstAt: string | null }[]>`
    SELECT count(*)::int AS caught, count(*) FILTER (WHERE i.processed_at IS NULL)::int AS unfinished, max(i.processed_at) AS "clearedAt", min(i.processed_at) AS "firstAt"
    FROM outbox o LEFT JOIN inbox i ON i.consumer = ${consumer} AND i.message_id = o.id
    WHERE o.name = ANY(${names}::text[]) AND o.published_at < ${since} AND (i.processed_at IS NULL OR i.processed_at >= ${since})`;
  return {
    caught: row!.caught,
    clearedAt: row!.unfinished > 0 ? null : row!.clearedAt,
    firstAt: row!.firstAt,
    what: `deliveries for ${consumer}`,
  };
}
