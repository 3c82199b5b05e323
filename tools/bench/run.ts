import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/env';
import { apiOverhead } from './parts/api-overhead';
import { observabilityCost } from './parts/observability-cost';
import { commitLatency } from './parts/commit-latency';
import { relayThroughput } from './parts/relay-throughput';
import { sagaThroughput } from './parts/saga-throughput';
import { PROFILES } from './profiles';
import { describeMachine, type BenchResults } from './results';
import { summarize } from './summary';
import { startBenchStack } from './support/bench-stack';
import { PeakMemory } from './support/memory';

const PARTS = ['relay', 'latency', 'saga', 'api', 'observability'] as const;
type Part = (typeof PARTS)[number];

const USAGE = `usage: [STACK=cluster] npm run bench -- [--quick] [${PARTS.join('|')} …]
  Runs every part (or the ones named) against its baseline on the running stack (npm run stack:up;
  STACK=cluster: the production-mode stack, docs/operations.md "## Production-mode stack"),
  prints a summary table and writes the results as JSON to tools/bench/results/.`;

const { values, positionals } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
  allowPositionals: true,
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const unknown = positionals.filter((name) => !(PARTS as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(`unknown part ${unknown.join(', ')}\n${USAGE}`);
  process.exit(2);
}
const selected = new Set<Part>(positionals.length > 0 ? (positionals as Part[]) : PARTS);
const profile = PROFILES[values.quick ? 'quick' : 'full'];

// Exit on a signal, so the processes the parts started are killed on the way out (tools/environment/child-process.ts).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

const memory = new PeakMemory();
const results: BenchResults = {
  profile: profile.name,
  startedAt: new Date().toISOString(),
  finishedAt: '',
  machine: describeMachine(),
  temporal: { stack: process.env.STACK === 'cluster' ? 'cluster' : 'dev', address: loadConfig().TEMPORAL_ADDRESS },
  peakRssMiB: {},
};
const stack = await startBenchStack();
const PART_TITLES: Record<Part, string> = {
  relay: 'part 1: relay throughput',
  latency: 'part 2: commit-to-consume latency',
  saga: 'part 3: saga throughput',
  api: 'part 4: API overhead',
  observability: 'part 5: tracing and metrics on against off',
};
const RUN_PART: Record<Part, () => Promise<unknown>> = {
  relay: async () => (results.relayThroughput = await relayThroughput(stack, profile, memory)),
  latency: async () => (results.commitLatency = await commitLatency(stack, profile, memory)),
  saga: async () => (results.sagaThroughput = await sagaThroughput(stack, profile, memory)),
  api: async () => (results.apiOverhead = await apiOverhead(stack, profile, memory)),
  observability: async () => (results.observabilityCost = await observabilityCost(stack, profile, memory)),
};
const progress = (message: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
try {
  progress(`run ${stack.runId}, ${profile.name} profile, parts: ${[...selected].join(', ')}`);
  for (const part of PARTS) {
    if (!selected.has(part)) continue;
    progress(PART_TITLES[part]);
    await RUN_PART[part]();
  }
} finally {
  await stack.close();
}

results.finishedAt = new Date().toISOString();
results.peakRssMiB = Object.fromEntries(Object.entries(memory.peaks).map(([name, bytes]) => [name, bytes / 2 ** 20]));
// BENCH_RESULTS_DIR: the test suite's smoke run writes elsewhere, leaving tools/bench/results/ to people.
const folder = process.env.BENCH_RESULTS_DIR
  ? `${process.env.BENCH_RESULTS_DIR.replace(/\/$/, '')}/`
  : fileURLToPath(new URL('./results/', import.meta.url));
await mkdir(folder, { recursive: true });
const file = `${folder}${results.startedAt.replaceAll(':', '-')}-${profile.name}.json`;
await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
console.log(summarize(results));
console.log(`\nresults: ${file}`);
