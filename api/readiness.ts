import type { Client } from '@temporalio/client';
import type { Sql } from 'postgres';
import type { Logger } from '../logging/logger';
import { reusedAmqpConnection } from '../messaging/amqp-connection';

export type DependencyName = 'temporal' | 'postgres' | 'rabbitmq';

export interface DependencyCheck {
  up: boolean;
  /** Why it is down: for operators (the admin answer and the log), never for anonymous callers. */
  error?: string;
  /** When this answer was probed: answers are reused for the cache period. */
  checkedAt: string;
}

export type Readiness = Record<DependencyName, DependencyCheck>;

export interface ReadinessChecker {
  /** The broker connection's name, as the broker lists it. */
  readonly connectionName: string;
  check(): Promise<Readiness>;
  close(): Promise<void>;
}

export interface ReadinessOptions {
  client: Client;
  sql: Sql;
  amqpUrl: string;
  /** How long one probe's answer is reused: /readyz polled by many callers costs one probe per period. */
  cacheMs: number;
  connectionName: string;
  log: Logger;
}

const TIMEOUT_MS = 3000;

/**
 * Probes each dependency the API needs over the connections it keeps (the Temporal client, the
 * Postgres pool, one broker connection opened once and again after it is lost), each within a
 * few seconds, and reuses each answer for `cacheMs`. Concurrent callers share a probe in flight.
 */
export function createReadinessChecker(options: ReadinessOptions): ReadinessChecker {
  const { client, sql, amqpUrl, cacheMs, connectionName, log } = options;
  const broker = reusedAmqpConnection(amqpUrl, connectionName, log);
  const probes: Record<DependencyName, () => Promise<unknown>> = {
    // A deadline, not only a timer: the client's retries of an unavailable server stop with it.
    temporal: () => client.connection.withDeadline(Date.now() + TIMEOUT_MS, () => client.workflowService.getSystemInfo({})),
    postgres: () => sql`SELECT 1`,
    // Opening and closing a channel is a round trip to the broker on the kept connection.
    rabbitmq: async () => {
      const channel = await (await broker.get()).createChannel();
      await channel.close();
    },
  };
  // A probe that timed out may sit on a connection that died without a word: start afresh next time.
  const onTimeout: Partial<Record<DependencyName, () => void>> = { rabbitmq: () => broker.reset() };
  /** Each dependency's latest probe: `settledAt` unset while it is in flight. */
  const latest = new Map<DependencyName, { answer: Promise<DependencyCheck>; settledAt?: number }>();

  const checkOne = (name: DependencyName): Promise<DependencyCheck> => {
    const entry = latest.get(name);
    if (entry && (entry.settledAt === undefined || performance.now() - entry.settledAt < cacheMs)) return entry.answer;
    const fresh: { answer: Promise<DependencyCheck>; settledAt?: number } = {
      answer: probe(probes[name], onTimeout[name]).then((check) => {
        fresh.settledAt = performance.now();
        if (!check.up) log.warn({ dependency: name, error: check.error }, 'readiness probe failed');
        return check;
      }),
    };
    latest.set(name, fresh);
    return fresh.answer;
  };

  return {
    connectionName,
    async check() {
      const [temporal, postgres, rabbitmq] = await Promise.all([checkOne('temporal'), checkOne('postgres'), checkOne('rabbitmq')]);
      return { temporal, postgres, rabbitmq };
    },
    close: () => broker.close(),
  };
}

async function probe(check: () => Promise<unknown>, onTimeout?: () => void): Promise<DependencyCheck> {
  const checkedAt = new Date().toISOString();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new Error(`no answer within ${TIMEOUT_MS} ms`));
    }, TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return { up: true, checkedAt };
  } catch (error) {
    return { up: false, error: error instanceof Error ? error.message : String(error), checkedAt };
  } finally {
    clearTimeout(timer);
  }
}
