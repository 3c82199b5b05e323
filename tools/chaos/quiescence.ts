import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import type { Sql } from 'postgres';
import { TERMINAL_STATUSES } from '../../domain/order';
import type { DeliveryProbe } from './delivery-probe';
import { topicMatches } from './invariants/topic-match';
import type { RunStack } from './run-stack';
import { throttled } from './throttled';
import { describeError } from './describe-error';

export interface QuiescenceSources {
  sql: Sql;
  client: Client;
  taskQueue: string;
  probe: DeliveryProbe;
  bindings: ReadonlyMap<string, readonly string[]>;
}

export interface Quiescence {
  settled: boolean;
  waitedMs: number;
  /** What was still moving when the wait ended. */
  pending: string;
}

/**
 * Waits until nothing moves any more: no workflow running, every order ended, every outbox row
 * published (or dead), every event handled by each consumer it is routed to and seen by the probe.
 * "Settled" must hold on two looks a second apart.
 */
export async function waitForQuiescence(
  sources: QuiescenceSources,
  timeoutMs: number,
  onWait: (pending: string) => void,
): Promise<Quiescence> {
  const started = Date.now();
  let quietLooks = 0;
  let pending = '';
  while (Date.now() - started < timeoutMs) {
    // A failed look (a service still recovering from the last fault) is one more look that is not quiet.
    pending = await whatIsPending(sources).catch((error: unknown) => `could not look: ${describeError(error)}`);
    quietLooks = pending === '' ? quietLooks + 1 : 0;
    if (quietLooks >= 2) return { settled: true, waitedMs: Date.now() - started, pending: '' };
    onWait(pending || 'settling');
    await sleep(1000);
  }
  return { settled: false, waitedMs: Date.now() - started, pending };
}

async function whatIsPending({ sql, client, taskQueue, probe, bindings }: QuiescenceSources): Promise<string> {
  const pending: string[] = [];
  const { count: running } = await client.workflow.count(`TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'`);
  if (running > 0) pending.push(`${running} workflows running`);
  const [orders] = await sql<
    { open: number }[]
  >`SELECT count(*)::int AS open FROM orders WHERE NOT status = ANY(${[...TERMINAL_STATUSES]}::text[])`;
  if (orders!.open > 0) pending.push(`${orders!.open} orders not ended`);
  const outbox = await sql<{ id: string; name: string; published: boolean; dead: boolean }[]>`
    SELECT id, name, published_at IS NOT NULL AS published, dead_at IS NOT NULL AS dead FROM outbox`;
  const unpublished = outbox.filter((row) => !row.published && !row.dead).length;
  if (unpublished > 0) pending.push(`${unpublished} outbox rows unpublished`);
  const unseen = outbox.filter((row) => row.published && !probe.byMessageId.has(row.id)).length;
  if (unseen > 0) pending.push(`${unseen} events not yet at the probe`);
  const inbox = await sql<{ consumer: string; handled: number }[]>`SELECT consumer, count(*)::int AS handled FROM inbox GROUP BY consumer`;
  for (const [consumer, patterns] of bindings) {
    const routed = outbox.filter((row) => row.published && patterns.some((pattern) => topicMatches(pattern, row.name))).length;
    const handled = inbox.find((row) => row.consumer === consumer)?.handled ?? 0;
    if (handled < routed) pending.push(`${routed - handled} events for ${consumer}`);
  }
  return pending.join(', ');
}

/** Waits for a run's stack to settle (the chaos and the soak run alike), logging what is pending every 10 s. */
export function waitForRunQuiescence(stack: RunStack, timeoutMs: number, log: (message: string) => void): Promise<Quiescence> {
  return waitForQuiescence(
    {
      sql: stack.env.db.sql,
      client: stack.client,
      taskQueue: stack.env.identity.taskQueue,
      probe: stack.probe,
      bindings: stack.bindings,
    },
    timeoutMs,
    throttled(10_000, (pending) => log(`waiting for quiescence: ${pending}`)),
  );
}
