import amqp, { type ChannelModel } from 'amqplib';
import type { Logger } from '../logging/logger';

/**
 * Opens a named AMQP connection (the name shows in the broker's connection list) that logs
 * its error, blocked and close events, so a broker problem is never silent.
 */
export async function connectAmqp(url: string, name: string, log: Logger): Promise<ChannelModel> {
  const connection = await amqp.connect(url, { clientProperties: { connection_name: name } });
  connection.on('error', (error: Error) => log.error({ err: error, connection: name }, 'AMQP connection error'));
  connection.on('blocked', (reason: string) => log.warn({ reason, connection: name }, 'AMQP connection blocked by the broker'));
  connection.on('unblocked', () => log.info({ connection: name }, 'AMQP connection unblocked'));
  connection.on('close', (error?: Error) => {
    if (error) log.warn({ err: error, connection: name }, 'AMQP connection lost');
    else log.debug({ connection: name }, 'AMQP connection closed');
  });
  return connection;
}

/** A named broker connection held for reuse: opened on first use and again after it closed. */
export interface ReusedAmqpConnection {
  readonly name: string;
  get(): Promise<ChannelModel>;
  /** Lets go of the connection (closing it, once open) so the next get() opens a fresh one. */
  reset(): void;
  close(): Promise<void>;
}

export function reusedAmqpConnection(url: string, name: string, log: Logger): ReusedAmqpConnection {
  let connecting: Promise<ChannelModel> | undefined;
  return {
    name,
    get() {
      if (!connecting) {
        const attempt = connectAmqp(url, name, log);
        const forget = () => {
          if (connecting === attempt) connecting = undefined;
        };
        attempt.then((connection) => connection.on('close', forget), forget);
        connecting = attempt;
      }
      return connecting;
    },
    reset() {
      const pending = connecting;
      connecting = undefined;
      // Closed whenever it opens: an attempt still under way must not leave a connection behind.
      pending
        ?.then((connection) => connection.close())
        .catch((error: unknown) => log.debug({ err: error, connection: name }, 'dropped AMQP connection did not close cleanly'));
    },
    async close() {
      const pending = connecting;
      connecting = undefined;
      // A connection that never opened has nothing to close.
      const connection = await pending?.catch(() => undefined);
      await connection
        ?.close()
        .catch((error: unknown) => log.debug({ err: error, connection: name }, 'AMQP connection was already closed'));
    },
  };
}
