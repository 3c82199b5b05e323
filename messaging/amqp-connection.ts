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
