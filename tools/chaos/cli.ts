import { runChaos } from './chaos-run';
import { parseOptions, USAGE } from './options';
import { formatChaosReport, formatSoakReport } from './report';
import { runSoak } from './soak-run';

/**
 * `npm run chaos`: the chaos run (300 sagas, every fault of issue 6) or, with `--soak 10m`,
 * the soak. Prints the report on stdout; exits 1 on any violation, 2 on bad arguments; --help prints the usage.
 */
if (process.argv.slice(2).some((arg) => arg === '--help' || arg === '-h')) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
let options;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}

if (options.mode === 'chaos') {
  const report = await runChaos(options);
  process.stdout.write(`\n${formatChaosReport(report)}\n`);
  process.exit(report.violations === 0 ? 0 : 1);
} else {
  const report = await runSoak(options);
  process.stdout.write(`\n${formatSoakReport(report)}\n`);
  process.exit(report.violations === 0 && report.problems.length === 0 ? 0 : 1);
}
