import { exitOf, isErrorLogLine, isLogLineWithMsg, onLines, spawnRepoScript } from '../../environment/child-process';
import { procStatusKb } from '../../environment/proc-status';

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

const READY_TIMEOUT_MS = 60_000;

/**
 * Runs one of the product's processes (or a baseline's) as `npm start` does (see
 * tools/environment/child-process.ts: a benchmark stopped midway leaves none behind), so the pid
 * measured is the process doing the work. Resolves once it logged `readyMessage`; from then on
 * its errors go to the bench's stderr, so a failing process is seen.
 */
export async function startAppProcess(name: string, entry: string, env: NodeJS.ProcessEnv, readyMessage: string): Promise<AppProcess> {
  const child = spawnRepoScript(entry, { env });
  const exited = exitOf(child);
  let ready = false;
  // Until it is ready, what it prints is kept for the error that says why it never was.
  let recent = '';
  const keep = (line: string) => (recent = `${recent}${line}\n`.slice(-20_000));
  const readyAt = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not log "${readyMessage}" within ${READY_TIMEOUT_MS / 1000} s:\n${recent}`));
    }, READY_TIMEOUT_MS);
    onLines(child.stdout, (line) => {
      if (ready) {
        if (isErrorLogLine(line)) process.stderr.write(`[${name}] ${line}\n`);
        return;
      }
      keep(line);
      if (!isLogLineWithMsg(line, readyMessage)) return;
      ready = true;
      clearTimeout(timer);
      resolve(Date.parse((JSON.parse(line) as { time: string }).time));
    });
    onLines(child.stderr, (line) => (ready ? process.stderr.write(`[${name}] ${line}\n`) : keep(line)));
    // 'close', not 'exit': by then everything it printed has been read.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before logging "${readyMessage}":\n${recent}`));
    });
  });

  let lastPeak = 0;
  const readPeak = async () => {
    if (child.exitCode === null && child.signalCode === null) lastPeak = Math.max(lastPeak, await vmHwmBytes(child.pid!));
    return lastPeak;
  };

  return {
    name,
    pid: child.pid!,
    readyAt: await readyAt,
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

async function vmHwmBytes(pid: number): Promise<number> {
  try {
    return (await procStatusKb(pid, 'VmHWM')) * 1024;
  } catch {
    // Exited between the check and the read: the peak read before stands.
    return 0;
  }
}
