import type { ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CRASH_AFTER_COMMIT_MARKER } from '../../workers/faults/crash-after-commit';
import { isErrorLogLine, isLogLineWithMsg, onLines, spawnRepoScript } from '../environment/child-process';

export type ExitCause = 'chaos-kill' | 'crash-after-commit' | 'unexpected' | 'stopped';

export interface ProcessExit {
  process: string;
  pid: number;
  at: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  cause: ExitCause;
  /** For an unexpected exit: the end of what it wrote to stderr. */
  detail: string;
  /** A known upstream crash (porsager/postgres#1208), recognised in the stderr. */
  knownBug: string | null;
}

export interface ProcessStart {
  process: string;
  pid: number;
  startedAt: number;
  /** When the readiness check first passed. */
  readyAt: number | null;
}

export interface ManagedProcessSpec {
  name: string;
  /** A TypeScript entry of this repository, relative to its root. */
  entry: string;
  args?: string[];
  env: NodeJS.ProcessEnv;
  /**
   * How to tell it serves: a JSON log line whose `msg` is this text, or a check polled every
   * 250 ms while it lives.
   */
  readiness: { logMessage: string } | { check: (pid: number) => Promise<boolean> };
  /** Receives each line the process writes on stdout. */
  onStdoutLine?: (line: string) => void;
}

interface Running {
  spec: ManagedProcessSpec;
  child: ChildProcess;
  start: ProcessStart;
  killRequested: boolean;
  crashAfterCommit: string | null;
  stderrTail: string[];
  /** The last error or fatal log line (pino JSON on stdout), for an exit with nothing on stderr. */
  lastErrorLine: string | null;
  exited: Promise<void>;
}

const RESTART_DELAY_MS = 100;
const STDERR_TAIL_LINES = 40;

/**
 * Runs the app's processes as children of the harness, each with its log file, and restarts
 * any that exits, whether the harness killed it, a fault made it kill itself, or it crashed.
 * It records every start, readiness and exit, with the cause.
 */
export class ProcessSupervisor {
  readonly starts: ProcessStart[] = [];
  readonly exits: ProcessExit[] = [];
  readonly #running = new Map<string, Running>();
  readonly #logs = new Map<string, WriteStream>();
  #stopping = false;

  constructor(private readonly logDir: string) {}

