import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resource } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { workflowSpanSinks } from '../../telemetry/temporal-tracing';
import { writeWorkflowBundle } from '../../tools/environment/workflow-bundle';
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
let tracedOutcomes: Map<string, Error | undefined>;
let tracedBundleDir: string | undefined;
// The workflow spans a traced bundle hands to its sink; none while replaying.
const replaySpans = new InMemorySpanExporter();

beforeAll(async () => {
  installQuietRuntime();
  outcomes = await replayFixtures({ codePath: inject('workflowBundlePath') }, fixtures);
  // With tracing on, the bundle has Temporal's OpenTelemetry workflow interceptors built in.
  tracedBundleDir = await mkdtemp(join(tmpdir(), 'saga-traced-bundle-'));
  const traced = await writeWorkflowBundle(tracedBundleDir, { tracing: true });
  tracedOutcomes = await replayFixtures({ codePath: traced }, fixtures, {
    sinks: workflowSpanSinks({ spanProcessor: new SimpleSpanProcessor(replaySpans), resource: Resource.empty() }),
  });
}, 120_000);
afterAll(() => tracedBundleDir && rm(tracedBundleDir, { recursive: true, force: true }));

describe('recorded workflow histories', () => {
  it('cover every path the recorder knows', () => {
    const names = fixtures.map((fixture) => fixture.name);
    expect(names).toEqual(expect.arrayContaining(HISTORY_SCENARIOS.map((scenario) => `current/${scenario.name}`)));
  });

  it.each(fixtures.map((fixture) => fixture.name))('%s replays against the current workflow code', (name) => {
    expect(outcomes.get(name)).toBeUndefined();
  });

  it.each(fixtures.map((fixture) => fixture.name))('%s replays against the workflow code built with tracing', (name) => {
    expect(tracedOutcomes.get(name)).toBeUndefined();
  });
});
