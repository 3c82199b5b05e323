import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { BenchResults } from '../../tools/bench/results';
import { loadConfig } from '../../config/env';
import { withDatabase } from '../../db/admin';
import { spawnTs } from '../support/child-process';

/**
 * The benchmark's quick profile, run for breakage only: every part runs against its baseline,
 * every ratio is printed, nothing is lost, and the run cleans up after itself. Speed is never
 * asserted here (the machine runs other test files meanwhile); `npm run bench` measures it.
 */
const resultsDir = await mkdtemp(join(tmpdir(), 'bench-results-'));
afterAll(() => rm(resultsDir, { recursive: true, force: true }));

describe('npm run bench -- --quick', () => {
  it('runs every part against its baseline, prints every ratio and leaves nothing behind', { timeout: 360_000 }, async () => {
    const bench = spawnTs(
      'tools/bench/run.ts',
      {
        BENCH_RESULTS_DIR: resultsDir,
        // The run's prebuilt bundle: the saga worker then skips bundling (a benchmark run bundles itself).
        WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
      },
      ['--quick'],
    );
    bench.child.stdin.end();
    let stderr = '';
    bench.child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = await bench.exited;
    expect(code, `bench/run.ts failed:\n${stderr}`).toBe(0);

    const stdout = bench.output();
    for (const label of ['relay/raw', 'relay/naive', 'commit-to-consume', 'saga/baseline', 'api/direct p50', 'observed on/off', 'peak RSS'])
      expect(stdout).toContain(label);
    const file = /^results: (.+)$/m.exec(stdout)?.[1];
    expect(file).toBeDefined();
    const results = JSON.parse(await readFile(file!, 'utf8')) as BenchResults;

    expect(results.profile).toBe('quick');
    const { relayThroughput: relay, commitLatency: latency, sagaThroughput: saga, apiOverhead: api, observabilityCost: observed } = results;
    const ratios = [relay?.relayToRaw, relay?.relayToNaive, saga?.sagaToBaseline, api?.apiToDirectP50, api?.apiToDirectP99];
    for (const ratio of [...ratios, observed?.saga.onToOff, observed?.relay.onToOff]) {
      expect(ratio).toBeGreaterThan(0);
      expect(Number.isFinite(ratio)).toBe(true);
    }
    expect(relay!.envelopeBytes.min).toBeGreaterThanOrEqual(300);
    expect(relay!.envelopeBytes.max).toBeLessThanOrEqual(500);
    // Every event the relay was given arrived; the naive processor delivered some.
    expect(latency!.relay.undelivered).toBe(0);
    expect(latency!.relay.count).toBe(latency!.relay.produced);
    expect(latency!.naive.count).toBeGreaterThan(0);
    expect(saga!.saga.count).toBe(saga!.sagas);
    expect(saga!.baseline.count).toBe(saga!.sagas);
    // Where each side's CPU went: both workers and the server worked, PostgreSQL only for the saga.
    for (const run of [saga!.saga, saga!.baseline]) {
      expect(run.cpuMsPerSaga.process).toBeGreaterThan(0);
      expect(run.cpuMsPerSaga.temporal).toBeGreaterThan(0);
      expect(run.cpuMsPerSaga.machine).toBeGreaterThanOrEqual(run.cpuMsPerSaga.process);
    }
    expect(saga!.saga.cpuMsPerSaga.postgres).toBeGreaterThan(0);
    expect(stdout).toContain('CPU per saga');
    expect(api!.api.count).toBe(api!.requests);
    expect(api!.adminToken.count).toBe(api!.requests);
    // Tracing on really traced (the part fails itself otherwise) and the metrics were really scraped.
    expect(observed!.saga.spans).toBeGreaterThanOrEqual(observed!.saga.sagas);
    expect(observed!.relay.spans).toBeGreaterThanOrEqual(observed!.relay.rows);
    expect(observed!.scrapes).toBeGreaterThan(0);
    for (const process of ['relay', 'worker', 'api']) expect(results.peakRssMiB[process]).toBeGreaterThan(0);

    const runId = /run (\S+),/.exec(stderr)?.[1];
    expect(runId).toBeDefined();
    const admin = postgres(withDatabase(loadConfig().DATABASE_URL, 'postgres'), { max: 1, onnotice: () => {} });
    try {
      expect(await admin`SELECT datname FROM pg_database WHERE datname = ${`bench_${runId}`}`).toHaveLength(0);
    } finally {
      await admin.end({ timeout: 5 });
    }
  });
});
