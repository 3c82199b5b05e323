import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../../api/client/create-api-client';
import { API, appEntry } from '../../tools/environment/app-entries';
import { spawnTs } from '../support/child-process';
import { waitFor } from '../support/consumer-kit';
import { appProcessEnv, startTestStack, type TestStack } from '../support/test-stack';
import { TEST_JWT_SECRET } from '../support/tokens';

/**
 * The admin token never reaches a log: an API started without ADMIN_TOKEN writes a generated one
 * to ADMIN_TOKEN_FILE (mode 0600) and logs only the file's path; one started with it logs
 * nothing of it. Logging at trace, so every line the process can write is checked.
 */
let stack: TestStack;
let dir: string;
beforeAll(async () => {
  stack = await startTestStack({ worker: false, relay: false, probePattern: 'no.events.wanted' });
  dir = await mkdtemp(join(tmpdir(), 'saga-admin-token-'));
});
afterAll(async () => {
  await stack?.close();
  await rm(dir, { recursive: true, force: true });
});

interface ApiRun {
  logs: string;
  /** The answer of GET /admin/outbox with `token`. */
  statusWith(token: string): Promise<number>;
}

/** Runs the API process until `use` is done, then stops it and returns everything it printed. */
async function runApi(env: NodeJS.ProcessEnv, use: (run: ApiRun) => Promise<void>): Promise<string> {
  const child = spawnTs(appEntry(API), appProcessEnv(stack, { LOG_LEVEL: 'trace', ...env }));
  let stderr = '';
  child.child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const logs = () => child.output() + stderr;
  try {
    await waitFor(
      () => {
        if (child.child.exitCode !== null) throw new Error(`the API exited (${child.child.exitCode}): ${logs()}`);
        return logs().includes('API listening');
      },
      'the API to listen',
      60_000,
    );
    const url = /"url":"(http:[^"]+)"/.exec(logs())?.[1];
    if (!url) throw new Error(`no URL in ${logs()}`);
    await use({
      get logs() {
        return logs();
      },
      statusWith: async (token) => (await createApiClient({ baseUrl: url, token }).GET('/admin/outbox')).response.status,
    });
  } finally {
    child.child.kill('SIGTERM');
    await child.exited;
  }
  return logs();
}

describe('the admin token and the logs', () => {
  it('generated: written to ADMIN_TOKEN_FILE with mode 0600, its path logged, the token never', async () => {
    const file = join(dir, 'nested', 'admin-token');
    let token = '';
    const logs = await runApi({ ADMIN_TOKEN: '', ADMIN_TOKEN_FILE: file }, async (run) => {
      token = (await readFile(file, 'utf8')).trim();
      expect(token.length).toBeGreaterThanOrEqual(16);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(await run.statusWith(token)).toBe(200);
      expect(await run.statusWith(`${token}x`)).toBe(401);
    });
    expect(logs).toContain(file);
    expect(logs).toContain('ADMIN_TOKEN is not set: generated one');
    expect(logs).not.toContain(token);

    // The next start uses the same file, so the operator's token stays valid.
    const again = await runApi({ ADMIN_TOKEN: '', ADMIN_TOKEN_FILE: file }, async (run) => {
      expect(await run.statusWith(token)).toBe(200);
    });
    expect(again).toContain('using the one in the file');
    expect(again).not.toContain(token);
  });

  it('set in the environment: used, and in no log line', async () => {
    const token = 'operator-set-admin-token-0123456789';
    const logs = await runApi({ ADMIN_TOKEN: token, ADMIN_TOKEN_FILE: join(dir, 'unused') }, async (run) => {
      expect(await run.statusWith(token)).toBe(200);
      expect(await run.statusWith('wrong-admin-token-0123456789')).toBe(401);
    });
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(TEST_JWT_SECRET);
    await expect(stat(join(dir, 'unused'))).rejects.toThrow(/ENOENT/);
  });
});
