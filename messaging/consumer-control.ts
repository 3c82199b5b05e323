import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChannelModel } from 'amqplib';
import type { Database } from '../db/client';
import type { Logger } from '../logging/logger';
import { reusedAmqpConnection } from './amqp-connection';
import type { ConsumerDefinition } from './consumer-definition';
import type { ConsumerRetryPolicy } from './consumer-settings';
import { readDesiredState, readDesiredStates, writeDesiredState, type DesiredState } from './consumer-state';
import type { ConsumerState } from './consumer-states';
import { consumerQueuesOf } from './consumer-topology';
import {
  DeadLetterSweepError,
  peekDeadLetters,
  sweepDeadLetters,
  type DeadLetter,
  type DeadLetterAction,
  type DeadLetterFilter,
  type DeadLetterSweep,
} from './dead-letter-queue';
import { inspectQueue } from './queue-inspection';

export { DeadLetterSweepError } from './dead-letter-queue';
export type { DeadLetter, DeadLetterFilter, DeadLetterSweep } from './dead-letter-queue';

export interface ConsumerStatus {
  name: string;
  queue: string;
  deadLetterQueue: string;
  /** What operators asked for; every instance follows it. */
  state: ConsumerState;
  /** When an operator last set the state; null if never (consumers run by default). */
  stateChangedAt: string | null;
  /** Instances attached to the queue right now, across all processes. */
  consumers: number;
  /** Messages ready in the queue (those being handled right now are not counted). */
  queueDepth: number;
  /** Messages waiting out a retry back-off. */
  retrying: number;
  dlqDepth: number;
  /** False until some instance has declared the consumer's queues. */
  declared: boolean;
}

export interface StateChange {
  status: ConsumerStatus;
  /**
   * Whether the queue reflected the change within the wait: no instance attached after a
   * stop, at least one after a start. A start with no consumer process running never settles.
   */
  settled: boolean;
}

export interface ReplayResult extends DeadLetterSweep {
  consumer: string;
  replayed: number;
  /** Dead letters left (those the filter passed over, expired ones, and those parked while the replay ran). */
  dlqDepth: number;
}

export interface DiscardResult extends Omit<DeadLetterSweep, 'expired'> {
  consumer: string;
  discarded: number;
  dlqDepth: number;
}

export interface SweepOptions {
  /** The `cursor` of an earlier incomplete replay or discard of the same filter: this call goes on from it. */
  cursor?: string;
  /**
   * Awaited once the consumer and its queues are checked, right before the first dead letter is
   * taken (the admin API writes its audit row here); if it throws, nothing is taken. From then on
   * every failure is a DeadLetterSweepError saying what was already done.
   */
  beforeSweep?: () => Promise<void>;
}

export interface WaitOptions {
  /** How long to wait for the queue to reflect the change. Default 5000; 0 returns at once. */
  waitMs?: number;
}

/** The name matches no consumer this control knows: a 404 for the admin API. */
export class UnknownConsumerError extends Error {
  override readonly name = 'UnknownConsumerError';
  readonly code = 'consumer_not_found';
  constructor(
    readonly consumer: string,
    readonly known: readonly string[],
  ) {
    super(`no consumer named ${JSON.stringify(consumer)}; known consumers: ${known.join(', ') || '(none)'}`);
  }
}

/** A queue a replay needs does not exist, because no instance of the consumer has run yet. */
export class ConsumerNotDeclaredError extends Error {
  override readonly name = 'ConsumerNotDeclaredError';
  readonly code = 'consumer_not_declared';
  constructor(
    readonly consumer: string,
    readonly queue: string,
  ) {
    super(`queue ${queue} of consumer ${consumer} does not exist yet: start the consumer once so it declares its queues`);
  }
}

export const MAX_PEEK_LIMIT = 1000;

