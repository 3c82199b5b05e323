import type { ChannelModel, ConsumeMessage, MessageProperties } from 'amqplib';
import amqp from 'amqplib';
import type { Envelope } from '../../messaging/envelope';
import { uniqueSuffix } from '../../tools/environment/run-identity';
import { contractViolations } from '../../tools/contracts/check-message';

export interface ReceivedEvent {
  envelope: Envelope;
  properties: MessageProperties;
  routingKey: string;
}

/**
 * A real queue bound to the events exchange that records every message it receives, the way
 * a consumer would see them. The queue is exclusive, so the broker deletes it with the probe.
 * Every message is checked against the events' AsyncAPI document (tools/contracts/check-message.ts):
 * what breaks it is listed in `contractViolations`, and the test stack fails to close over any.
 */
export class EventProbe {
  readonly received: ReceivedEvent[] = [];
  /** One line per message that does not match the published contract, naming it and why. */
  readonly contractViolations: string[] = [];
  #waiters = new Set<() => void>();

  private constructor(private readonly connection: ChannelModel) {}

  static async bind(amqpUrl: string, exchange: string, pattern = '#'): Promise<EventProbe> {
    const connection = await amqp.connect(amqpUrl, { clientProperties: { connection_name: `probe-${exchange}` } });
    const probe = new EventProbe(connection);
    const channel = await connection.createChannel();
    const { queue } = await channel.assertQueue(`${exchange}.probe.${uniqueSuffix()}`, { exclusive: true, durable: false });
    await channel.bindQueue(queue, exchange, pattern);
    await channel.consume(queue, (message) => message && probe.record(message), { noAck: true });
    return probe;
  }

  private record(message: ConsumeMessage): void {
    const { routingKey } = message.fields;
    let body: unknown;
    try {
      body = JSON.parse(message.content.toString('utf8'));
    } catch {
      this.contractViolations.push(`${routingKey} ${String(message.properties.messageId)}: the body is not JSON`);
      return;
    }
    const problems = contractViolations(routingKey, body, message.properties.headers ?? {});
    if (problems.length > 0) this.contractViolations.push(`${routingKey} ${String(message.properties.messageId)}: ${problems.join('; ')}`);
    this.received.push({ envelope: body as Envelope, properties: message.properties, routingKey });
    for (const wake of this.#waiters) wake();
  }

  forOrder(orderId: string): ReceivedEvent[] {
    return this.received.filter((event) => event.envelope.metadata.correlationId === orderId);
  }

  namesFor(orderId: string): string[] {
    return this.forOrder(orderId).map((event) => event.envelope.name);
  }

  /** Resolves once `done` holds for what was received, or rejects after `timeoutMs`. */
  async waitUntil(done: (received: readonly ReceivedEvent[]) => boolean, timeoutMs = 20_000, what = 'events'): Promise<void> {
    if (done(this.received)) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; received ${this.received.length} messages`));
      }, timeoutMs);
      const check = () => {
        if (!done(this.received)) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
    });
  }

  /** Waits until the order's event names end with `last`. */
  waitForOrderEvent(orderId: string, last: string, timeoutMs?: number): Promise<void> {
    return this.waitUntil(() => this.namesFor(orderId).includes(last), timeoutMs, `${last} of order ${orderId}`);
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}
