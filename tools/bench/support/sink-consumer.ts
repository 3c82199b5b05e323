import amqp, { type ChannelModel } from 'amqplib';

/**
 * A consumer on the run's sink queue that notes when each message arrived (performance.now(),
 * the clock the producer notes commits with), acking each one as a real consumer would.
 */
export class SinkConsumer {
  readonly receivedAt = new Map<string, number>();

  private constructor(private readonly connection: ChannelModel) {}

  static async start(amqpUrl: string, queue: string): Promise<SinkConsumer> {
    const connection = await amqp.connect(amqpUrl, { clientProperties: { connection_name: 'bench-sink-consumer' } });
    const consumer = new SinkConsumer(connection);
    const channel = await connection.createChannel();
    await channel.prefetch(500);
    await channel.consume(queue, (message) => {
      if (!message) return;
      const at = performance.now();
      const id = message.properties.messageId as string;
      if (!consumer.receivedAt.has(id)) consumer.receivedAt.set(id, at);
      channel.ack(message);
    });
    return consumer;
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
