import { expect, it } from 'vitest';
import { loadConfig } from '../../config/env';
import { runChaos } from '../../tools/chaos/chaos-run';
import { portOpen } from '../../tools/environment/port-open';
import { chaosProfile } from '../../tools/chaos/options';
import { formatChaosReport, violationDetails } from '../../tools/chaos/report';

/**
 * The CI profile of the chaos run (`npm run chaos` runs the full one): 36 sagas through the
 * real API and app processes while every fault hits once, then every invariant. The faults that
 * restart PostgreSQL, RabbitMQ and Temporal restart the run's own (tools/chaos/own-services/),
 * never the services the other test files use meanwhile. CHAOS_SEED repeats a run.
 */
const seed = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);

it(`keeps every invariant while every fault, service restarts included, hits once (seed ${seed})`, async () => {
  const report = await runChaos(chaosProfile('ci', seed), (message) => console.log(message));
  console.log(formatChaosReport(report));
  expect(report.faults.filter((fault) => !fault.injected).map((fault) => `${fault.kind}: ${fault.detail}`)).toEqual([]);
  expect(report.violations, violationDetails(report.invariants)).toBe(0);
  // The short heartbeat and workflow-task timeouts must not fire on healthy work under this load.
  expect(report.retries.unexplainedTimeouts, JSON.stringify(report.retries.timeouts)).toBe(0);
  // The restarts hit the run's own services, stopped by now; the machine's kept serving throughout.
  const own = report.ownServices!;
  const [temporalHost, temporalPort] = own.temporalAddress.split(':') as [string, string];
  for (const [host, port] of [
    ['127.0.0.1', own.postgresPort],
    ['127.0.0.1', own.rabbitmqPort],
    [temporalHost, Number(temporalPort)],
  ] as const)
    expect(await portOpen(host, port), `${host}:${port}`).toBe(false);
  const machine = loadConfig();
  for (const url of [machine.DATABASE_URL, machine.AMQP_URL, `tcp://${machine.TEMPORAL_ADDRESS}`]) {
    const { hostname, port } = new URL(url);
    expect(await portOpen(hostname, Number(port)), url).toBe(true);
  }
}, 240_000);
