import type { Sql } from 'postgres';
import type { Logger } from '../logging/logger';
import { reusedAmqpConnection } from '../messaging/amqp-connection';
import type { SagaClient } from '../saga-client/saga-client';

export const DEPENDENCY_NAMES = ['temporal', 'postgres', 'rabbitmq'] as const;
export type DependencyName = (typeof DEPENDENCY_NAMES)[number];

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
  sagas: Pick<SagaClient, 'ping'>;
  sql: Sql;
  amqpUrl: string;
  /** How long one probe's answer is reused: /readyz polled by many callers costs one probe per period. */
  cacheMs: number;
  connectionName: string;
  log: Logger;
}

const TIMEOUT_MS = 3000;

/**
 * Probes each dependency the API needs over the connections it keeps (the saga client's, the
 * Postgres pool, one broker connection opened once and again after it is lost), each within a
 * few seconds, and reuses each answer for `cacheMs`. Concurrent callers share a probe in flight.
 */
export function createReadinessChecker(options: ReadinessOptions): ReadinessChecker {
  const { sagas, sql, amqpUrl, cacheMs, connectionName, log } = options;
  const broker = reusedAmqpConnection(amqpUrl, connectionName, log);
  const probes: Record<DependencyName, () => Promise<unknown>> = {
    temporal: () => sagas.ping(TIMEOUT_MS),
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
