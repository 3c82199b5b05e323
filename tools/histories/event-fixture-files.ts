import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import type { EventName } from '../../domain/events';
import { workflowIdForOrder } from '../../domain/order';
import { schemaVersionOf, type Envelope } from '../../messaging/envelope';
import { deterministicUuid, eventMessageId } from '../../messaging/message-id';
import { outboxMessage } from '../../outbox/confirm-publisher';
import type { OutboxRow } from '../../outbox/outbox-row';
import { contractViolations } from '../contracts/check-message';

/**
 * The consumer replay fixtures at each event's current version (test/fixtures/events/<name>.v<N>.json),
 * recorded from the outbox rows the history scenarios' sagas commit and written as the relay
 * publishes them (its own outboxMessage). Past versions and hostile variants (a suffix after
 * v<N>) are hand-made and never touched here. Rules: docs/events.md.
 */
export const EVENT_FIXTURES_DIR = fileURLToPath(new URL('../../test/fixtures/events', import.meta.url));

/** Every recorded envelope's createdUtc (and so the consumers' times in `expected`). */
export const RECORDED_AT = '2026-01-01T10:00:00.000Z';

/** A fixture file as stored; `expected` is the developer's, kept across recordings. */
export interface EventFixtureFile {
  description: string;
  conformsToContract: boolean;
  envelope: Envelope;
  headers: Record<string, unknown>;
  expected: Record<string, unknown>;
}

export interface ScenarioEvents {
  scenario: string;
  /** The scenario's outbox rows in commit order. */
  rows: readonly OutboxRow[];
}

/** Per event name, the first scenario (in the order given) that committed it, with its row. */
export function firstOfEachEvent(recorded: readonly ScenarioEvents[]): Map<EventName, { scenario: string; row: OutboxRow }> {
  const picked = new Map<EventName, { scenario: string; row: OutboxRow }>();
  for (const { scenario, rows } of recorded) for (const row of rows) if (!picked.has(row.name)) picked.set(row.name, { scenario, row });
  return picked;
}

export const currentFixtureName = (row: Pick<OutboxRow, 'name' | 'metadata'>): string => `${row.name}.v${schemaVersionOf(row.metadata)}`;

/** An id or hash in a string (a charge id, a tracking number): 8 or more hex digits. */
const HEX_RUN = /[0-9a-f]{8,}/gi;
const sameFormApartFromIds = (a: string, b: string): boolean => a.replace(HEX_RUN, '#') === b.replace(HEX_RUN, '#');

/**
 * The fixture of one recorded row. Each recording runs new orders, so what depends on the order
 * is normalised and a re-record changes a file only when the producer changed what it publishes:
 * - the order id becomes one derived from the fixture's name (a fixture per order: the consumer
 *   test publishes them all into one database), everywhere it appears; the message id is derived
 *   from it as the producer derives it (messaging/message-id.ts), from the step in causationId;
 * - createdUtc is RECORDED_AT;
 * - a content string that differs from the existing fixture's only in its ids or hashes (the
 *   simulated providers derive charge, refund and tracking ids from the order id) keeps the
 *   existing value;
 * - `expected` is the existing fixture's: a consumer outcome is a statement, not a recording.
 *   A consumer the fixture does not name yet gets `notBound` if it does not bind the event,
 *   nothing if it does (test/unit/event-fixtures.test.ts then asks for it).
 */
export function recordedFixture(
  scenario: string,
  row: OutboxRow,
  existing: EventFixtureFile | undefined,
  consumers: readonly { name: string; bindings: readonly string[] }[],
): EventFixtureFile {
  const file = currentFixtureName(row);
  const orderId = deterministicUuid(`event-fixture/${file}`);
  const step = row.metadata.causationId.slice(row.metadata.causationId.lastIndexOf('/') + 1);
  const swapOrder = (text: string): string => text.replaceAll(row.aggregateId, orderId);
  const payload = JSON.parse(swapOrder(JSON.stringify(row.payload))) as OutboxRow['payload'];
  for (const [key, value] of Object.entries(payload)) {
    const kept = existing?.envelope.content[key];
    if (typeof value === 'string' && typeof kept === 'string' && sameFormApartFromIds(value, kept)) payload[key] = kept;
  }
  const normalised: OutboxRow = {
    ...row,
    id: eventMessageId(orderId, step, row.name),
    aggregateId: orderId,
    payload,
    metadata: { ...row.metadata, correlationId: orderId, causationId: `${workflowIdForOrder(orderId)}/${step}`, createdUtc: RECORDED_AT },
  };
  const { body, properties } = outboxMessage(normalised);
  const envelope = JSON.parse(body.toString('utf8')) as Envelope;
  // amqplib types headers as any; the relay sets a flat table of its own (outbox/confirm-publisher.ts).
  const headers: Record<string, unknown> = { ...properties.headers };
  const violations = contractViolations(row.name, envelope, headers);
  if (violations.length > 0) throw new Error(`the ${scenario} scenario published ${file} against its contract: ${violations.join('; ')}`);

  const expected: Record<string, unknown> = { ...existing?.expected };
  for (const consumer of consumers)
    if (!(consumer.name in expected) && !consumer.bindings.includes(row.name)) expected[consumer.name] = { notBound: true };
  return {
    description: `${row.name} at version ${schemaVersionOf(row.metadata)} as the relay publishes it, recorded from the ${scenario} history scenario (npm run histories:record).`,
    conformsToContract: true,
    envelope,
    headers,
    expected,
  };
}

export async function readEventFixture(file: string): Promise<EventFixtureFile | undefined> {
  const text = await readFile(join(EVENT_FIXTURES_DIR, `${file}.json`), 'utf8').catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  });
  return text === undefined ? undefined : (JSON.parse(text) as EventFixtureFile);
}

/** Written as prettier formats it (`npm run lint` checks the folder), so a re-record diffs cleanly. */
export async function writeEventFixture(file: string, fixture: EventFixtureFile): Promise<string> {
  const path = join(EVENT_FIXTURES_DIR, `${file}.json`);
  const options = await resolveConfig(path);
  await writeFile(path, await format(JSON.stringify(fixture, null, 2), { ...options, filepath: path }));
  return path;
}
