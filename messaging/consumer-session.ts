import type { ChannelModel, ConfirmChannel } from 'amqplib';
import type { Logger } from '../logging/logger';
import { connectAmqp } from './amqp-connection';

/**
 * One connection and confirm channel of a consumer instance: deliveries arrive on it, and
 * retries and dead letters are published on it with confirms. It breaks, for good, when either
 * closes; the runner then opens a new one.
 */
export class ConsumerSession {
  /** Set while the session has an active basic.consume. */
  consumerTag: string | undefined;
  readonly broken: Promise<Error>;
  #brokenWith: Error | undefined;
  #resolveBroken!: (error: Error) => void;

  private constructor(
    private readonly connection: ChannelModel,
    readonly channel: ConfirmChannel,
  ) {
    this.broken = new Promise((resolve) => (this.#resolveBroken = resolve));
    connection.on('close', (error?: Error) => this.markBroken(error ?? new Error('AMQP connection closed')));
    channel.on('close', () => this.markBroken(new Error('AMQP channel closed')));
  }

  /** Connects, opens a confirm channel with `prefetch`, and runs `prepare` (topology) on it. */
  static async open(
    url: string,
    connectionName: string,
    prefetch: number,
    log: Logger,
    prepare: (channel: ConfirmChannel) => Promise<void>,
  ): Promise<ConsumerSession> {
    const connection = await connectAmqp(url, connectionName, log);
    try {
      const channel = await connection.createConfirmChannel();
      channel.on('error', (error: Error) => log.error({ err: error, connection: connectionName }, 'AMQP consumer channel error'));
      await channel.prefetch(prefetch);
      await prepare(channel);
      return new ConsumerSession(connection, channel);
    } catch (error) {
      await connection.close().catch(() => {});
      throw error;
    }
  }

  get isBroken(): boolean {
    return this.#brokenWith !== undefined;
  }

  markBroken(error: Error): void {
    if (this.#brokenWith) return;
    this.#brokenWith = error;
    this.consumerTag = undefined;
    this.#resolveBroken(error);
  }

  /** Closing requeues whatever is still unacknowledged on the channel. */
  async close(): Promise<void> {
    this.markBroken(new Error('consumer session closed'));
    await this.channel.close().catch(() => {});
    await this.connection.close().catch(() => {});
  }
}
