import type { ChannelModel, ConfirmChannel } from 'amqplib';
import type { Logger } from '../logging/logger';
import { connectAmqp } from './amqp-connection';

export interface BrokerSessionOptions {
  /** Unacknowledged deliveries the broker may send on the channel; unset on a channel that only publishes. */
  prefetch?: number;
  /** Runs on the fresh channel before the session is handed out: declares the topology. */
  prepare?: (channel: ConfirmChannel) => Promise<void>;
}

/**
 * One named broker connection and its confirm channel, the way every client of the broker
 * holds them: the outbox relay publishes on it, and a consumer instance takes deliveries on it
 * and publishes retries and dead letters with confirms. It breaks, for good, when either closes
 * (or its owner calls it broken); superviseBrokerSession then opens another.
 */
export class BrokerSession {
  #broken: Error | undefined;
  readonly #brokenListeners = new Set<(error: Error) => void>();

  private constructor(
    private readonly connection: ChannelModel,
    readonly channel: ConfirmChannel,
  ) {
    connection.on('close', (error?: Error) => this.markBroken(error ?? new Error('AMQP connection closed')));
    channel.on('close', () => this.markBroken(new Error('AMQP channel closed')));
  }

  /** Connects (the name shows in the broker's connection list), opens a confirm channel and prepares it. */
  static async open(url: string, name: string, log: Logger, options: BrokerSessionOptions = {}): Promise<BrokerSession> {
    const connection = await connectAmqp(url, name, log);
    try {
      const channel = await connection.createConfirmChannel();
      channel.on('error', (error: Error) => log.error({ err: error, connection: name }, 'AMQP channel error'));
      if (options.prefetch !== undefined) await channel.prefetch(options.prefetch);
      await options.prepare?.(channel);
      return new BrokerSession(connection, channel);
    } catch (error) {
      await connection.close().catch(() => {});
      throw error;
    }
  }

  /** Why the session broke; undefined while it works. */
  get broken(): Error | undefined {
    return this.#broken;
  }

  /** Calls `listener` once the session breaks, at once if it has; returns a function that stops listening. */
  onBroken(listener: (error: Error) => void): () => void {
    if (this.#broken) {
      listener(this.#broken);
      return () => {};
    }
    this.#brokenListeners.add(listener);
    return () => void this.#brokenListeners.delete(listener);
  }

  /** Resolves with the error once the session breaks. */
  whenBroken(): Promise<Error> {
    return new Promise((resolve) => this.onBroken(resolve));
  }

  markBroken(error: Error): void {
    if (this.#broken) return;
    this.#broken = error;
    for (const listener of this.#brokenListeners) listener(error);
    this.#brokenListeners.clear();
  }

  /** Closing requeues whatever is still unacknowledged on the channel. */
  async close(): Promise<void> {
    this.markBroken(new Error('broker session closed'));
    await this.channel.close().catch(() => {});
    await this.connection.close().catch(() => {});
  }
}
