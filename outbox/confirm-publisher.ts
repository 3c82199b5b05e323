import type { Span } from '@opentelemetry/api';
import type { Options } from 'amqplib';
import type { BrokerSession } from '../messaging/broker-session';
import { SCHEMA_VERSION_HEADER, schemaVersionOf, type Envelope } from '../messaging/envelope';
import type { OutboxRow } from './outbox-row';
import { recordFailure, startPublishSpan, traceHeadersOf } from '../telemetry/messaging-spans';
import type { TraceCarrier } from '../telemetry/trace-context';
import { tracingOn } from '../telemetry/tracing-state';

export interface PublishResults {
  /** Rows the broker confirmed: safe to mark published. */
  confirmed: string[];
  /**
   * Rows the broker refused (nack) or the client could not encode: retry later with back-off.
   * A nack arrives after later rows were sent, so those may overtake the refused one; the
   * broker nacks only on internal errors, so this is rare, and consumers dedupe anyway.
   */
  refused: { id: string; error: string }[];
  /** Set when the connection or channel broke mid-batch; rows in neither list were not confirmed. */
  broken?: Error;
}

/**
 * Publishes outbox rows on a broker session's confirm channel: persistent, with the envelope's
 * ids as AMQP properties. Keeps at most `maxInFlight` messages unconfirmed on the channel, over
 * every batch together, waits for `drain` whenever the channel's write buffer is full, and stops
 * sending once the session breaks.
 *
 * Several batches may be handed over at once: they take turns to send, in the order they were
 * handed over, and a batch's turn ends with its last send, not its last confirm. So the next
 * batch keeps the broker busy while the previous one's confirms come back and it is marked
 * published, and no two batches' messages interleave on the channel.
 */
export class ConfirmPublisher {
  /** Messages sent and not yet confirmed or refused, over every batch. */
  #unconfirmed = 0;
  /** The sender waiting for a free slot in the window (there is only one: batches take turns). */
  #slotFreed: (() => void) | undefined;
  /** Set while the channel's write buffer is full; resolves on `drain` or when the channel breaks. */
  #drained: Promise<void> | undefined;
  /** Resolves when the batch handed over last has sent its last message. */
  #lastTurn: Promise<void> = Promise.resolve();
  /** Resolves when the batch handed over last has begun to send. */
  #lastTurnTaken: Promise<void> = Promise.resolve();

