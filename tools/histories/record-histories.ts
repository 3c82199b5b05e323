/**
 * `npm run histories:record`: runs every scenario in scenarios.ts as a real saga on the Temporal
 * dev server, with the workflow code as it is now, and writes each history to
 * test/fixtures/histories/current/<scenario>.json for the replay tests, and the events the sagas
 * committed to their outbox, one per event name, to test/fixtures/events/<name>.v<version>.json
 * for the consumer replay tests (event-fixture-files.ts says what it normalises and keeps).
 *
 * It brings its own worker on a task queue of its own and its own database (saga_histories,
 * recreated each time so stock starts from the demo catalog): a running `npm start` and the
 * app's data are left alone.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import type { Sql } from 'postgres';
import { loadConfig } from '../../config/env';
import { shippedConsumers } from '../../consumers/shipped-consumers';
import { dropDatabase, withDatabase } from '../../db/admin';
import { connectDb } from '../../db/client';
import { seedDemoCatalog } from '../../db/demo-catalog';
import { migrateDatabase } from '../../db/migrate';
import { EVENT_NAMES } from '../../domain/events';
import { createLogger } from '../../logging/logger';
import { temporalLoggerFor } from '../../logging/temporal-logger';
import { connectTemporalClient } from '../../saga-client/connect';
import { startOrderSaga } from '../../saga-client/start-order-saga';
import type { SagaClient } from '../../saga-client/saga-client';
import { temporalSagaClient } from '../../saga-client/temporal-saga-client';
import type { OutboxRow } from '../../outbox/outbox-row';
import { createSagaWorker } from '../../workers/create-saga-worker';
import { currentFixtureName, firstOfEachEvent, readEventFixture, recordedFixture, writeEventFixture } from './event-fixture-files';
import { clearHistoryFixtures, CURRENT_HISTORIES_DIR, displayPath, writeHistoryFixture } from './fixture-files';
import { HISTORY_SCENARIOS, scenarioInput, type HistoryScenario } from './scenarios';

const RECORDING_DATABASE = 'saga_histories';

const config = loadConfig();
// Expected failures (declined cards, the flaky provider) log warnings; only errors matter here.
const log = createLogger('histories-recorder', 'error');
Runtime.install({ logger: temporalLoggerFor(log) });

const databaseUrl = withDatabase(config.DATABASE_URL, RECORDING_DATABASE);
await dropDatabase(withDatabase(config.DATABASE_URL, 'postgres'), RECORDING_DATABASE);
await migrateDatabase(databaseUrl);
const db = connectDb(databaseUrl, { applicationName: 'histories-recorder' });
const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
const client = await connectTemporalClient(config);
try {
  await seedDemoCatalog(db.db);
  const taskQueue = `histories-recorder-${randomUUID().slice(0, 8)}`;
  const worker = await createSagaWorker({ connection, namespace: config.TEMPORAL_NAMESPACE, taskQueue, db: db.db });
  // Only the status and review decisions go through it: it opens no connection of its own to close.
  const sagas = temporalSagaClient(client, { taskQueue });
  const recorded = await worker.runUntil(Promise.all(HISTORY_SCENARIOS.map((scenario) => record(client, sagas, taskQueue, scenario))));
  const events = await Promise.all(
    recorded.map(async ({ scenario, orderId }) => ({ scenario: scenario.name, rows: await outboxRowsOf(db.sql, orderId) })),
  );
  const consumers = shippedConsumers({ CONSUMER_QUEUE_PREFIX: '' });
  const eventFixtures = await Promise.all(
    [...firstOfEachEvent(events).values()].map(async ({ scenario, row }) => {
      const file = currentFixtureName(row);
      return { file, fixture: recordedFixture(scenario, row, await readEventFixture(file), consumers) };
    }),
  );

  // Only once every scenario ran as expected and its events were built to their contract: a failed
  // recording leaves the old fixtures in place.
  await clearHistoryFixtures(CURRENT_HISTORIES_DIR);
  for (const { scenario, handle } of recorded) {
    const file = join(CURRENT_HISTORIES_DIR, `${scenario.name}.json`);
    const history = await handle.fetchHistory();
    await writeHistoryFixture(file, history);
    console.log(`recorded ${displayPath(file)}  (${history.events?.length ?? 0} events, ${handle.workflowId})`);
  }
  for (const { file, fixture } of eventFixtures) {
    console.log(`recorded ${displayPath(await writeEventFixture(file, fixture))}`);
  }
  const unrecorded = EVENT_NAMES.filter((name) => !eventFixtures.some(({ fixture }) => fixture.envelope.name === name));
  if (unrecorded.length > 0) console.log(`no scenario publishes ${unrecorded.join(', ')}; its fixture stays hand-made (docs/events.md)`);
} finally {
  await client.connection.close();
  await connection.close();
  await db.close();
}

async function record(client: Client, sagas: SagaClient, taskQueue: string, scenario: HistoryScenario) {
  const input = scenarioInput(scenario, randomUUID());
  const handle = await startOrderSaga(client, input, taskQueue);
  await scenario.drive?.(sagas, input.orderId);
  const result = await handle.result();
  const { status, failureType } = scenario.expected;
  if (result.status !== status || result.failure?.type !== failureType) {
    throw new Error(
      `scenario ${scenario.name} ended ${result.status}${result.failure ? ` (${result.failure.type})` : ''}, ` +
        `expected ${status}${failureType ? ` (${failureType})` : ''}; see ${handle.workflowId} in the Temporal UI`,
    );
  }
  return { scenario, handle, orderId: input.orderId };
}

/** The order's outbox rows in commit order, as the relay reads them (outbox/claim-batch.ts). */
function outboxRowsOf(sql: Sql, orderId: string): Promise<OutboxRow[]> {
  return sql<OutboxRow[]>`
    SELECT id, seq::text AS seq, aggregate_id AS "aggregateId", name, payload, metadata, attempts
    FROM outbox WHERE aggregate_id = ${orderId} ORDER BY seq`;
}
