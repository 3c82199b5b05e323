import { describe, expect, it } from 'vitest';
import { shippedConsumers } from '../../consumers/shipped-consumers';
import { EVENT_CONTRACTS } from '../../domain/event-schemas';
import { EVENT_NAMES } from '../../domain/events';
import { contractViolations } from '../../tools/contracts/check-message';
import { loadEventFixtures } from '../support/event-fixtures';

// The replay fixtures themselves (test/consumers/event-fixtures.test.ts feeds them to the real
// consumers): complete, named after what they hold, and honest about the contract.

const fixtures = loadEventFixtures();
const shipped = shippedConsumers({ CONSUMER_QUEUE_PREFIX: '' });

describe('the consumer replay fixtures (test/fixtures/events/)', () => {
  it('hold every event at its current version, as it conforms to the contract', () => {
    for (const name of EVENT_NAMES) {
      const file = `${name}.v${EVENT_CONTRACTS[name].version}`;
      expect(
        fixtures.find((f) => f.file === file),
        `${file}.json`,
      ).toMatchObject({ conformsToContract: true });
    }
  });

  it.each(fixtures.map((f) => [f.file, f] as const))('%s: says what every shipped consumer does with it', (_, fixture) => {
    expect(Object.keys(fixture.expected).sort()).toEqual(shipped.map((consumer) => consumer.name).sort());
    for (const consumer of shipped) {
      const bound = consumer.bindings.includes(fixture.envelope.name);
      expect('notBound' in fixture.expected[consumer.name]!, `${consumer.name} binds ${fixture.envelope.name}: ${bound}`).toBe(!bound);
    }
  });

  it.each(fixtures.map((f) => [f.file, f] as const))(
    '%s: is named after its event and version, and conforms to the contract as it says',
    (_, fixture) => {
      const { name, metadata } = fixture.envelope;
      const version = typeof metadata.schemaVersion === 'number' ? metadata.schemaVersion : 1;
      expect(fixture.file.startsWith(`${name}.v${version}`)).toBe(true);
      const violations = contractViolations(name, fixture.envelope, fixture.headers);
      expect(violations.length === 0, violations.join('; ')).toBe(fixture.conformsToContract);
    },
  );
});
