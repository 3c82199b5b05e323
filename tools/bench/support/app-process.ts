import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export interface AppProcess {
  name: string;
  pid: number;
  /** When it logged that it was ready (epoch ms, from the log line itself). */
  readyAt: number;
  /** Peak resident set size so far (VmHWM), in bytes. */
  peakRssBytes(): Promise<number>;
  /** SIGTERM, then waits for the exit; returns the peak RSS it reached. */
  stop(): Promise<number>;
}

const running = new Set<ChildProcess>();
// A benchmark stopped midway (Ctrl-C, a failed part) must not leave its relay or worker behind.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Runs one of the product's processes (or a baseline's) exactly as `npm start` does, under node
 * with tsx as a loader, so the pid measured is the process doing the work. Resolves once it
 * logged `readyMessage`.
 */
export async function startAppProcess(name: string, entry: string, env: NodeJS.ProcessEnv, readyMessage: string): Promise<AppProcess> {
  const script = fileURLToPath(new URL(`../../../${entry}`, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  void exited.then(() => running.delete(child));
  let recent = '';
  const keep = (chunk: Buffer) => (recent = (recent + chunk.toString()).slice(-20_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let lastPeak = 0;
  const readPeak = async () => {
    if (child.exitCode === null && child.signalCode === null) lastPeak = Math.max(lastPeak, await vmHwm(child));
    return lastPeak;
  };

  const readyAt = await waitForReady(child, () => recent, readyMessage, name);
  // Errors logged after start-up go to the bench's stderr, so a failing process is seen.
  child.stdout.off('data', keep);
  child.stdout.resume();
  child.stderr.on('data', (chunk: Buffer) => process.stderr.write(`[${name}] ${chunk.toString()}`));
  child.stdout.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (/"level":(50|60)/.test(line)) process.stderr.write(`[${name}] ${line}\n`);
  });

  return {
    name,
    pid: child.pid!,
    readyAt,
    peakRssBytes: readPeak,
    async stop() {
      const peak = await readPeak();
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
      return peak;
    },
  };
}

async function waitForReady(child: ChildProcess, output: () => string, message: string, name: string): Promise<number> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const line = output()
      .split('\n')
      .find((l) => l.includes(`"msg":"${message}"`));
    if (line) return Date.parse((JSON.parse(line) as { time: string }).time);
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before logging "${message}":\n${output()}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not log "${message}" within 60 s:\n${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function vmHwm(child: ChildProcess): Promise<number> {
  try {
    const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    // Exited between the check and the read: the peak read before stands.
    return 0;
  }
}