export interface ConsumerControl {
  listConsumers(): Promise<ConsumerStatus[]>;
  getConsumer(name: string): Promise<ConsumerStatus>;
  /** Stops every instance taking deliveries; in-flight ones finish, new ones wait in the queue. */
  stopConsumer(name: string, options?: WaitOptions): Promise<StateChange>;
  startConsumer(name: string, options?: WaitOptions): Promise<StateChange>;
  /** Up to `limit` (1–1000, default 50) parked messages, oldest first, left in place. */
  peekDeadLetters(name: string, limit?: number): Promise<DeadLetter[]>;
  /**
   * Moves the parked messages `filter` matches (all when empty) back to the consumer's queue with
   * fresh attempts; those parked longer than the replay window ago stay (expired). Scans at most
   * `sweepMaxScan` dead letters: `complete: false` then says to call again with `cursor`.
   */
  replayDeadLetters(name: string, filter?: DeadLetterFilter, options?: SweepOptions): Promise<ReplayResult>;
  /** Drops the parked messages `filter` matches for good; an empty filter is refused (RangeError). Bounded as a replay. */
  discardDeadLetters(name: string, filter: DeadLetterFilter, options?: SweepOptions): Promise<DiscardResult>;
  close(): Promise<void>;
}

export interface ConsumerControlOptions {
  db: Database;
  amqpUrl: string;
  consumers: readonly ConsumerDefinition[];
  /** The consumers' retry policy, to find their retry queues. */
  retry: ConsumerRetryPolicy;
  log: Logger;
  /** Dead letters parked longer than this ago are not replayed (DLQ_REPLAY_WINDOW_MS); unset: any. */
  replayWindowMs?: number;
  /** Dead letters one replay or discard scans at most (DLQ_SWEEP_MAX_SCAN); unset: every one. */
  sweepMaxScan?: number;
}

const SETTLE_POLL_MS = 100;
const RETURN_WAIT_MS = 2000;

/**
 * The DLQ's depth once the `returned` messages a sweep passed over are back: a quorum queue takes
 * them back through its log, so a count read at once may miss them. Waits at most RETURN_WAIT_MS.
 */
async function depthAfterReturns(connection: ChannelModel, deadLetterQueue: string, returned: number): Promise<number> {
  const deadline = Date.now() + RETURN_WAIT_MS;
  for (;;) {
    const depth = (await inspectQueue(connection, deadLetterQueue))?.messages ?? 0;
    if (depth >= returned || Date.now() >= deadline) return depth;
    await sleep(SETTLE_POLL_MS / 4);
  }
}
const DEFAULT_WAIT_MS = 5000;

/** The DLQ's depth after a sweep that did `sweep`; failing to read it fails the sweep's request, which says what was done. */
async function afterSweep(
  connection: ChannelModel,
  deadLetterQueue: string,
  action: DeadLetterAction,
  sweep: DeadLetterSweep,
  returned: number,
): Promise<number> {
  try {
    return await depthAfterReturns(connection, deadLetterQueue, returned);
  } catch (error) {
    throw new DeadLetterSweepError(deadLetterQueue, action.kind, sweep, error);
  }
}

/**
 * Operates consumers from any process (the API's admin routes): the running/stopped state
 * goes through Postgres (a row plus NOTIFY that every consumer process follows), queue
 * depths and dead letters through the broker.
 */
