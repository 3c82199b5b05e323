import { appEntry, RELAY } from '../../environment/app-entries';
import type { BenchStack } from './bench-stack';
import { startAppProcess, type AppProcess } from './app-process';

/** The product's relay process (`npm run relay`), on this run's database and exchange. */
export const startRelayProcess = (stack: BenchStack, env: Record<string, string> = {}): Promise<AppProcess> =>
  startAppProcess('relay', appEntry(RELAY), stack.processEnv(env), 'outbox relay started');

/** Resolves once no outbox row is pending; returns when the last one was marked published (epoch ms). */
export async function waitUntilAllPublished(stack: BenchStack, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Counted through the pending rows' partial index, so polling costs the database next to nothing.
    const [{ pending }] = (await stack.sql`SELECT count(*)::int AS pending FROM outbox WHERE published_at IS NULL AND dead_at IS NULL`) as [
      { pending: number },
    ];
    if (pending === 0) {
      const [{ last }] = (await stack.sql`SELECT max(published_at) AS last FROM outbox`) as [{ last: Date | null }];
      if (last) return last.getTime();
    }
    if (Date.now() > deadline) throw new Error(`${pending} outbox rows still unpublished after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
