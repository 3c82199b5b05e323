import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { exitOf, isLogLineWithMsg, spawnRepoScript } from '../../tools/environment/child-process';

export interface RunningChild {
  child: ChildProcessWithoutNullStreams;
  /** Everything it wrote to stdout so far. */
  output(): string;
  /** Its JSON log lines (pino) so far, parsed; what it printed otherwise is left out. */
  logLines<T = Record<string, unknown>>(): T[];
  /** Resolves when a stdout line starts with `prefix`; returns the rest of that line. */
  waitForLine(prefix: string, timeoutMs?: number): Promise<string>;
  /** Resolves when it logs a JSON line whose `msg` is `message` (an app process's "running" line); fails if it exits first. */
  waitForLog(message: string, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code and signal. */
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

/**
 * Runs a TypeScript file of this repository (path from its root; an app process's from
 * tools/environment/app-entries.ts) as its own process, and keeps what it prints.
 */
export function spawnTs(path: string, env: NodeJS.ProcessEnv, args: readonly string[] = []): RunningChild {
  const child = spawnRepoScript(path, { env, args, stdin: 'pipe' });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  // A crash's stack trace shows in the test output.
  child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  const exited = exitOf(child);
  return {
    child,
    output: () => stdout,
    logLines: <T>() =>
      stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as T),
    exited,
    async waitForLine(prefix, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const line = stdout.split('\n').find((l) => l.startsWith(prefix));
        if (line !== undefined) return line.slice(prefix.length).trim();
        if (child.exitCode !== null) throw new Error(`${path} exited (${child.exitCode}) before printing "${prefix}"`);
        if (Date.now() > deadline) throw new Error(`${path} did not print "${prefix}" within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async waitForLog(message, timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (stdout.split('\n').some((line) => isLogLineWithMsg(line, message))) return;
        if (child.exitCode !== null)
          throw new Error(`${path} exited (${child.exitCode}) before logging "${message}"; its last output: ${stdout.slice(-2000)}`);
        if (Date.now() > deadline) throw new Error(`${path} did not log "${message}" within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}
