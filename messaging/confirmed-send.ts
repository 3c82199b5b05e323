import type { ConfirmChannel, Options } from 'amqplib';

/** Sends to a queue (through the default exchange) and resolves once the broker confirmed it. */
export function sendConfirmed(channel: ConfirmChannel, queue: string, content: Buffer, options: Options.Publish): Promise<void> {
  return new Promise((resolve, reject) => {
    try {
      channel.sendToQueue(queue, content, options, (error: unknown) => {
        if (error) reject(error instanceof Error ? error : new Error(`broker refused the message for ${queue}: ${String(error)}`));
        else resolve();
      });
    } catch (error) {
      reject(error);
    }
  });
}
