import { DeterminismViolationError } from '@temporalio/workflow';
import { beforeAll, describe, expect, it } from 'vitest';
import { readHistoryFixtures } from '../../tools/histories/fixture-files';
import { bundleAlteredOrderSaga } from '../support/altered-workflow';
import { activityTypes, recordedPatches } from '../support/history-contents';
import { installQuietRuntime } from '../support/quiet-runtime';
import { replayFixtures } from '../support/replay';

/**
 * Two changes were made to a saga that already had running executions, each behind patched():
 * the fraud check ('fraud-check'), then forward steps as local activities ('local-steps').
 * before-fraud-check/ holds histories recorded before the first, before-local-steps/ those
 * recorded between the two, current/ those recorded since; replay-fixtures.test.ts replays all
 * of them against today's code. This file shows the sets really are those versions, and that
 * the patches are what keep the old ones replaying.
 */
const fixtures = await readHistoryFixtures();
const inSet = (set: string) => fixtures.filter((fixture) => fixture.name.startsWith(`${set}/`));
const before = inSet('before-fraud-check');
const remoteSteps = inSet('before-local-steps');
const current = inSet('current');
const FORWARD_STEPS = ['recordOrder', 'reserveInventory', 'checkFraud', 'chargePayment', 'createShipment', 'completeOrder'];

beforeAll(() => installQuietRuntime({ coreLogLevel: 'ERROR' }));

describe('the fraud-check step, added behind patched()', () => {
  it('old histories never ran it; new ones did, with the patch marker', () => {
    expect(before.length).toBeGreaterThanOrEqual(8);
    for (const { name, history } of before) {
      expect(activityTypes(history), name).not.toContain('checkFraud');
      expect(recordedPatches(history), name).toEqual([]);
    }
    expect(remoteSteps.length + current.length).toBeGreaterThanOrEqual(18);
    for (const { name, history } of [...remoteSteps, ...current]) {
      expect(activityTypes(history), name).toContain('checkFraud');
      expect(recordedPatches(history), name).toContain('fraud-check');
    }
  });

  it('removing patched() outright breaks every history, old and new', async () => {
    const unguarded = await bundleAlteredOrderSaga('fraud-check-unguarded', (source) =>
      replaceOnce(source, 'if (patched(FRAUD_CHECK_PATCH))', 'if (true)'),
    );
    const after = [...remoteSteps, ...current];
    const outcomes = await replayFixtures(unguarded, [...before, ...after]);
    // Old ones: a step their history never scheduled. New ones: a patch marker no code asks for.
    for (const { name } of [...before, ...after]) expect(outcomes.get(name), name).toBeInstanceOf(DeterminismViolationError);
  });

  it('deprecatePatch() is the next stage: new histories replay, old ones must be gone first', async () => {
    const deprecated = await bundleAlteredOrderSaga('fraud-check-deprecated', (source) =>
      withImport('deprecatePatch', replaceOnce(source, 'if (patched(FRAUD_CHECK_PATCH))', 'deprecatePatch(FRAUD_CHECK_PATCH);\n      ')),
    );
    const after = [...remoteSteps, ...current];
    const outcomes = await replayFixtures(deprecated, [...before, ...after]);
    for (const { name } of before) expect(outcomes.get(name), name).toBeInstanceOf(DeterminismViolationError);
    for (const { name } of after) expect(outcomes.get(name), name).toBeUndefined();
  });
});

describe('forward steps as local activities, switched on behind patched()', () => {
  it('older histories ran every forward step as a remote activity; new ones run them locally', () => {
    for (const { name, history } of [...before, ...remoteSteps]) {
      expect(activityTypes(history, 'local'), name).toEqual([]);
      expect(recordedPatches(history), name).not.toContain('local-steps');
    }
    expect(current.length).toBeGreaterThanOrEqual(9);
    for (const { name, history } of current) {
      expect(recordedPatches(history)[0], name).toBe('local-steps');
      for (const step of activityTypes(history, 'remote')) expect(FORWARD_STEPS, `${name}: ${step} ran remotely`).not.toContain(step);
      expect(activityTypes(history, 'local').length, name).toBeGreaterThan(0);
    }
    const completed = current.find((fixture) => fixture.name === 'current/completed')!;
    expect(activityTypes(completed.history, 'local')).toEqual(FORWARD_STEPS);
  });

  it('choosing local steps without patched() breaks every history: the older ones on the steps, the new ones on the marker', async () => {
    const unguarded = await bundleAlteredOrderSaga('local-steps-unguarded', (source) =>
      replaceOnce(source, 'patched(LOCAL_STEPS_PATCH)', 'true'),
    );
    const outcomes = await replayFixtures(unguarded, [...before, ...remoteSteps, ...current]);
    for (const { name } of [...before, ...remoteSteps]) expect(outcomes.get(name), name).toBeInstanceOf(DeterminismViolationError);
    // patched() can only be deprecated, then dropped, once the older histories are gone.
    for (const { name } of current) expect(outcomes.get(name), name).toBeInstanceOf(DeterminismViolationError);
  });
});

function withImport(name: string, source: string): string {
  return `import { ${name} } from '@temporalio/workflow';\n${source}`;
}

function replaceOnce(source: string, search: string, replacement: string): string {
  if (source.split(search).length !== 2) throw new Error(`expected exactly one ${JSON.stringify(search)} in workflows/order-saga.ts`);
  return source.replace(search, replacement);
}
