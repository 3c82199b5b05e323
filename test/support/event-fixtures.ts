import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeadLetterReason } from '../../messaging/delivery-headers';

/**
 * The consumer replay fixtures (test/fixtures/events/, rules in docs/events.md): envelopes of
 * every event, at its current version recorded from real sagas by `npm run histories:record`
 * (tools/histories/event-fixture-files.ts), at past versions and in hostile variants made by
 * hand, each with the AMQP headers it was published with and what every shipped consumer must do with it.
 */
export const EVENT_FIXTURE_DIR = 'test/fixtures/events';

/** What one consumer does with a fixture: the row its effect leaves (a subset), parks it for a reason, or never receives it. */
export type ExpectedOutcome = { effect: Record<string, unknown> } | { parked: DeadLetterReason } | { notBound: true };

export interface EventFixture {
  /** The file name without `.json`: `<event>.v<version>[-<variant>]`. */
  file: string;
  description: string;
  /** Whether the envelope and headers match the current AsyncAPI document (past versions and hostile ones do not). */
  conformsToContract: boolean;
  /** As it went over the wire: possibly not a valid envelope at all. */
  envelope: { messageId: string; name: string; content: { orderId: string } & Record<string, unknown>; metadata: Record<string, unknown> };
  headers: Record<string, unknown>;
  /** By shipped consumer name. */
  expected: Record<string, ExpectedOutcome>;
}

export function loadEventFixtures(): EventFixture[] {
  return readdirSync(EVENT_FIXTURE_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({
      file: file.slice(0, -'.json'.length),
      ...(JSON.parse(readFileSync(join(EVENT_FIXTURE_DIR, file), 'utf8')) as Omit<EventFixture, 'file'>),
    }));
}