  launch(spec: ManagedProcessSpec): void {
    if (this.#stopping) return;
    let log = this.#logs.get(spec.name);
    if (!log) {
      log = createWriteStream(join(this.logDir, `${spec.name}.log`), { flags: 'a' });
      this.#logs.set(spec.name, log);
    }
    const child = spawnRepoScript(spec.entry, { env: spec.env, args: spec.args });
    if (child.pid === undefined) throw new Error(`could not start ${spec.name} (${spec.entry})`);
    const start: ProcessStart = { process: spec.name, pid: child.pid, startedAt: Date.now(), readyAt: null };
    this.starts.push(start);
    const running: Running = {
      spec,
      child,
      start,
      killRequested: false,
      crashAfterCommit: null,
      stderrTail: [],
      lastErrorLine: null,
      exited: new Promise((resolve) => child.once('close', () => resolve())),
    };
    this.#running.set(spec.name, running);

    const file = log;
    const { readiness } = spec;
    onLines(child.stdout, (line) => {
      file.write(`${line}\n`);
      if ('logMessage' in readiness && start.readyAt === null && isLogLineWithMsg(line, readiness.logMessage)) start.readyAt = Date.now();
      if (isErrorLogLine(line)) running.lastErrorLine = line;
      spec.onStdoutLine?.(line);
    });
    onLines(child.stderr, (line) => {
      file.write(`[stderr] ${line}\n`);
      if (line.startsWith(CRASH_AFTER_COMMIT_MARKER)) running.crashAfterCommit = line.slice(CRASH_AFTER_COMMIT_MARKER.length).trim();
      running.stderrTail.push(line);
      if (running.stderrTail.length > STDERR_TAIL_LINES) running.stderrTail.shift();
    });
    // 'close', not 'exit': only once stdout and stderr are drained has the crash marker been read.
    child.once('close', (code, signal) => this.onExit(running, code, signal));
    if ('check' in readiness) void this.watchReadiness(running, readiness.check);
  }

  /** The live process of `name`, if any. */
  current(name: string): { pid: number; startedAt: number; readyAt: number | null } | undefined {
    const running = this.#running.get(name);
    return running && running.child.exitCode === null && running.child.signalCode === null ? running.start : undefined;
  }

  /** Waits until `name` runs and passed its readiness check. */
  async waitReady(name: string, timeoutMs: number): Promise<ProcessStart> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const running = this.#running.get(name);
      if (running?.start.readyAt && running.child.exitCode === null && running.child.signalCode === null) return running.start;
      if (Date.now() > deadline) throw new Error(`${name} was not ready within ${timeoutMs} ms (see ${join(this.logDir, `${name}.log`)})`);
      await sleep(100);
    }
  }

  /** SIGKILL, recorded as the harness's doing; the supervisor restarts it. */
  kill(name: string): { pid: number; at: number } {
    const running = this.#running.get(name);
    if (!running || running.child.exitCode !== null || running.child.signalCode !== null)
      throw new Error(`${name} is not running: nothing to kill`);
    running.killRequested = true;
    running.child.kill('SIGKILL');
    return { pid: running.start.pid, at: Date.now() };
  }

  signal(name: string, signal: NodeJS.Signals): number {
    const running = this.#running.get(name);
    if (!running || running.child.exitCode !== null || running.child.signalCode !== null)
      throw new Error(`${name} is not running: cannot send ${signal}`);
    running.child.kill(signal);
    return running.start.pid;
  }

  /** Resolves with the next exit of process `pid`, or undefined after `timeoutMs`. */
  async waitForExit(name: string, pid: number, timeoutMs: number): Promise<ProcessExit | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const exit = this.exits.find((candidate) => candidate.process === name && candidate.pid === pid);
      if (exit) return exit;
      await sleep(100);
    }
    return undefined;
  }

  /** SIGTERM to every child, SIGKILL to those still there after `graceMs`; no more restarts. */
  async stopAll(graceMs = 15_000): Promise<void> {
    this.#stopping = true;
    const live = [...this.#running.values()].filter((r) => r.child.exitCode === null && r.child.signalCode === null);
    for (const running of live) running.child.kill('SIGTERM');
    const timer = setTimeout(() => live.forEach((running) => running.child.kill('SIGKILL')), graceMs);
    await Promise.all(live.map((running) => running.exited));
    clearTimeout(timer);
    await Promise.all([...this.#logs.values()].map((log) => new Promise<void>((resolve) => log.end(resolve))));
  }

  private onExit(running: Running, code: number | null, signal: NodeJS.Signals | null): void {
    const cause: ExitCause = this.#stopping
      ? 'stopped'
      : running.killRequested
        ? 'chaos-kill'
        : running.crashAfterCommit !== null
          ? 'crash-after-commit'
          : 'unexpected';
    const stderr = running.stderrTail.join('\n');
    const unexpectedDetail = stderr.trim() !== '' ? stderr.slice(-1500) : describeLogLine(running.lastErrorLine);
    this.exits.push({
      process: running.spec.name,
      pid: running.start.pid,
      at: Date.now(),
      code,
      signal,
      cause,
      detail: cause === 'crash-after-commit' ? (running.crashAfterCommit ?? '') : cause === 'unexpected' ? unexpectedDetail : '',
      knownBug: cause === 'unexpected' && /nextWrite/.test(stderr) ? 'porsager/postgres#1208' : null,
    });
    if (this.#stopping) return;
    setTimeout(() => this.launch(running.spec), RESTART_DELAY_MS);
  }

  private async watchReadiness(running: Running, check: (pid: number) => Promise<boolean>): Promise<void> {
    while (running.child.exitCode === null && running.child.signalCode === null && !this.#stopping) {
      try {
        if (await check(running.start.pid)) {
          running.start.readyAt = Date.now();
          return;
        }
      } catch {
        // Not ready yet (the check's own service may be down during a fault): ask again.
      }
      await sleep(250);
    }
  }
}

/** "msg: err.message" of a pino JSON line, or the line itself if it is not one. */
function describeLogLine(line: string | null): string {
  if (line === null) return 'nothing on stderr and no error logged';
  try {
    const parsed = JSON.parse(line) as { msg?: unknown; err?: { message?: unknown } };
    return `${String(parsed.msg)}${parsed.err?.message ? `: ${String(parsed.err.message)}` : ''}`;
  } catch {
    return line.slice(0, 500);
  }
}