  /** `session` has the events exchange declared (assertEventsTopology); it is its owner's to close. */
  constructor(
    private readonly session: BrokerSession,
    private readonly exchange: string,
    private readonly maxInFlight: number,
  ) {
    // A sender waiting for a slot stops waiting: nothing more is sent on a broken session.
    session.onBroken(() => this.#slotFreed?.());
  }

  private get broken(): Error | undefined {
    return this.session.broken;
  }

  /** Resolves once every batch handed over has begun to send (none waits for its turn). */
  allSending(): Promise<void> {
    return this.#lastTurnTaken;
  }

  /** Sends the rows once the batches handed over before have sent theirs; resolves when all are settled. */
  async publishAll(rows: readonly OutboxRow[]): Promise<PublishResults> {
    const results: PublishResults = { confirmed: [], refused: [] };
    const batch = new BatchConfirmations();
    const previousTurn = this.#lastTurn;
    let endTurn = () => {};
    let takeTurn = () => {};
    this.#lastTurn = new Promise((resolve) => (endTurn = resolve));
    this.#lastTurnTaken = new Promise((resolve) => (takeTurn = resolve));
    try {
      await previousTurn;
      takeTurn();
      await this.sendEach(rows, results, batch);
    } finally {
      takeTurn();
      endTurn();
    }
    // amqplib calls back every outstanding publish, with an error, when the channel closes.
    await batch.allSettled();
    if (this.broken) results.broken = this.broken;
    // A refusal caused by the channel closing is not the row's fault: it is simply unconfirmed.
    if (results.broken) results.refused = [];
    return results;
  }

  private async sendEach(rows: readonly OutboxRow[], results: PublishResults, batch: BatchConfirmations): Promise<void> {
    // Once one of an order's rows is refused, its later rows wait for the next batch (behind
    // the refused one's back-off), so they cannot overtake it.
    const held = new Set<string>();
    const refuse = (row: OutboxRow, error: unknown) => {
      held.add(row.aggregateId);
      results.refused.push({ id: row.id, error: messageOf(error) });
    };
    try {
      for (const row of rows) {
        if (this.broken) return;
        if (held.has(row.aggregateId)) continue;
        if (this.#unconfirmed >= this.maxInFlight || this.#drained) {
          await this.sendSlot();
          if (this.broken) return;
        }
        // A refusal may have come back while we waited.
        if (held.has(row.aggregateId)) continue;
        const writable = this.sendOne(row, results, batch, refuse);
        if (!writable) this.waitForDrain();
      }
    } finally {
      batch.sentAll();
    }
  }

  /** Resolves once the window has a free slot and the write buffer has room (or the channel broke). */
  private async sendSlot(): Promise<void> {
    while (this.#unconfirmed >= this.maxInFlight && !this.broken) await new Promise<void>((resolve) => (this.#slotFreed = resolve));
    if (this.#drained) await this.#drained;
  }

  /** Publishes one row; returns false when the channel's write buffer is full. */
  private sendOne(
    row: OutboxRow,
    results: PublishResults,
    batch: BatchConfirmations,
    refuse: (row: OutboxRow, error: unknown) => void,
  ): boolean {
    let writable: boolean;
    // From the send to the broker's confirm; a child of the step that wrote the row.
    const span: Span | undefined = tracingOn() ? startPublishSpan(this.exchange, publishedMessageOf(row)) : undefined;
    try {
      const { body, properties } = outboxMessage(row, span && traceHeadersOf(span));
      writable = this.session.channel.publish(this.exchange, row.name, body, properties, (error) => {
        this.#unconfirmed -= 1;
        if (error) {
          refuse(row, error);
          recordFailure(span, error, 'the broker refused the message');
        } else results.confirmed.push(row.id);
        span?.end();
        batch.settleOne();
        const wakeSender = this.#slotFreed;
        this.#slotFreed = undefined;
        wakeSender?.();
      });
    } catch (error) {
      // Thrown synchronously (amqplib then keeps no callback): either the channel is gone, or
      // this one message cannot be encoded (a header table over 64 KiB, say), the row's fault alone.
      if (!this.broken) refuse(row, error);
      recordFailure(span, error);
      span?.end();
      return true;
    }
    this.#unconfirmed += 1;
    batch.sentOne();
    return writable;
  }

  private waitForDrain(): void {
    if (this.#drained || this.broken) return;
    let stopListening = () => {};
    this.#drained = new Promise<void>((resolve) => {
      const done = () => {
        this.session.channel.off('drain', done);
        stopListening();
        this.#drained = undefined;
        resolve();
      };
      this.session.channel.once('drain', done);
      // Not broken yet (checked above), so this does not call `done` at once.
      stopListening = this.session.onBroken(done);
    });
  }
}

/** Counts one batch's unsettled messages, without a promise per message. */
class BatchConfirmations {
  #pending = 0;
  #sending = true;
  #settled = () => {};
  readonly #all = new Promise<void>((resolve) => (this.#settled = resolve));

  sentOne(): void {
    this.#pending += 1;
  }

  settleOne(): void {
    this.#pending -= 1;
    if (!this.#sending && this.#pending === 0) this.#settled();
  }

  /** No more sends; called also when sending stopped early, since the channel broke. */
  sentAll(): void {
    this.#sending = false;
    if (this.#pending === 0) this.#settled();
  }

  allSettled(): Promise<void> {
    return this.#all;
  }
}

/**
 * The AMQP message a row becomes (the benchmarks' raw publisher sends exactly these), with the
 * publish span's `traceparent` / `tracestate` in its headers when tracing is on.
 */
export function outboxMessage(row: OutboxRow, trace?: TraceCarrier): { body: Buffer; properties: Options.Publish } {
  const envelope: Envelope = { messageId: row.id, name: row.name, content: row.payload, metadata: row.metadata };
  const properties = propertiesOf(row);
  if (trace) properties.headers = { ...properties.headers, ...trace };
  return { body: Buffer.from(JSON.stringify(envelope)), properties };
}

const publishedMessageOf = (row: OutboxRow) => ({
  messageId: row.id,
  routingKey: row.name,
  correlationId: row.metadata.correlationId,
  traceContext: row.traceContext,
});

function propertiesOf(row: OutboxRow): Options.Publish {
  return {
    persistent: true,
    messageId: row.id,
    type: row.name,
    contentType: 'application/json',
    correlationId: row.metadata.correlationId,
    timestamp: Math.floor(Date.parse(row.metadata.createdUtc) / 1000),
    appId: 'saga-orchestrator',
    headers: {
      correlationId: row.metadata.correlationId,
      causationId: row.metadata.causationId,
      [SCHEMA_VERSION_HEADER]: schemaVersionOf(row.metadata),
    },
  };
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
