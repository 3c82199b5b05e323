import type { Client } from '@temporalio/client';
import amqp from 'amqplib';
import type { Sql } from 'postgres';

export type DependencyName = 'temporal' | 'postgres' | 'rabbitmq';
export type Readiness = Record<DependencyName, { up: boolean; error?: string }>;

const TIMEOUT_MS = 3000;

/** Checks each dependency the API needs, at once and each within a few seconds. */
export async function checkReadiness(deps: { client: Client; sql: Sql; amqpUrl: string }): Promise<Readiness> {
  const [temporal, postgres, rabbitmq] = await Promise.all([
    probe(() => deps.client.workflowService.getSystemInfo({})),
    probe(() => deps.sql`SELECT 1`),
    probe(async () => {
      const connection = await amqp.connect(deps.amqpUrl, { timeout: TIMEOUT_MS });
      await connection.close();
    }),
  ]);
  return { temporal, postgres, rabbitmq };
}

async function probe(check: () => Promise<unknown>): Promise<{ up: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return { up: true };
  } catch (error) {
    return { up: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
