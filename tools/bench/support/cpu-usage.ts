import { readdir, readFile } from 'node:fs/promises';
import { cpus } from 'node:os';

/**
 * CPU time spent during a measurement, in milliseconds, split by who spent it: the process under
 * test, the Temporal server, PostgreSQL and the whole machine. On two shared cores a throughput
 * ratio says that one side is slower, this says where its time went (docs/benchmarks.md).
 */
export interface CpuSpent {
  /** The process measured (the saga worker, or the baseline's worker). */
  process: number;
  /** Every process whose name starts with `temporal` (the dev server, or the cluster's services). */
  temporal: number;
  /** Every `postgres` process: the backends serving the run, and the server's own. */
  postgres: number;
  /** All cores: user, nice, system and interrupt time (Node's os.cpus()). */
  machine: number;
}

/** Linux's USER_HZ, the unit of /proc/<pid>/stat times: 100 on every architecture Node runs on. */
const MS_PER_TICK = 10;

type ProcessGroup = 'temporal' | 'postgres' | 'other';

interface CpuSnapshot {
  /** Per pid, so a process that ended between two snapshots is not counted as negative time. */
  byPid: Map<number, { group: ProcessGroup; ms: number }>;
  process: number;
  machine: number;
}

/** Runs `work` and returns its result with the CPU time spent meanwhile. */
export async function withCpuSpent<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; cpu: CpuSpent }> {
  const before = await snapshot(pid);
  const result = await work();
  const after = await snapshot(pid);
  return { result, cpu: spentBetween(before, after) };
}

/** `spent` divided by `count` (per saga, per request). */
export const perItem = (spent: CpuSpent, count: number): CpuSpent => ({
  process: spent.process / count,
  temporal: spent.temporal / count,
  postgres: spent.postgres / count,
  machine: spent.machine / count,
});

function spentBetween(before: CpuSnapshot, after: CpuSnapshot): CpuSpent {
  const grouped = { temporal: 0, postgres: 0 };
  for (const [pid, now] of after.byPid) {
    if (now.group === 'other') continue;
    grouped[now.group] += now.ms - (before.byPid.get(pid)?.ms ?? 0);
  }
  return { process: after.process - before.process, ...grouped, machine: after.machine - before.machine };
}

async function snapshot(pid: number): Promise<CpuSnapshot> {
  const byPid: CpuSnapshot['byPid'] = new Map();
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  await Promise.all(
    pids.map(async (each) => {
      const stat = await readProcessStat(each);
      if (stat) byPid.set(each, { group: groupOf(stat.name), ms: stat.ms });
    }),
  );
  const machine = cpus().reduce((sum, { times }) => sum + times.user + times.nice + times.sys + times.irq, 0);
  return { byPid, process: byPid.get(pid)?.ms ?? 0, machine };
}

const groupOf = (name: string): ProcessGroup => (name.startsWith('temporal') ? 'temporal' : name === 'postgres' ? 'postgres' : 'other');

/** A process's name and user plus system time; undefined when it ended meanwhile. */
async function readProcessStat(pid: number): Promise<{ name: string; ms: number } | undefined> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ESRCH') return undefined;
    throw error;
  }
  // The name is in parentheses and may itself contain spaces or parentheses: split after the last ')'.
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  // Fields 14 and 15 of proc(5), utime and stime; `fields` starts at field 3.
  return { name: stat.slice(stat.indexOf('(') + 1, close), ms: (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK };
}
