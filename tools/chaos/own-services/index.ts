import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startOwnPostgres, type OwnPostgres } from './own-postgres';
import { startOwnRabbitmq, type OwnRabbitmq } from './own-rabbitmq';
import { startOwnTemporal, type OwnTemporal } from './own-temporal';
import { sweepStaleOwnServices } from './sweep';

/**
 * The services a chaos run with infrastructure faults restarts: a PostgreSQL cluster, a RabbitMQ
 * node and a Temporal dev server of its own, under `dir`, so that restarting them breaks no other
 * test running against the machine's (vitest runs files in parallel).
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

export async function startOwnServices(dir: string, runId: string): Promise<OwnServices> {
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
    // In parallel: the broker's start (about 6 s) dominates.
    const track = <S extends { stop(): Promise<void>; stopNow(): void }>(service: S): S => {
      stops.push(() => service.stop());
      stopsAtExit.push(() => service.stopNow());
      return service;
    };
    const [postgres, rabbitmq, temporal] = await Promise.all([
      startOwnPostgres(join(dir, 'postgres')).then(track),
      startOwnRabbitmq(join(dir, 'rabbitmq'), `chaos-${runId}`).then(track),
      startOwnTemporal(join(dir, 'temporal')).then(track),
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
