import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startOwnPostgres, type OwnPostgres } from './own-postgres';
import { startOwnRabbitmq, type OwnRabbitmq } from './own-rabbitmq';
import { startOwnTemporal, type OwnTemporal } from './own-temporal';
import { startOwnTemporalCluster } from './own-temporal-cluster';
import { sweepStaleOwnServices } from './sweep';

/**
 * The services a chaos run with infrastructure faults restarts: a PostgreSQL cluster, a RabbitMQ
 * node and a Temporal server of its own (the dev server, or with `--cluster` the production-mode
 * server on that PostgreSQL), under `dir`, so that restarting them breaks no other test running
 * against the machine's (vitest runs files in parallel).
 */
export interface OwnServices {
  postgres: OwnPostgres;
  rabbitmq: OwnRabbitmq;
  temporal: OwnTemporal;
  /** DATABASE_URL, AMQP_URL and TEMPORAL_ADDRESS pointing at them. */
  config: { DATABASE_URL: string; AMQP_URL: string; TEMPORAL_ADDRESS: string };
  /** Stops them all; their data is removed unless kept (their logs stay either way). */
  stop(options: { keep: boolean }): Promise<void>;
}

export async function startOwnServices(
  dir: string,
  runId: string,
  { temporal: temporalKind }: { temporal: OwnTemporal['kind'] },
  log: (message: string) => void,
): Promise<OwnServices> {
  await sweepStaleOwnServices();
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    const problems: unknown[] = [];
    for (const stop of stops.reverse())
      await stop().catch((error: unknown) => {
        problems.push(error);
      });
    stops.length = 0;
    if (problems.length > 0) throw new AggregateError(problems, "the chaos run's own services did not stop cleanly");
  };
  // Should the harness exit without its teardown (Ctrl-C, a test timeout), nothing stays running.
  const stopAtExit = () => {
    for (const stop of stopsAtExit) {
      try {
        stop();
      } catch {
        // Best effort: the process is going.
      }
    }
  };
  const stopsAtExit: (() => void)[] = [];
  process.once('exit', stopAtExit);
  stops.push(async () => {
    process.off('exit', stopAtExit);
  });
  try {
    // In parallel: the broker's start (about 6 s) dominates, or the production-mode server's
    // schema and namespace setup, which needs the PostgreSQL first.
    const track = <S extends { stop(): Promise<void>; stopNow(): void }>(service: S): S => {
      stops.push(() => service.stop());
      stopsAtExit.push(() => service.stopNow());
      return service;
    };
    const postgresStarted = startOwnPostgres(join(dir, 'postgres')).then(track);
    const [postgres, rabbitmq, temporal] = await Promise.all([
      postgresStarted,
      startOwnRabbitmq(join(dir, 'rabbitmq'), `chaos-${runId}`).then(track),
      temporalKind === 'cluster'
        ? postgresStarted.then((started) => startOwnTemporalCluster(join(dir, 'temporal'), started, log)).then(track)
        : startOwnTemporal(join(dir, 'temporal')).then(track),
    ]);
    return {
      postgres,
      rabbitmq,
      temporal,
      config: { DATABASE_URL: postgres.url, AMQP_URL: rabbitmq.url, TEMPORAL_ADDRESS: temporal.address },
      async stop({ keep }) {
        await stopAll();
        if (keep) return;
        for (const data of ['postgres/data', 'rabbitmq/mnesia', 'temporal/temporal.db'])
          await rm(join(dir, data), { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}
