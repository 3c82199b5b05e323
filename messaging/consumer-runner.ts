import { randomUUID } from 'node:crypto';
import { context, type Span, trace } from '@opentelemetry/api';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConsumeMessage } from 'amqplib';
import type { Histogram } from 'prom-client';
import type { DbHandle } from '../db/client';
import { isDatabaseUnavailable } from '../db/postgres-errors';
import type { Logger } from '../logging/logger';
import { consumerHandlerDuration, countConsumer } from '../telemetry/metrics-consumers';
import { BrokerSession } from './broker-session';
import { UnprocessableMessageError, type ConsumerDefinition, type EventHandler } from './consumer-definition';
import type { ConsumerSettings } from './consumer-settings';
import { CONSUMER_CONTROL_CHANNEL, readDesiredState } from './consumer-state';
import type { ConsumerState } from './consumer-states';
import { assertConsumerTopology, checkConsumerTopology, deadLetterQueueOf, retryDelayMs, retryQueueOf } from './consumer-topology';
import { sendConfirmed } from './confirmed-send';
import { decodeEnvelope, type ReceivedEnvelope } from './decode-envelope';
import {
  attemptOf,
  carriedProperties,
  databaseOutagesOf,
  deadLetterFactHeaders,
  deadLetterHeaders,
  HEADER,
  retryHeaders,
  truncate,
  type DeadLetterFacts,
  type DeadLetterReason,
} from './delivery-headers';
import type { EventName } from '../domain/events';
import { handleOnce, type InboxOutcome } from './inbox';
import { superviseBrokerSession } from './supervise-broker-session';
import { recordFailure, startProcessSpan } from '../telemetry/messaging-spans';
import { tracingOn } from '../telemetry/tracing-state';

export interface ConsumerRunnerOptions {
  /** `sql` for LISTEN, `db` for the inbox transaction the handlers write in. */
  db: Pick<DbHandle, 'db' | 'sql'>;
  settings: ConsumerSettings;
  log: Logger;
}

export interface ConsumerStats {
  /** Deliveries whose effect committed. */
  handled: number;
  /** Deliveries the inbox had already seen: acknowledged without a second effect. */
  duplicates: number;
  retried: number;
  /** Of `retried`: those after the database was unavailable, which do not count as attempts. */
  databaseOutageRetries: number;
  deadLettered: number;
  /** deadLettered by the reason it was parked for: the dead-letter metric's labels. */
  deadLetteredByReason: Partial<Record<DeadLetterReason, number>>;
  /** Broker sessions opened: 1, plus one per reconnect. */
  sessions: number;
}

/**
 * One instance of a consumer. Run as many as you like, in as many processes: they compete for
 * the queue's messages. Each delivery's effect commits together with its inbox row before the
 * message is acknowledged; a failure (or a handler slower than the handler timeout) is
 * republished to a back-off queue (with its attempt count) and acknowledged, and after the last
 * attempt it is parked in the DLQ. A delivery that cannot be decoded, whatever its bytes, is
 * parked at once, and one this code itself fails on is parked as internal-error: every delivery
 * ends acknowledged, retried or parked. It follows the operator's running/stopped state from
 * Postgres and reconnects when it loses the broker.
 */
