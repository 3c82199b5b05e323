import { pino, type Logger } from 'pino';

export type { Logger };

/** One JSON logger per process; children add orderId / correlationId to each line. */
export function createLogger(name: string, level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, base: { process: name }, timestamp: pino.stdTimeFunctions.isoTime });
}
