import { EVENT_NAMES } from '../../domain/events';
import type { InjectedFault } from './fault-injector';
import { topicMatches } from './invariants/topic-match';
import { checkInvariants, gatherFacts, type InvariantResult } from './invariants';
import { measureRecoveries, type FaultRecovery, type RecoveryInputs } from './recovery';
import type { RunStack } from './run-stack';
import type { SagaRecord } from './saga-driver';
import { collectWorkflowFacts, type WorkflowFacts } from './workflow-facts';

export interface TemporalRetries {
  total: number;
  byActivity: Record<string, number>;
  /** Retries tok_flaky asks for by design: two per flaky charge. */
  byDesign: number;
  /** Timeouts in the histories (each forces a retry), per kind. */
  timeouts: Record<string, number>;
  /**
   * Timeouts not within TIMEOUT_WINDOW_MS after a fault that stops a worker or Temporal: a healthy
   * activity or workflow task timed out, so the timeouts are too short for the machine's load.
   * Sticky workflow tasks that moved to the shared queue are not counted: nothing ran twice.
   */
  unexplainedTimeouts: number;
}

/** A dead worker's step times out within 5 s of the worker's restart; restarts take up to ~15 s on a loaded machine. */
const TIMEOUT_WINDOW_MS = 25_000;
const STOPS_WORK: ReadonlySet<string> = new Set(['kill-saga-worker', 'activity-crash', 'restart-temporal']);
/** On the production-mode server, Temporal's own databases are on the restarted PostgreSQL: that restart stops Temporal too. */
const STOPS_WORK_ON_CLUSTER: ReadonlySet<string> = new Set([...STOPS_WORK, 'restart-postgres']);

export interface Verification {
  invariants: InvariantResult[];
  violations: number;
  recoveries: FaultRecovery[];
  retries: TemporalRetries;
  duplicates: { probe: number; inbox: Record<string, number> };
}

/** Reads what Temporal, Postgres, the broker and the probe ended up with, and checks every invariant. */
export async function verifyRun(stack: RunStack, sagas: readonly SagaRecord[], faults: readonly InjectedFault[]): Promise<Verification> {
  const orderIds = sagas.flatMap((saga) => (saga.orderId ? [saga.orderId] : []));
  const workflows = await collectWorkflowFacts(stack.client, orderIds);
  const { count: workflowsOnTaskQueue } = await stack.client.workflow.count(`TaskQueue = '${stack.env.identity.taskQueue}'`);
  const facts = await gatherFacts({
    sql: stack.env.db.sql,
    sagas,
    workflows,
    workflowsOnTaskQueue,
    initialStock: stack.env.stock,
    consumers: await stack.api.consumers(),
    bindings: stack.bindings,
    probe: stack.probe,
  });
  const invariants = checkInvariants(facts);
  const crash = faults.find((fault) => fault.kind === 'activity-crash' && fault.injected);
  if (crash) invariants.push(crashedActivityRetried(crash, workflows));
  const recoveries = await measureRecoveries(recoveryInputs(stack, sagas, faults));
  return {
    invariants,
    violations: invariants.reduce((sum, result) => sum + result.violations.length, 0),
    recoveries,
    retries: retriesOf(sagas, workflows, faults, stack.env.services?.temporal.kind === 'cluster' ? STOPS_WORK_ON_CLUSTER : STOPS_WORK),
    duplicates: { probe: stack.probe.duplicates, inbox: Object.fromEntries(stack.inboxDuplicates.byConsumer) },
  };
}

/** What measureRecoveries reads for `faults`: the run's database, its restarts, each consumer's event names, and the sagas that count. */
export function recoveryInputs(stack: RunStack, sagas: readonly SagaRecord[], faults: readonly InjectedFault[]): RecoveryInputs {
  return {
    sql: stack.env.db.sql,
    faults,
    starts: stack.supervisor.starts,
    routedNames: new Map(
      [...stack.bindings].map(([consumer, patterns]) => [
        consumer,
        EVENT_NAMES.filter((name) => patterns.some((p) => topicMatches(p, name))),
      ]),
    ),
    sagas: sagas.flatMap((saga) =>
      !waitsByDesign(saga) && saga.orderId && saga.submittedAt ? [{ orderId: saga.orderId, submittedAt: saga.submittedAt }] : [],
    ),
  };
}

/** A saga that pauses on purpose: for a review decision, or for tok_flaky's retry back-off (1 s, then 2 s). */
const waitsByDesign = (saga: SagaRecord): boolean => saga.scenario.decision !== null || saga.scenario.kind === 'complete-flaky';

/**
 * The activity that died after its commit ran again, on the restarted worker, and Temporal got its
 * answer: a remote one as a later attempt; a local one after its workflow task timed out, as the
 * marker the replaying worker recorded.
 */
function crashedActivityRetried(fault: InjectedFault, workflows: ReadonlyMap<string, WorkflowFacts>): InvariantResult {
  const name = 'activity crashed after commit was retried';
  let crashed: { activityType: string; attempt: number; local: boolean; orderId: string };
  try {
    crashed = JSON.parse(fault.detail) as typeof crashed;
  } catch (error) {
    return { name, checked: 1, violations: [`cannot read the crash report ${JSON.stringify(fault.detail)}: ${String(error)}`] };
  }
  const workflow = workflows.get(crashed.orderId);
  const reached = workflow?.maxAttempt[crashed.activityType];
  const rerun = crashed.local
    ? workflow !== undefined && workflow.localActivities.includes(crashed.activityType) && workflow.workflowTaskFailures > 0
    : reached !== undefined && reached > crashed.attempt;
  const violations = rerun
    ? []
    : [
        crashed.local
          ? `local activity ${crashed.activityType} of order ${crashed.orderId} crashed; the history shows ${workflow?.workflowTaskFailures ?? 0} failed workflow tasks and ${workflow?.localActivities.includes(crashed.activityType) ? 'a' : 'no'} marker for it`
          : `${crashed.activityType} of order ${crashed.orderId} crashed on attempt ${crashed.attempt}; the history shows attempt ${reached ?? 'none'}`,
      ];
  return { name, checked: 1, violations };
}

function retriesOf(
  sagas: readonly SagaRecord[],
  workflows: ReadonlyMap<string, WorkflowFacts>,
  faults: readonly InjectedFault[],
  stopsWork: ReadonlySet<string>,
): TemporalRetries {
  const byActivity: Record<string, number> = {};
  const timeouts: Record<string, number> = {};
  const stops = faults.flatMap((fault) => (stopsWork.has(fault.kind) && fault.at !== null ? [fault.at] : []));
  let unexplainedTimeouts = 0;
  for (const workflow of workflows.values()) {
    for (const [type, retries] of Object.entries(workflow.retries)) if (retries > 0) byActivity[type] = (byActivity[type] ?? 0) + retries;
    for (const timeout of workflow.timeouts) {
      timeouts[timeout.kind] = (timeouts[timeout.kind] ?? 0) + 1;
      if (timeout.kind !== 'sticky workflow task' && !stops.some((at) => timeout.at >= at && timeout.at <= at + TIMEOUT_WINDOW_MS))
        unexplainedTimeouts++;
    }
  }
  return {
    total: Object.values(byActivity).reduce((sum, n) => sum + n, 0),
    byActivity,
    byDesign: sagas.filter((saga) => saga.scenario.kind === 'complete-flaky' && saga.orderId).length * 2,
    timeouts,
    unexplainedTimeouts,
  };
}