export class ConsumerRunner {
  /** The AMQP connection name, as the broker lists it. */
  readonly connectionName: string;
  /** Also what this process's consumer metrics report (telemetry/metrics-consumers.ts reads them at scrape time). */
  readonly stats: ConsumerStats = {
    handled: 0,
    duplicates: 0,
    retried: 0,
    databaseOutageRetries: 0,
    deadLettered: 0,
    deadLetteredByReason: {},
    sessions: 0,
  };
  readonly #handlerDuration: Histogram.Internal<'consumer'>;
  readonly #log: Logger;
  #desired: ConsumerState = 'running';
  #session: BrokerSession | undefined;
  /** The basic.consume of this instance, on the session it was made on. */
  #consume: { session: BrokerSession; tag: string } | undefined;
  readonly #inFlight = new Set<Promise<void>>();
  // Deliveries acknowledged or rejected: a second settle would close the channel.
  readonly #settled = new WeakSet<ConsumeMessage>();
  // State changes (consume, cancel) run one at a time, in order.
  #transitions: Promise<void> = Promise.resolve();
  #closing = false;
  readonly #closed = new AbortController();
  #supervision: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  #unlisten: (() => Promise<void>) | undefined;
  #pollTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly definition: ConsumerDefinition,
    private readonly options: ConsumerRunnerOptions,
  ) {
    this.connectionName = `consumer-${definition.name}-${randomUUID().slice(0, 8)}`;
    this.#log = options.log.child({ consumer: definition.name, queue: definition.queue });
    this.#handlerDuration = consumerHandlerDuration.labels(definition.name);
    countConsumer(this);
  }

  /** The consumer's name, as the metrics label it. */
  get consumer(): string {
    return this.definition.name;
  }

  /** True while this instance has a basic.consume on its queue. */
  get consuming(): boolean {
    return this.#consume !== undefined && !this.#consume.session.broken;
  }

  /** Deliveries received and not yet settled. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Reads the desired state, connects and declares the topology; throws if that first attempt fails. */
  async start(): Promise<void> {
    const { db, settings } = this.options;
    this.#desired = (await readDesiredState(db.db, this.definition.name)).state;
    // onlisten runs on every (re)connect of the LISTEN connection: a NOTIFY missed meanwhile is caught up.
    const listener = await db.sql.listen(
      CONSUMER_CONTROL_CHANNEL,
      (payload) => payload === this.definition.name && void this.resync(),
      () => void this.resync(),
    );
    this.#unlisten = () => listener.unlisten();
    this.#pollTimer = setInterval(() => void this.resync(), settings.controlPollMs);
    this.#pollTimer.unref();
    try {
      this.#session = await this.openSession();
      await this.reconcile();
    } catch (error) {
      await this.stop();
      throw error;
    }
    this.#supervision = superviseBrokerSession({
      first: this.#session,
      open: () => this.openSession(),
      work: (session, recovered) => this.consumeOn(session, recovered),
      stopped: this.#closed.signal,
      log: this.#log,
    });
    this.#log.info({ state: this.#desired, connection: this.connectionName }, 'consumer started');
  }

  /** Stops taking deliveries, finishes those in flight (up to the shutdown timeout), closes. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#closing = true;
      clearInterval(this.#pollTimer);
      await this.#unlisten?.().catch((error: unknown) => this.#log.warn({ err: error }, 'could not UNLISTEN consumer control'));
      await this.reconcile().catch((error: unknown) => this.#log.warn({ err: error }, 'could not cancel the consumer cleanly'));
      // Also when the session broke first: handlers still running must not outlive the pool.
      await this.drainInFlight();
      this.#closed.abort();
      await this.#supervision;
      await this.#session?.close();
      this.#session = undefined;
      this.#log.info({ ...this.stats }, 'consumer stopped');
    })();
    return this.#stopping;
  }

  private openSession(): Promise<BrokerSession> {
    const { settings } = this.options;
    return BrokerSession.open(settings.amqpUrl, this.connectionName, this.#log, {
      prefetch: this.definition.prefetch,
      prepare: async (channel) => {
        const topology = settings.declareTopology === false ? checkConsumerTopology : assertConsumerTopology;
        await topology(channel, this.definition, settings.exchange, settings.retry);
        this.stats.sessions += 1;
      },
    });
  }

  /** Consumes on `session`, in the desired state, until it breaks or the instance stops. */
  private async consumeOn(session: BrokerSession, recovered: () => void): Promise<void> {
    if (session !== this.#session) {
      // A new session after a lost one (start() set up the first).
      this.#session = session;
      await this.reconcile();
      this.#log.info({ state: this.#desired }, 'consumer reconnected');
    }
    recovered();
    const error = await Promise.race([session.whenBroken(), this.closedSignal()]);
    if (this.#closing) return;
    this.#log.warn({ err: error, inFlight: this.#inFlight.size }, 'lost the broker session; reconnecting');
  }

  private closedSignal(): Promise<undefined> {
    if (this.#closed.signal.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#closed.signal.addEventListener('abort', () => resolve(undefined), { once: true }));
  }

  /**
   * Re-reads the operator's desired state and applies it. Read and apply run in the same queue
   * as every other transition, so a slow read (a poll that started before a stop committed)
   * can never overwrite a newer one.
   */
  private async resync(): Promise<void> {
    if (this.#closing) return;
    try {
      await this.enqueue(async () => {
        const { state } = await readDesiredState(this.options.db.db, this.definition.name);
        if (state !== this.#desired) this.#log.info({ state }, `operator set the consumer ${state}`);
        this.#desired = state;
        await this.applyDesiredState();
      });
    } catch (error) {
      this.#log.error({ err: error }, 'could not apply the desired consumer state; trying again at the next poll');
    }
  }

  private reconcile(): Promise<void> {
    return this.enqueue(() => this.applyDesiredState());
  }

  private enqueue(transition: () => Promise<void>): Promise<void> {
    const next = this.#transitions.then(transition);
    this.#transitions = next.catch(() => {});
    return next;
  }

  private async applyDesiredState(): Promise<void> {
    const session = this.#session;
    if (!session || session.broken) return;
    const wanted: ConsumerState = this.#closing ? 'stopped' : this.#desired;
    const consume = this.#consume?.session === session ? this.#consume : undefined;
    if (wanted === 'running' && !consume) {
      const { consumerTag } = await session.channel.consume(this.definition.queue, (message) => this.onDelivery(session, message));
      this.#consume = { session, tag: consumerTag };
      this.#log.info({ prefetch: this.definition.prefetch }, 'consuming');
    } else if (wanted === 'stopped' && consume) {
      // After cancel-ok the broker sends nothing more; what it sent before is in #inFlight.
      await session.channel.cancel(consume.tag);
      this.#consume = undefined;
      await this.drainInFlight();
      this.#log.info('stopped taking deliveries; new messages wait in the queue');
    }
  }

  private async drainInFlight(): Promise<void> {
    if (this.#inFlight.size === 0) return;
    const timeoutMs = this.options.settings.shutdownTimeoutMs;
    const drained = Promise.allSettled([...this.#inFlight]).then(() => true);
    const finished = await Promise.race([drained, sleep(timeoutMs, false, { ref: false })]);
    if (!finished) {
      // Whatever is still unacknowledged goes back to the queue when the channel closes; an
      // effect that commits after that is absorbed by the inbox on redelivery.
      this.#log.warn({ inFlight: this.#inFlight.size, timeoutMs }, 'in-flight messages did not finish in time');
    }
  }

  private onDelivery(session: BrokerSession, message: ConsumeMessage | null): void {
    if (message === null) {
      // The broker cancelled the consumer (its queue was deleted): a new session re-declares it.
      session.markBroken(new Error(`the broker cancelled the consumer of ${this.definition.queue}`));
      return;
    }
    // settle() never rejects: every path ends in an ack, a retry, a dead letter or a reject.
    const work: Promise<void> = (tracingOn() ? this.settleTraced(session, message) : this.settle(session, message)).finally(() =>
      this.#inFlight.delete(work),
    );
    this.#inFlight.add(work);
  }

  /**
   * settle() inside a CONSUMER span, child of the publish span the headers name: the handler, its
   * effect transaction and the settling, with every log line, are in it.
   */
  private async settleTraced(session: BrokerSession, message: ConsumeMessage): Promise<void> {
    let span: Span | undefined;
    try {
      const started = startProcessSpan({
        consumer: this.definition.name,
        queue: this.definition.queue,
        exchange: message.fields.exchange,
        routingKey: message.fields.routingKey,
        messageId: message.properties.messageId,
        headers: message.properties.headers,
      });
      span = started.span;
      await context.with(started.active, () => this.settle(session, message));
    } catch (error) {
      // Only tracing itself can throw here (settle never does): the delivery is still settled.
      this.#log.warn({ err: error }, 'tracing a delivery failed; handling it without a span');
      if (!span) await this.settle(session, message);
    } finally {
      span?.end();
    }
  }

  /** Handles one delivery and makes sure it is settled, whatever goes wrong on the way. */
  private async settle(session: BrokerSession, message: ConsumeMessage): Promise<void> {
    try {
      await this.process(session, message);
    } catch (fault) {
      await this.afterFault(session, message, fault);
    }
  }

  private async process(session: BrokerSession, message: ConsumeMessage): Promise<void> {
    const attempt = attemptOf(message, this.options.settings.retry.maxAttempts);
    const decoded = decodeEnvelope(message, this.options.settings.limits);
    if (!decoded.ok) {
      // A decoding problem is in the bytes: no retry can fix it.
      const log = this.#log.child({ ...deliveryFields(message), attempt });
      return this.deadLetter(session, message, { reason: decoded.reason, error: decoded.error, attempts: attempt }, log);
    }
    const { envelope } = decoded;
    // Safe to log: the property check bounded these to what AMQP short strings can hold.
    const log = this.#log.child({ messageId: envelope.messageId, orderId: envelope.metadata.correlationId, event: envelope.name, attempt });
    const handler = this.handlerFor(envelope.name);
    if (!handler) {
      const error = `consumer ${this.definition.name} has no handler for event ${JSON.stringify(envelope.name)}`;
      return this.deadLetter(session, message, { reason: 'no-handler', error, attempts: attempt }, log);
    }
    let outcome: InboxOutcome;
    const endTimer = this.#handlerDuration.startTimer();
    try {
      outcome = await this.runHandler(handler, envelope, attempt, log);
    } catch (error) {
      endTimer();
      return this.afterFailure(session, message, attempt, error, log);
    }
    endTimer();
    this.acknowledge(session, message, log);
    if (outcome === 'duplicate') {
      this.stats.duplicates += 1;
      log.info('already handled: acknowledged without a second effect');
    } else {
      this.stats.handled += 1;
      log.debug('handled');
    }
  }

  /**
   * Runs the handler in its inbox transaction for at most the handler timeout. A handler that
   * overruns is left to finish in the background: its transaction keeps the inbox row, so if it
   * commits late the retry finds the row and is acknowledged as a duplicate; if it never ends,
   * each retry waits on the row for one timeout at most, then counts as failed too.
   */
  private async runHandler(handler: EventHandler, envelope: ReceivedEnvelope, attempt: number, log: Logger): Promise<InboxOutcome> {
    const timeoutMs = this.options.settings.handlerTimeoutMs;
    const abort = new AbortController();
    const { messageId, content, metadata } = envelope;
    const context = { messageId, name: envelope.name as EventName, metadata, attempt, log, signal: abort.signal };
    const running = handleOnce(this.options.db.db, this.definition.name, messageId, (tx) => handler(content, { ...context, tx }), {
      statementTimeoutMs: timeoutMs,
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HandlerTimeoutError(timeoutMs)), timeoutMs);
    });
    try {
      return await Promise.race([running, timedOut]);
    } catch (error) {
      if (error instanceof HandlerTimeoutError) {
        abort.abort(error);
        running.then(
          (late) => log.warn({ outcome: late }, 'a handler that timed out finished after all; its retry will find the inbox row'),
          (late: unknown) => log.warn({ err: late }, 'a handler that timed out failed after all; its transaction rolled back'),
        );
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private handlerFor(name: string): EventHandler | undefined {
    const { handlers } = this.definition;
    return Object.hasOwn(handlers, name) ? handlers[name as EventName] : undefined;
  }

  private async afterFailure(session: BrokerSession, message: ConsumeMessage, attempt: number, error: unknown, log: Logger): Promise<void> {
    const text = messageOf(error);
    recordFailure(trace.getActiveSpan(), error);
    if (error instanceof UnprocessableMessageError) {
      return this.deadLetter(session, message, { reason: 'unprocessable', error: text, attempts: attempt }, log);
    }
    const { retry } = this.options.settings;
    const outages = databaseOutagesOf(message);
    // The database was down, not the message at fault: the delivery waits the longest back-off and
    // comes back with the same attempt number, so a PostgreSQL restart slower than the whole retry
    // budget parks nothing. Bounded, in case "unavailable" is somehow this message's own doing.
    const outage = isDatabaseUnavailable(error) && retry.maxAttempts > 1 && outages < MAX_DATABASE_OUTAGE_RETRIES;
    if (!outage && attempt >= retry.maxAttempts) {
      return this.deadLetter(session, message, { reason: 'retries-exhausted', error: text, attempts: attempt }, log);
    }
    const delay = retryDelayMs(outage ? retry.maxAttempts - 1 : attempt, retry);
    const headers = outage
      ? { ...retryHeaders(message, attempt, text), [HEADER.databaseOutages]: outages + 1 }
      : retryHeaders(message, attempt + 1, text);
    await sendConfirmed(session.channel, retryQueueOf(this.definition.queue, delay), message.content, carriedProperties(message, headers));
    this.acknowledge(session, message, log);
    this.stats.retried += 1;
    if (outage) {
      this.stats.databaseOutageRetries += 1;
      log.warn({ err: error, retryInMs: delay, outages: outages + 1 }, 'database unavailable; retrying without counting the attempt');
    } else {
      log.warn({ err: error, retryInMs: delay, maxAttempts: retry.maxAttempts }, 'handler failed; retrying after back-off');
    }
  }

  /**
   * The runner's own code threw (not a handler: that is afterFailure). The message is parked
   * as internal-error; if even that fails, it is rejected, and the queue's dead-letter
   * settings move it to the DLQ. Only a closed channel leaves it to the broker to redeliver.
   */
  private async afterFault(session: BrokerSession, message: ConsumeMessage, fault: unknown): Promise<void> {
    const log = this.#log.child(deliveryFields(message));
    if (this.#settled.has(message)) {
      log.error({ err: fault }, 'failed after the delivery was settled');
      return;
    }
    if (session.broken) {
      log.warn({ err: fault }, 'the channel closed before the delivery was settled; the broker will deliver it again');
      return;
    }
    const error = `the consumer failed on this message: ${messageOf(fault)}`;
    try {
      await this.deadLetter(
        session,
        message,
        { reason: 'internal-error', error, attempts: attemptOf(message, this.options.settings.retry.maxAttempts) },
        log,
      );
      log.error({ err: fault }, 'parked after a fault in the consumer library');
    } catch (parkError) {
      log.error(
        { err: fault, parkError: messageOf(parkError) },
        'could not park a delivery after a fault; rejecting it so the broker dead-letters it',
      );
      this.reject(session, message, log);
    }
  }

  private async deadLetter(
    session: BrokerSession,
    message: ConsumeMessage,
    facts: Omit<DeadLetterFacts, 'consumer'>,
    log: Logger,
  ): Promise<void> {
    const queue = deadLetterQueueOf(this.definition.queue);
    const allFacts = { ...facts, consumer: this.definition.name };
    try {
      await sendConfirmed(session.channel, queue, message.content, carriedProperties(message, deadLetterHeaders(message, allFacts)));
    } catch (error) {
      if (session.broken) throw error;
      // The channel is fine, so most likely the publisher's own headers could not be sent again
      // (too large once ours are added, or not encodable): park it with ours alone rather than
      // not at all. If the broker refused the publish itself, this fails too and the caller rejects it.
      const headers = { ...deadLetterFactHeaders(allFacts), [HEADER.droppedHeaders]: truncate(messageOf(error)) };
      await sendConfirmed(session.channel, queue, message.content, carriedProperties(message, headers));
    }
    this.acknowledge(session, message, log);
    this.countDeadLetter(facts.reason);
    const span = trace.getActiveSpan();
    span?.setAttribute('messaging.rabbitmq.dead_letter_reason', facts.reason);
    recordFailure(span, facts.error, `parked in the dead-letter queue: ${facts.reason}`);
    log.error({ reason: facts.reason, error: facts.error, attempts: facts.attempts }, 'parked in the dead-letter queue');
  }

  private countDeadLetter(reason: DeadLetterReason): void {
    this.stats.deadLettered += 1;
    this.stats.deadLetteredByReason[reason] = (this.stats.deadLetteredByReason[reason] ?? 0) + 1;
  }

  private acknowledge(session: BrokerSession, message: ConsumeMessage, log: Logger): void {
    try {
      session.channel.ack(message);
      this.#settled.add(message);
    } catch (error) {
      // The channel is gone and the broker will redeliver: a committed effect is then a
      // duplicate the inbox absorbs; a retry or dead-letter copy is simply sent again.
      log.warn({ err: error }, 'could not acknowledge: the channel closed; the broker will deliver it again');
    }
  }

  /** The last resort: the queue's dead-letter settings route a rejected message to `<queue>.dlq`. */
  private reject(session: BrokerSession, message: ConsumeMessage, log: Logger): void {
    try {
      session.channel.nack(message, false, false);
      this.#settled.add(message);
      // The broker's dead-letter reason `rejected` reads back as internal-error (dead-letter-queue.ts).
      this.countDeadLetter('internal-error');
    } catch (error) {
      log.warn({ err: error }, 'could not reject: the channel closed; the broker will deliver it again');
    }
  }
}

/** A handler call outlived CONSUMER_HANDLER_TIMEOUT_MS: a failed attempt like any other. */
export class HandlerTimeoutError extends Error {
  override readonly name = 'HandlerTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`the handler did not finish within ${timeoutMs} ms (CONSUMER_HANDLER_TIMEOUT_MS)`);
  }
}

/** With the default policy's longest back-off (8 s), about half an hour of outage before the attempts count again. */
const MAX_DATABASE_OUTAGE_RETRIES = 225;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * What a log line may say about a delivery not yet decoded: the AMQP properties that identify
 * it, which are short strings (at most 255 bytes) by the protocol; never its body or headers.
 */
const deliveryFields = (message: ConsumeMessage): Record<string, string | undefined> => {
  const { messageId, correlationId, type } = message.properties;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return { messageId: text(messageId), orderId: text(correlationId), event: text(type) };
};
