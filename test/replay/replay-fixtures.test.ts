import { beforeAll, describe, expect, inject, it } from 'vitest';
import { readHistoryFixtures } from '../../tools/histories/fixture-files';
import { HISTORY_SCENARIOS } from '../../tools/histories/scenarios';
import { installQuietRuntime } from '../support/quiet-runtime';
import { replayFixtures } from '../support/replay';

/**
 * The guard against shipping a workflow change that would break running sagas: every recorded
 * history must replay against the workflow code of this commit (the run's bundle).
 */
const fixtures = await readHistoryFixtures();
let outcomes: Map<string, Error | undefined>;

beforeAll(async () => {
  installQuietRuntime();
  outcomes = await replayFixtures({ codePath: inject('workflowBundlePath') }, fixtures);
});

describe('recorded workflow histories', () => {
  it('cover every path the recorder knows', () => {
    const names = fixtures.map((fixture) => fixture.name);
    expect(names).toEqual(expect.arrayContaining(HISTORY_SCENARIOS.map((scenario) => `current/${scenario.name}`)));
  });

  it.each(fixtures.map((fixture) => fixture.name))('%s replays against the current workflow code', (name) => {
    expect(outcomes.get(name)).toBeUndefined();
  });
});
