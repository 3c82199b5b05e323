import { spawn, type ChildProcess, type ChildProcessByStdio, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** The repository's root: script entries are relative to it, and children run in it (tsx finds tsconfig.json there). */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface RepoScriptOptions {
  /** Added to this process's environment. */
  env?: NodeJS.ProcessEnv;
  args?: readonly string[];
  /** 'pipe' to write to (or end) the child's stdin; ignored by default. */
  stdin?: 'pipe' | 'ignore';
}

const live = new Set<ChildProcess>();

/**
 * Runs a TypeScript file of this repository (`entry`, relative to its root) under node with tsx
 * as a loader, as `npm start` does, so a signal reaches, and a pid measures, that very process.
 * Its stdout and stderr are pipes. A child still running when this process exits is killed with
 * it: a harness stopped midway (Ctrl-C, a failed step) leaves no app process behind.
 */
export function spawnRepoScript(entry: string, options: RepoScriptOptions & { stdin: 'pipe' }): ChildProcessWithoutNullStreams;
export function spawnRepoScript(entry: string, options?: RepoScriptOptions): ChildProcessByStdio<null, Readable, Readable>;
export function spawnRepoScript(entry: string, { env = {}, args = [], stdin = 'ignore' }: RepoScriptOptions = {}): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, entry), ...args], {
    cwd: REPO_ROOT,
    // METRICS_PORT 0: harnesses run several app processes at once, so each takes a free metrics port (logged as metricsPort).
    env: { METRICS_PORT: '0', ...process.env, ...env },
    stdio: [stdin, 'pipe', 'pipe'],
  });
  if (live.size === 0) process.once('exit', killLiveChildren);
  live.add(child);
  child.once('exit', () => {
    live.delete(child);
    if (live.size === 0) process.off('exit', killLiveChildren);
  });
  return child;
}

function killLiveChildren(): void {
  for (const child of live) child.kill('SIGKILL');
}

/**
 * The child's exit code and signal, once it exited and everything it printed has been read ('close',
 * not 'exit'). Call it right after spawning: an end already past never resolves.
 */
export const exitOf = (child: ChildProcess): Promise<[number | null, NodeJS.Signals | null]> =>
  once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;

/** Calls `handler` with each line of `stream` (a child's stdout or stderr). */
export function onLines(stream: Readable, handler: (line: string) => void): void {
  createInterface({ input: stream }).on('line', handler);
}

/** True for the app's JSON log line (pino) whose `msg` is `message`: how a child says it is ready. */
export const isLogLineWithMsg = (line: string, message: string): boolean => line.includes(`"msg":${JSON.stringify(message)}`);

/** True for the app's JSON log line (pino) at level error (50) or fatal (60). */
export const isErrorLogLine = (line: string): boolean => /^\{"level":(?:50|60)[,}]/.test(line);
