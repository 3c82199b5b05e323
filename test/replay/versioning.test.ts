import { DeterminismViolationError } from '@temporalio/workflow';
import { beforeAll, describe, expect, it } from 'vitest';
import { readHistoryFixtures } from '../../tools/histories/fixture-files';
import { bundleAlteredOrderSaga } from '../support/altered-workflow';
import { activityTypes, recordedPatches } from '../support/history-contents';
import { installQuietRuntime } from '../support/quiet-runtime';
import { replayFixtures } from '../support/replay';

/**
 * Three changes were made to a saga that already had running executions, each behind patched():
 * the fraud check ('fraud-check'), then forward steps as local activities ('local-steps'), then
 * the provider steps back to ordinary activities ('provider-steps'). before-fraud-check/ holds
 * histories recorded before the first, before-local-steps/ those recorded before the second,
 * before-provider-steps/ those recorded before the third, current/ those recorded since;
 * replay-fixtures.test.ts replays all of them against today's code. This file shows the sets
 * really are those versions, and that the patches are what keep the old ones replaying.
 */
const fixtures = await readHistoryFixtures();
const inSet = (set: string) => fixtures.filter((fixture) => fixture.name.startsWith(`${set}/`));
const before = inSet('before-fraud-check');
const remoteSteps = inSet('before-local-steps');
const allLocal = inSet('before-provider-steps');
const current = inSet('current');
const FORWARD_STEPS = ['recordOrder', 'reserveInventory', 'checkFraud', 'chargePayment', 'createShipment', 'completeOrder'];
const PROVIDER_STEPS = ['checkFraud', 'chargePayment', 'createShipment'];
const DATABASE_STEPS = ['recordOrder', 'reserveInventory', 'completeOrder'];

beforeAll(() => installQuietRuntime({ coreLogLevel: 'ERROR' }));

it('every set holds a history of each path', () => {
  expect(before.length).toBeGreaterThanOrEqual(8);
  for (const set of [remoteSteps, allLocal, current]) expect(set.length).toBeGreaterThanOrEqual(9);
});

describe('the fraud-check step, added behind patched()', () => {
  it('old histories never ran it; new ones did, with the patch marker', () => {
    for (const { name, history } of before) {
      expect(activityTypes(history), name).not.toContain('checkFraud');
      expect(recordedPatches(history), name).toEqual([]);
    }
    for (const { name, history } of [...remoteSteps, ...allLocal, ...current]) {
      expect(activityTypes(history), name).toContain('checkFraud');
      expect(recordedPatches(history), name).toContain('fraud-check');
    }
  });

  it('removing patched() outright breaks every history, old and new', async () => {
    const unguarded = await bundleAlteredOrderSaga('fraud-check-unguarded', (source) =>
      replaceOnce(source, 'if (patched(FRAUD_CHECK_PATCH))', 'if (true)'),
    );
    const after = [...remoteSteps, ...allLocal, ...current];
    const outcomes = await replayFixtures(unguarded, [...before, ...after]);
    // Old ones: a step their history never scheduled. New ones: a patch marker no code asks for.
    for (const { name } of [...before, ...after]) expect(outcomes.get(name), name).toBeInstanceOf(DeterminismViolationError);
  });

  it('deprecatePatch() is the next stage: new histories replay, old ones must be gone first', async () => {
    const deprecated = await bundleAlteredOrderSaga('fraud-check-deprecated', (source) =>
      withImport('deprecatePatch', replaceOnce(source, 'if (patched(FRAUD_CHECK_PATCH))', 'deprecatePatch(FRAUD_CHECK_PATCH);\n      ')),
    );
    const after = [...remoteSteps, ...allLocal, ...current];
    const outcomes = await replayFixtures(deprecated, [...before, ...after]);
    for (const { name } of before) expect(outcomes.get(name), name).toBeInstanceOf(DeterminismViolationError);
    for (const { name } of after) expect(outcomes.get(name), name).toBeUndefined();
  });
});

describe('forward steps as local activities, switched on behind patched()', () => {
  it('older histories ran every forward step as a remote activity; newer ones run steps locally, with the marker first', () => {
    for (const { name, history } of [...before, ...remoteSteps]) {
      expect(activityTypes(history, 'local'), name).toEqual([]);
      expect(recordedPatches(history), name).not.toContain('local-steps');
    }
    for (const { name, history } of [...allLocal, ...current]) {
      expect(recordedPatches(history)[0], name).toBe('local-steps');
      expect(activityTypes(history, 'local').length, name).toBeGreaterThan(0);
    }
  });

  it('choosing local steps without patched() breaks every history: the older ones on the steps, the newer ones on the marker', async () => {
    const unguarded = await bundleAlteredOrderSaga('local-steps-unguarded', (source) =>
      replaceOnce(source, 'patched(LOCAL_STEPS_PATCH)', 'true'),
    );
    const outcomes = await replayFixtures(unguarded, fixtures);
    for (const { name } of [...before, ...remoteSteps]) expect(outcomes.get(name), name).toBeInstanceOf(DeterminismViolationError);
    // patched() can only be deprecated, then dropped, once the older histories are gone.
    for (const { name } of [...allLocal, ...current]) expect(outcomes.get(name), name).toBeInstanceOf(DeterminismViolationError);
  });
});

describe('provider steps as ordinary activities again, behind patched()', () => {
  it('histories between the two patches ran every forward step locally; new ones run the provider steps remotely', () => {
    for (const { name, history } of [...before, ...remoteSteps, ...allLocal]) {
      expect(recordedPatches(history), name).not.toContain('provider-steps');
    }
    for (const { name, history } of allLocal) {
      for (const step of activityTypes(history, 'remote')) expect(FORWARD_STEPS, `${name}: ${step} ran remotely`).not.toContain(step);
    }
    const completedAllLocal = allLocal.find((fixture) => fixture.name === 'before-provider-steps/completed')!;
    expect(activityTypes(completedAllLocal.history, 'local')).toEqual(FORWARD_STEPS);

    for (const { name, history } of current) {
      expect(recordedPatches(history).slice(0, 2), name).toEqual(['local-steps', 'provider-steps']);
      for (const step of activityTypes(history, 'local')) expect(DATABASE_STEPS, `${name}: ${step} ran locally`).toContain(step);
    }
    const completed = current.find((fixture) => fixture.name === 'current/completed')!;
    expect(activityTypes(completed.history, 'local')).toEqual(DATABASE_STEPS);
    expect(activityTypes(completed.history, 'remote')).toEqual(PROVIDER_STEPS);
  });

  it('running provider steps remotely without patched() breaks the histories that ran them locally, and only those', async () => {
    const unguarded = await bundleAlteredOrderSaga('provider-steps-unguarded', (source) =>
      replaceOnce(source, 'patched(PROVIDER_STEPS_PATCH)', 'true'),
    );
    const outcomes = await replayFixtures(unguarded, fixtures);
    // Those between the two patches on the first provider step; the new ones on the marker.
    for (const { name } of [...allLocal, ...current]) expect(outcomes.get(name), name).toBeInstanceOf(DeterminismViolationError);
    // Before 'local-steps' every step was remote anyway: this patch changes nothing for them.
    for (const { name } of [...before, ...remoteSteps]) expect(outcomes.get(name), name).toBeUndefined();
  });
});

function withImport(name: string, source: string): string {
  return `import { ${name} } from '@temporalio/workflow';\n${source}`;
}

function replaceOnce(source: string, search: string, replacement: string): string {
  if (source.split(search).length !== 2) throw new Error(`expected exactly one ${JSON.stringify(search)} in workflows/order-saga.ts`);
  return source.replace(search, replacement);
}
