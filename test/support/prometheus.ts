import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { freePort } from '../../workers/free-port';
import { REPO_ROOT } from '../../tools/environment/child-process';
import { waitFor } from './consumer-kit';

/** Debian's binaries (scripts/ensure-prometheus.sh installs them; `npm test` and .ci/run call it). */
export const PROMETHEUS_BIN = process.env.PROMETHEUS_PATH ?? '/usr/bin/prometheus';
export const PROMTOOL_BIN = process.env.PROMTOOL_PATH ?? '/usr/bin/promtool';
export const PROMETHEUS_DIR = join(REPO_ROOT, 'docker/prometheus');

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** The rules of docker/prometheus/alerts.yml, every group's. */
export const alertRules = (): AlertRule[] =>
  (parse(readFileSync(join(PROMETHEUS_DIR, 'alerts.yml'), 'utf8')) as { groups: { rules: AlertRule[] }[] }).groups.flatMap(
    (group) => group.rules,
  );

/** Runs promtool with `args` in docker/prometheus; its exit code and everything it printed. */
export function promtool(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(PROMTOOL_BIN, args, { cwd: PROMETHEUS_DIR, encoding: 'utf8' });
  if (result.error) throw new Error(`${PROMTOOL_BIN} did not run (bash scripts/ensure-prometheus.sh installs it)`, { cause: result.error });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

export interface ScrapeJob {
  job: string;
  /** host:port */
  targets: string[];
  /** Bearer token for the scrape (the API's admin token), written to a file in the temp dir. */
  bearerToken?: string;
}

export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

export interface RunningPrometheus {
  url: string;
  /** An instant query through the HTTP API. */
  query(expr: string): Promise<PromSample[]>;
  /** The alerts Prometheus evaluates right now (GET /api/v1/alerts). */
  alerts(): Promise<{ labels: Record<string, string>; state: string; value: string }[]>;
  close(): Promise<void>;
}

/**
 * A real Prometheus for one test: its own temp storage and config, a free port, a short scrape
 * and evaluation interval, scraping `jobs` and evaluating `rules` (a rules file's content).
 */
export async function startPrometheus(jobs: ScrapeJob[], rules?: unknown, intervalSeconds = 1): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'saga-prometheus-'));
  const scrapeConfigs = await Promise.all(
    jobs.map(async ({ job, targets, bearerToken }) => {
      const config: Record<string, unknown> = { job_name: job, static_configs: [{ targets }] };
      if (bearerToken) {
        const file = join(dir, `${job}-token`);
        await writeFile(file, bearerToken, { mode: 0o600 });
        config.authorization = { type: 'Bearer', credentials_file: file };
      }
      return config;
    }),
  );
  const config: Record<string, unknown> = {
    global: { scrape_interval: `${intervalSeconds}s`, evaluation_interval: `${intervalSeconds}s`, scrape_timeout: `${intervalSeconds}s` },
    scrape_configs: scrapeConfigs,
  };
  if (rules !== undefined) {
    await writeFile(join(dir, 'rules.yml'), stringify(rules));
    config.rule_files = [join(dir, 'rules.yml')];
  }
  await writeFile(join(dir, 'prometheus.yml'), stringify(config));
  const port = await freePort();
  const child: ChildProcessWithoutNullStreams = spawn(
    PROMETHEUS_BIN,
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = once(child, 'close');
  const url = `http://127.0.0.1:${port}`;
  const ready = async () => {
    if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}):\n${log}`);
    return fetch(`${url}/-/ready`).then(
      (response) => response.ok,
      () => false,
    );
  };
  try {
    await waitFor(ready, 'prometheus to be ready', 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${url}${path}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error}`);
    return body.data;
  };
  return {
    url,
    async query(expr) {
      const data = await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
        `/api/v1/query?query=${encodeURIComponent(expr)}`,
      );
      return data.result.map(({ metric, value }) => ({ metric, value: Number(value[1]) }));
    },
    async alerts() {
      const data = await api<{ alerts: { labels: Record<string, string>; state: string; value: string }[] }>('/api/v1/alerts');
      return data.alerts;
    },
    async close() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
