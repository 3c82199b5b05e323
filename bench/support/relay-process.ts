import type { BenchStack } from './bench-stack';
import { startAppProcess, type AppProcess } from './app-process';

/** The product's relay process (`npm run relay`), on this run's database and exchange. */
export const startRelayProcess = (stack: BenchStack): Promise<AppProcess> =>
  startAppProcess('relay', 'workers/relay.ts', stack.processEnv(), 'outbox relay started');

/** Resolves once no outbox row is pending; returns when the last one was marked published (epoch ms). */
export async function waitUntilAllPublished(stack: BenchStack, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await stack.sql<{ pending: number; last: Date | null }[]>`
      SELECT count(*) FILTER (WHERE published_at IS NULL)::int AS pending, max(published_at) AS last FROM outbox`;
    if (row!.pending === 0 && row!.last) return row!.last.getTime();
    if (Date.now() > deadline) throw new Error(`${row!.pending} outbox rows still unpublished after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
