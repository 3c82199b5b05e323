import { TERMINAL_STATUSES } from '../../../domain/order';
import type { InvariantResult, RunFacts } from './types';

/** Every saga ended: its workflow completed with a terminal status, and its order row shows one too. */
export function everySagaTerminal(facts: RunFacts): InvariantResult {
  const violations: string[] = [];
  for (const saga of facts.sagas) {
    const label = `saga #${saga.scenario.index} (${saga.scenario.kind})`;
    if (saga.problem) violations.push(saga.problem);
    if (!saga.orderId) {
      violations.push(`${label}: was never accepted by the API`);
      continue;
    }
    const workflow = facts.workflows.get(saga.orderId);
    const order = facts.orders.get(saga.orderId);
    if (!workflow) violations.push(`${label}, order ${saga.orderId}: Temporal knows no workflow`);
    else if (workflow.execution !== 'COMPLETED') violations.push(`${label}, order ${saga.orderId}: workflow is ${workflow.execution}`);
    else if (!workflow.result || !TERMINAL_STATUSES.includes(workflow.result.status)) {
      violations.push(`${label}, order ${saga.orderId}: workflow returned status ${workflow.result?.status ?? 'nothing'}`);
    }
    if (!order) violations.push(`${label}, order ${saga.orderId}: no order row`);
    else if (!TERMINAL_STATUSES.includes(order.status)) violations.push(`${label}, order ${saga.orderId}: order row is ${order.status}`);
  }
  return { name: 'every saga terminal', checked: facts.sagas.length, violations };
}

/** Temporal's result and the order row both show the ending the scenario was built for. */
export function statusMatchesScenario(facts: RunFacts): InvariantResult {
  const violations: string[] = [];
  for (const saga of facts.sagas) {
    if (!saga.orderId) continue;
    const { status, failureType } = saga.scenario.expected;
    const label = `saga #${saga.scenario.index} (${saga.scenario.kind}), order ${saga.orderId}`;
    const result = facts.workflows.get(saga.orderId)?.result;
    const order = facts.orders.get(saga.orderId);
    if (result && (result.status !== status || (result.failure?.type ?? null) !== failureType)) {
      violations.push(
        `${label}: workflow ended ${result.status}/${result.failure?.type ?? '-'} (${result.failure?.reason ?? ''}), expected ${status}/${failureType ?? '-'}`,
      );
    }
    if (order && (order.status !== status || order.failureType !== failureType)) {
      violations.push(`${label}: order row is ${order.status}/${order.failureType ?? '-'}, expected ${status}/${failureType ?? '-'}`);
    }
  }
  return { name: 'terminal status matches its scenario', checked: facts.sagas.length, violations };
}

/**
 * No order needs attention: none of the run's scenarios has a compensation that can never
 * succeed, and no fault can make one impossible (they only delay), so any is a bug.
 */
export function noNeedsAttention(facts: RunFacts): InvariantResult {
  const violations = [...facts.orders.values()]
    .filter((order) => order.status === 'NEEDS_ATTENTION')
    .map((order) => `order ${order.id} is NEEDS_ATTENTION`);
  return { name: 'no NEEDS_ATTENTION', checked: facts.orders.size, violations };
}

/** One key, one order, one saga: retried POSTs never made a second one. */
export function oneOrderPerIdempotencyKey(facts: RunFacts): InvariantResult {
  const violations: string[] = [];
  for (const saga of facts.sagas) {
    const owner = facts.idempotencyKeys.get(saga.scenario.idempotencyKey);
    if (saga.orderId && owner !== saga.orderId) {
      violations.push(
        `key ${saga.scenario.idempotencyKey}: the API answered order ${saga.orderId}, the key belongs to ${owner ?? 'nothing'}`,
      );
    }
  }
  if (facts.idempotencyKeys.size !== facts.sagas.length)
    violations.push(`${facts.idempotencyKeys.size} idempotency keys for ${facts.sagas.length} sagas`);
  if (facts.orders.size !== facts.sagas.length) violations.push(`${facts.orders.size} order rows for ${facts.sagas.length} sagas`);
  if (facts.workflowsOnTaskQueue !== facts.sagas.length) {
    violations.push(`Temporal lists ${facts.workflowsOnTaskQueue} workflows on the run's task queue for ${facts.sagas.length} sagas`);
  }
  return { name: 'one order and one saga per Idempotency-Key', checked: facts.sagas.length, violations };
}