export function createConsumerControl(options: ConsumerControlOptions): ConsumerControl {
  const { db, amqpUrl, consumers, retry, log, replayWindowMs, sweepMaxScan = Infinity } = options;

  const definitionOf = (name: string): ConsumerDefinition => {
    const definition = consumers.find((candidate) => candidate.name === name);
    if (!definition)
      throw new UnknownConsumerError(
        name,
        consumers.map((candidate) => candidate.name),
      );
    return definition;
  };

  const broker = reusedAmqpConnection(amqpUrl, `consumer-control-${randomUUID().slice(0, 8)}`, log);

  async function statusOf(definition: ConsumerDefinition, desired: DesiredState): Promise<ConsumerStatus> {
    const connection = await broker.get();
    const queues = consumerQueuesOf(definition, retry);
    const [main, deadLetter, ...retries] = await Promise.all(
      [queues.queue, queues.deadLetter, ...queues.retries].map((queue) => inspectQueue(connection, queue)),
    );
    return {
      name: definition.name,
      queue: queues.queue,
      deadLetterQueue: queues.deadLetter,
      state: desired.state,
      stateChangedAt: desired.changedAt?.toISOString() ?? null,
      consumers: main?.consumers ?? 0,
      queueDepth: main?.messages ?? 0,
      retrying: retries.reduce((sum, counts) => sum + (counts?.messages ?? 0), 0),
      dlqDepth: deadLetter?.messages ?? 0,
      declared: main !== undefined,
    };
  }

  async function getConsumer(name: string): Promise<ConsumerStatus> {
    const definition = definitionOf(name);
    return statusOf(definition, await readDesiredState(db, name));
  }

  async function changeState(name: string, state: ConsumerState, { waitMs = DEFAULT_WAIT_MS }: WaitOptions): Promise<StateChange> {
    const definition = definitionOf(name);
    await writeDesiredState(db, name, state);
    log.info({ consumer: name, state }, `consumer set ${state}`);
    const settledWhen = (status: ConsumerStatus) => (state === 'stopped' ? status.consumers === 0 : status.consumers > 0);
    const deadline = Date.now() + waitMs;
    for (;;) {
      const status = await statusOf(definition, await readDesiredState(db, name));
      if (settledWhen(status)) return { status, settled: true };
      if (Date.now() >= deadline) return { status, settled: false };
      await sleep(SETTLE_POLL_MS);
    }
  }

  return {
    async listConsumers() {
      const desired = await readDesiredStates(db);
      return Promise.all(
        consumers.map((definition) => statusOf(definition, desired.get(definition.name) ?? { state: 'running', changedAt: null })),
      );
    },
    getConsumer,
    stopConsumer: (name, waitOptions = {}) => changeState(name, 'stopped', waitOptions),
    startConsumer: (name, waitOptions = {}) => changeState(name, 'running', waitOptions),
    async peekDeadLetters(name, limit = 50) {
      const definition = definitionOf(name);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PEEK_LIMIT) {
        throw new RangeError(`limit must be a whole number from 1 to ${MAX_PEEK_LIMIT}, got ${limit}`);
      }
      const connection = await broker.get();
      const { deadLetter } = consumerQueuesOf(definition, retry);
      if (!(await inspectQueue(connection, deadLetter))) return [];
      return peekDeadLetters(connection, deadLetter, limit);
    },
    async replayDeadLetters(name, filter = {}, { cursor, beforeSweep } = {}) {
      const definition = definitionOf(name);
      const connection = await broker.get();
      const { queue, deadLetter } = consumerQueuesOf(definition, retry);
      for (const required of [queue, deadLetter]) {
        // Sent to a missing queue, a replayed message would be dropped by the default exchange.
        if (!(await inspectQueue(connection, required))) throw new ConsumerNotDeclaredError(name, required);
      }
      const parkedSince = replayWindowMs === undefined ? undefined : Date.now() - replayWindowMs;
      await beforeSweep?.();
      const action: DeadLetterAction = { kind: 'replay', queue, parkedSince };
      const sweep = await sweepDeadLetters(
        connection,
        deadLetter,
        filter,
        action,
        { maxScan: sweepMaxScan, cursor },
        log.child({ consumer: name }),
      );
      log.info(
        { consumer: name, filter, replayed: sweep.messageIds.length, expired: sweep.expired, complete: sweep.complete },
        'replayed dead letters',
      );
      const dlqDepth = await afterSweep(connection, deadLetter, action, sweep, sweep.skipped + sweep.expired);
      return { consumer: name, replayed: sweep.messageIds.length, dlqDepth, ...sweep };
    },
    async discardDeadLetters(name, filter, { cursor, beforeSweep } = {}) {
      const definition = definitionOf(name);
      if (Object.values(filter).every((value) => value === undefined)) {
        throw new RangeError('a discard needs a filter (event, orderId or messageId): it drops messages for good');
      }
      const connection = await broker.get();
      const { deadLetter } = consumerQueuesOf(definition, retry);
      if (!(await inspectQueue(connection, deadLetter))) throw new ConsumerNotDeclaredError(name, deadLetter);
      await beforeSweep?.();
      const action: DeadLetterAction = { kind: 'discard' };
      const sweep = await sweepDeadLetters(
        connection,
        deadLetter,
        filter,
        action,
        { maxScan: sweepMaxScan, cursor },
        log.child({ consumer: name }),
      );
      log.info({ consumer: name, filter, discarded: sweep.messageIds.length, complete: sweep.complete }, 'discarded dead letters');
      const dlqDepth = await afterSweep(connection, deadLetter, action, sweep, sweep.skipped);
      // A discard takes expired dead letters too: `expired` is always 0 here.
      const { expired: _expired, ...discarded } = sweep;
      return { consumer: name, discarded: sweep.messageIds.length, dlqDepth, ...discarded };
    },
    close: () => broker.close(),
  };
}
