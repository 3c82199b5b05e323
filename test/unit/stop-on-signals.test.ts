import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { stopOnSignals, type ProcessHooks, type StopStep } from '../../workers/stop-on-signals';

/** A process as stopOnSignals sees it: signals sent by hand, exit codes recorded instead of exiting. */
function fakeProcess() {
  const listeners = new Map<string, (() => void)[]>();
  const exits: number[] = [];
  const lines: { msg: string; reason?: string; step?: string; closing?: string; exitCode?: number }[] = [];
  const hooks: ProcessHooks = {
    on: (signal, listener) => listeners.set(signal, [...(listeners.get(signal) ?? []), listener]),
    exit: (code) => void exits.push(code),
  };
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
  const signal = (name: NodeJS.Signals) => listeners.get(name)?.forEach((listener) => listener());
  return { hooks, log, exits, lines, signal, listens: () => [...listeners.keys()].sort() };
}

const recordingStep = (name: string, closed: string[], close: () => Promise<void> = async () => {}): StopStep => ({
  name,
  close: async () => {
    await close();
    closed.push(name);
  },
});

describe('stopOnSignals', () => {
  it('on SIGTERM logs why, closes the steps in order and exits with 0', async () => {
    const proc = fakeProcess();
    const closed: string[] = [];
    const stop = stopOnSignals(
      { log: proc.log, steps: ['server', 'broker', 'database'].map((name) => recordingStep(name, closed)) },
      proc.hooks,
    );
    expect(proc.listens()).toEqual(['SIGINT', 'SIGTERM']);
    proc.signal('SIGTERM');
    await stop('joins the stop under way');
    expect(closed).toEqual(['server', 'broker', 'database']);
    expect(proc.exits).toEqual([0]);
    expect(proc.lines.map((line) => [line.msg, line.reason])).toEqual([
      ['stopping the process', 'SIGTERM'],
      ['the process stopped', 'SIGTERM'],
    ]);
  });

  it('runs once: a second signal while it stops closes nothing twice', async () => {
    const proc = fakeProcess();
    const closed: string[] = [];
    let release = () => {};
    const slow = new Promise<void>((resolve) => (release = resolve));
    const stop = stopOnSignals({ log: proc.log, steps: [recordingStep('server', closed, () => slow)] }, proc.hooks);
    proc.signal('SIGINT');
    proc.signal('SIGTERM');
    release();
    await stop('SIGTERM');
    expect(closed).toEqual(['server']);
    expect(proc.exits).toEqual([0]);
  });

  it('logs a step that fails, still closes the next ones, and exits with 1', async () => {
    const proc = fakeProcess();
    const closed: string[] = [];
    const failing: StopStep = { name: 'broker', close: () => Promise.reject(new Error('channel already closed')) };
    const stop = stopOnSignals({ log: proc.log, steps: [failing, recordingStep('database', closed)] }, proc.hooks);
    await stop('SIGTERM');
    expect(closed).toEqual(['database']);
    expect(proc.exits).toEqual([1]);
    expect(proc.lines.find((line) => line.step === 'broker')?.msg).toBe('broker did not close cleanly');
    expect(proc.lines.at(-1)).toMatchObject({ msg: 'the process stopped', exitCode: 1 });
  });

  it('exits with 1 at the deadline, naming the step still closing', async () => {
    const proc = fakeProcess();
    const closed: string[] = [];
    const stuck = new Promise<void>(() => {});
    stopOnSignals(
      {
        log: proc.log,
        steps: [recordingStep('worker', closed, () => stuck), recordingStep('database', closed)],
        deadlineMs: 50,
      },
      proc.hooks,
    );
    proc.signal('SIGTERM');
    await expect.poll(() => proc.exits, { timeout: 2000 }).toEqual([1]);
    expect(closed).toEqual([]);
    expect(proc.lines.at(-1)).toMatchObject({
      msg: 'the process did not stop within 50 ms; exiting anyway',
      reason: 'SIGTERM',
      closing: 'worker',
    });
  });

  it('stops for a reason of its own with the exit code it is given', async () => {
    const proc = fakeProcess();
    const stop = stopOnSignals({ log: proc.log, steps: [] }, proc.hooks);
    await stop('start failed', 1);
    expect(proc.exits).toEqual([1]);
    expect(proc.lines[0]).toMatchObject({ msg: 'stopping the process', reason: 'start failed' });
  });
});
