import type { ChannelModel, ConfirmChannel, Options } from 'amqplib';
import { connectAmqp } from '../messaging/amqp-connection';
import type { Envelope } from '../messaging/envelope';
import { assertEventsTopology } from '../messaging/topology';
import type { Logger } from '../logging/logger';
import type { OutboxRow } from './outbox-row';

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
 * Publishes outbox rows on a confirm channel: persistent, with the envelope's ids as AMQP
 * properties. Keeps at most `maxInFlight` messages unconfirmed and waits for `drain` whenever
 * the channel's write buffer is full.
 */
export class ConfirmPublisher {
  #broken: Error | undefined;
  readonly #brokenListeners = new Set<(error: Error) => void>();

  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: ConfirmChannel,
    private readonly exchange: string,
  ) {
    const breakWith = (error: Error) => {
      this.#broken ??= error;
      for (const listener of this.#brokenListeners) listener(this.#broken);
    };
    connection.on('close', (error?: Error) => breakWith(error ?? new Error('AMQP connection closed')));
    channel.on('close', () => breakWith(new Error('AMQP channel closed')));
  }

  static async open(url: string, name: string, exchange: string, log: Logger): Promise<ConfirmPublisher> {
    const connection = await connectAmqp(url, name, log);
    try {
      const channel = await connection.createConfirmChannel();
      channel.on('error', (error: Error) => log.error({ err: error, exchange }, 'AMQP publish channel error'));
      await assertEventsTopology(channel, exchange);
      return new ConfirmPublisher(connection, channel, exchange);
    } catch (error) {
      await connection.close().catch(() => {});
      throw error;
    }
  }

  get broken(): Error | undefined {
    return this.#broken;
  }

  /** Resolves once the connection or channel breaks. */
  onBroken(listener: (error: Error) => void): () => void {
    if (this.#broken) listener(this.#broken);
    this.#brokenListeners.add(listener);
    return () => void this.#brokenListeners.delete(listener);
  }

  async publishAll(rows: readonly OutboxRow[], maxInFlight: number): Promise<PublishResults> {
    const results: PublishResults = { confirmed: [], refused: [] };
    let stopListening = () => {};
    const brokenSignal = new Promise<Error>((resolve) => {
      stopListening = this.onBroken(resolve);
    });
    try {
      await this.publishEach(rows, maxInFlight, results, brokenSignal);
    } finally {
      stopListening();
    }
    if (this.#broken) results.broken = this.#broken;
    // A refusal caused by the channel closing is not the row's fault: it is simply unconfirmed.
    if (results.broken) results.refused = [];
    return results;
  }

  private async publishEach(
    rows: readonly OutboxRow[],
    maxInFlight: number,
    results: PublishResults,
    brokenSignal: Promise<Error>,
  ): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    // Once one of an order's rows is refused, its later rows wait for the next batch (behind
    // the refused one's back-off), so they cannot overtake it.
    const held = new Set<string>();
    const refuse = (row: OutboxRow, error: unknown) => {
      held.add(row.aggregateId);
      results.refused.push({ id: row.id, error: messageOf(error) });
    };
    for (const row of rows) {
      if (this.#broken) break;
      if (held.has(row.aggregateId)) continue;
      while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
      if (held.has(row.aggregateId)) continue;
      let writable = true;
      const confirmation = new Promise<void>((resolve) => {
        try {
          const { body, properties } = outboxMessage(row);
          writable = this.channel.publish(this.exchange, row.name, body, properties, (error) => {
            if (error) refuse(row, error);
            else results.confirmed.push(row.id);
            resolve();
          });
        } catch (error) {
          // Thrown synchronously: either the channel is gone, or this one message cannot be
          // encoded (a header table over 64 KiB, say), which is the row's fault alone.
          if (!this.#broken) refuse(row, error);
          resolve();
        }
      });
      const tracked = confirmation.then(() => void inFlight.delete(tracked));
      inFlight.add(tracked);
      if (!writable) await Promise.race([new Promise((resolve) => this.channel.once('drain', resolve)), brokenSignal]);
    }
    // amqplib calls back every outstanding publish, with an error, when the channel closes.
    await Promise.all(inFlight);
  }

  async close(): Promise<void> {
    await this.channel.close().catch(() => {});
    await this.connection.close().catch(() => {});
  }
}

/** The AMQP message a row becomes (the benchmarks' raw publisher sends exactly these). */
export function outboxMessage(row: OutboxRow): { body: Buffer; properties: Options.Publish } {
  const envelope: Envelope = { messageId: row.id, name: row.name, content: row.payload, metadata: row.metadata };
  return { body: Buffer.from(JSON.stringify(envelope)), properties: propertiesOf(row) };
}

function propertiesOf(row: OutboxRow): Options.Publish {
  return {
    persistent: true,
    messageId: row.id,
    type: row.name,
    contentType: 'application/json',
    correlationId: row.metadata.correlationId,
    timestamp: Math.floor(Date.parse(row.metadata.createdUtc) / 1000),
    appId: 'saga-orchestrator',
    headers: { correlationId: row.metadata.correlationId, causationId: row.metadata.causationId },
  };
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
