import { setTimeout as sleep } from 'node:timers/promises';
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import type { Envelope } from '../../messaging/envelope';
import { contractViolations } from '../contracts/check-message';

export interface ProbeDelivery {
  messageId: string;
  orderId: string;
  name: string;
  /** Position among first deliveries, across all orders. */
  firstIndex: number;
  firstAt: number;
  deliveries: number;
}

export const PROBE_QUEUE = 'chaos.probe';

/**
 * A durable queue bound `#` on the events exchange, consumed by the harness: it records every
 * message's first delivery (and counts the repeats), as a consumer would see them. Being
 * durable, it keeps what arrives while the broker has dropped the harness's connection too.
 */
export class DeliveryProbe {
  readonly byMessageId = new Map<string, ProbeDelivery>();
  /** Each order's message ids in the order of their first delivery. */
  readonly firstDeliveriesByOrder = new Map<string, string[]>();
  reconnects = 0;
  unparseable = 0;
  /** One line per first delivery that breaks the events' published contract (docs/asyncapi.json), naming it and why. */
  readonly contractViolations: string[] = [];
  #connection: ChannelModel | undefined;
  #closing = false;
  #loop: Promise<void> | undefined;

  constructor(
    private readonly amqpUrl: string,
    private readonly exchange: string,
  ) {}

  /** Declares and binds the queue, then keeps consuming it until close(). */
  async start(): Promise<void> {
    const { broken } = await this.connect();
    this.#loop = this.keepConnected(broken);
  }

  get duplicates(): number {
    let repeats = 0;
    for (const delivery of this.byMessageId.values()) repeats += delivery.deliveries - 1;
    return repeats;
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.#connection?.close().catch(() => {});
    await this.#loop;
  }

  /** Resolves once consuming; `broken` settles when the connection closes. */
  private async connect(): Promise<{ broken: Promise<void> }> {
    const connection = await amqp.connect(this.amqpUrl, { clientProperties: { connection_name: 'chaos-probe' } });
    const broken = new Promise<void>((resolve) => {
      connection.on('close', () => resolve());
      // An 'error' is followed by 'close'; listening keeps it from becoming an uncaught exception.
      connection.on('error', () => {});
    });
    const channel = await connection.createChannel();
    channel.on('error', () => {});
    await channel.assertQueue(PROBE_QUEUE, { durable: true });
    await channel.bindQueue(PROBE_QUEUE, this.exchange, '#');
    await channel.prefetch(500);
    await channel.consume(PROBE_QUEUE, (message) => message && this.record(channel, message));
    this.#connection = connection;
    return { broken };
  }

  private async keepConnected(firstBreak: Promise<void>): Promise<void> {
    let broken = firstBreak;
    for (;;) {
      await broken;
      if (this.#closing) return;
      for (let attempt = 1; ; attempt++) {
        try {
          ({ broken } = await this.connect());
          this.reconnects += 1;
          break;
        } catch (error) {
          if (this.#closing) return;
          if (attempt % 20 === 0)
            process.stderr.write(`chaos probe: still reconnecting (${error instanceof Error ? error.message : String(error)})\n`);
          await sleep(Math.min(2000, 100 * attempt));
        }
      }
    }
  }

  private record(channel: Channel, message: ConsumeMessage): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(message.content.toString('utf8')) as Envelope;
    } catch {
      this.unparseable += 1;
      acknowledge(channel, message);
      return;
    }
    const seen = this.byMessageId.get(envelope.messageId);
    if (seen) {
      seen.deliveries += 1;
    } else {
      const problems = contractViolations(message.fields.routingKey, envelope, message.properties.headers ?? {});
      if (problems.length > 0) this.contractViolations.push(`${envelope.name} ${envelope.messageId}: ${problems.join('; ')}`);
      const orderId = envelope.metadata.correlationId;
      this.byMessageId.set(envelope.messageId, {
        messageId: envelope.messageId,
        orderId,
        name: envelope.name,
        firstIndex: this.byMessageId.size,
        firstAt: Date.now(),
        deliveries: 1,
      });
      const list = this.firstDeliveriesByOrder.get(orderId) ?? [];
      list.push(envelope.messageId);
      this.firstDeliveriesByOrder.set(orderId, list);
    }
    acknowledge(channel, message);
  }
}

function acknowledge(channel: Channel, message: ConsumeMessage): void {
  try {
    channel.ack(message);
  } catch {
    // The channel closed under us: the broker delivers the message again, and the repeat is
    // counted as a duplicate, which is what it is.
  }
}
