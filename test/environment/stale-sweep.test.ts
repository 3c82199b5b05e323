import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/env';
import { createDatabase, databaseExists, dropDatabase, listDatabases } from '../../db/admin';
import { sweepStaleDatabases } from '../../tools/environment/run-database';
import { newRunId, STALE_AFTER_MS, uniqueSuffix } from '../../tools/environment/run-identity';
import { createRunVhost, deleteRunVhost, listVhosts, sweepStaleVhosts } from '../../tools/environment/run-vhost';

/**
 * What a run killed before its teardown leaves behind is removed by a later run: databases and
 * vhosts of a run that started over six hours ago go, a running run's and other names stay.
 * A prefix of this file's own, so no other run's sweep touches these names meanwhile.
 */
const serverUrl = loadConfig().DATABASE_URL;
const prefix = `sweep_${uniqueSuffix()}_`;
const vhostPrefix = `sweep-${uniqueSuffix()}-`;
const killedRunId = `${(Date.now() - STALE_AFTER_MS - 60_000).toString(36)}a1b2c3`;
const runningRunId = newRunId();

afterAll(async () => {
  for (const name of await listDatabases(serverUrl, prefix)) await dropDatabase(serverUrl, name);
  for (const vhost of await listVhosts(vhostPrefix)) await deleteRunVhost(vhost);
});

describe('the sweep of stale runs', () => {
  it("drops the databases of a killed run (its clones too) and keeps a running run's and other names", async () => {
    const killed = [`${prefix}${killedRunId}`, `${prefix}${killedRunId}_0a1b2c3d`];
    const kept = [`${prefix}${runningRunId}`, `${prefix}${runningRunId}_0a1b2c3d`, `${prefix}results`];
    for (const name of [...killed, ...kept]) await createDatabase(serverUrl, name);

    expect((await sweepStaleDatabases(serverUrl, prefix)).sort()).toEqual(killed.sort());
    for (const name of killed) expect(await databaseExists(serverUrl, name), name).toBe(false);
    expect((await listDatabases(serverUrl, prefix)).sort()).toEqual(kept.sort());
  });

  it("deletes the vhosts of a killed run and keeps a running run's", async () => {
    const killed = `${vhostPrefix}${killedRunId}`;
    const running = `${vhostPrefix}${runningRunId}`;
    await createRunVhost(killed);
    await createRunVhost(running);

    expect(await sweepStaleVhosts(vhostPrefix)).toEqual([killed]);
    expect(await listVhosts(vhostPrefix)).toEqual([running]);
  });
});
