import { DeterminismViolationError } from '@temporalio/workflow';
import { beforeAll, describe, expect, it } from 'vitest';
import { readHistoryFixtures } from '../../tools/histories/fixture-files';
import { bundleAlteredOrderSaga, swapSteps } from '../support/altered-workflow';
import { installQuietRuntime } from '../support/quiet-runtime';
import { replayFixtures } from '../support/replay';

/**
 * Proof that the replay test can fail: the same fixtures, replayed against the saga with two of
 * its steps swapped (reserve after charge), must each be refused as non-deterministic.
 */
const fixtures = await readHistoryFixtures();

beforeAll(() => installQuietRuntime({ coreLogLevel: 'ERROR' }));

describe('replaying against changed workflow code', () => {
  it('refuses every history when two steps are reordered', async () => {
    const reordered = await bundleAlteredOrderSaga('reserve-after-charge', (source) =>
      swapSteps(source, 'reserveInventory', 'chargePayment'),
    );
    const outcomes = await replayFixtures(reordered, fixtures);
    for (const { name } of fixtures) {
      expect(outcomes.get(name), name).toBeInstanceOf(DeterminismViolationError);
    }
  });
});
