import { DeterminismViolationError } from '@temporalio/workflow';
import { beforeAll, describe, expect, it } from 'vitest';
import { readHistoryFixtures } from '../../histories/fixture-files';
import { bundleAlteredOrderSaga } from '../support/altered-workflow';
import { recordedPatches, scheduledActivityTypes } from '../support/history-contents';
import { installQuietRuntime } from '../support/quiet-runtime';
import { replayFixtures } from '../support/replay';

/**
 * The fraud check was added to a saga that already had running executions, behind
 * patched('fraud-check'). before-fraud-check/ holds histories recorded by the code before it,
 * current/ those recorded since; replay-fixtures.test.ts replays both against today's code.
 * This file shows the two sets really are the two versions, and that the patch is what keeps
 * the old ones replaying.
 */
const fixtures = await readHistoryFixtures();
const before = fixtures.filter((fixture) => fixture.name.startsWith('before-fraud-check/'));
const current = fixtures.filter((fixture) => fixture.name.startsWith('current/'));

beforeAll(() => installQuietRuntime({ coreLogLevel: 'ERROR' }));

describe('the fraud-check step, added behind patched()', () => {
  it('old histories never ran it; new ones did, with the patch marker', () => {
    expect(before.length).toBeGreaterThanOrEqual(8);
    for (const { name, history } of before) {
      expect(scheduledActivityTypes(history), name).not.toContain('checkFraud');
      expect(recordedPatches(history), name).toEqual([]);
    }
    expect(current.length).toBeGreaterThanOrEqual(9);
    for (const { name, history } of current) {
      expect(scheduledActivityTypes(history), name).toContain('checkFraud');
      expect(recordedPatches(history), name).toEqual(['fraud-check']);
    }
  });

  it('removing patched() outright breaks every history, old and new', async () => {
    const unguarded = await bundleAlteredOrderSaga('fraud-check-unguarded', (source) =>
      replaceOnce(source, 'if (patched(FRAUD_CHECK_PATCH)) {', 'if (true) {'),
    );
    const outcomes = await replayFixtures(unguarded, [...before, ...current]);
    // Old ones: a step their history never scheduled. New ones: a patch marker no code asks for.
    for (const { name } of [...before, ...current]) expect(outcomes.get(name), name).toBeInstanceOf(DeterminismViolationError);
  });

  it('deprecatePatch() is the next stage: new histories replay, old ones must be gone first', async () => {
    const deprecated = await bundleAlteredOrderSaga('fraud-check-deprecated', (source) =>
      replaceOnce(
        replaceOnce(source, '  patched,\n', '  patched,\n  deprecatePatch,\n'),
        'if (patched(FRAUD_CHECK_PATCH)) {',
        'deprecatePatch(FRAUD_CHECK_PATCH);\n      {',
      ),
    );
    const outcomes = await replayFixtures(deprecated, [...before, ...current]);
    for (const { name } of before) expect(outcomes.get(name), name).toBeInstanceOf(DeterminismViolationError);
    for (const { name } of current) expect(outcomes.get(name), name).toBeUndefined();
  });
});

function replaceOnce(source: string, search: string, replacement: string): string {
  if (source.split(search).length !== 2) throw new Error(`expected exactly one ${JSON.stringify(search)} in workflows/order-saga.ts`);
  return source.replace(search, replacement);
}
