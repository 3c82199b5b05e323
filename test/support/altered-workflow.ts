import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { uniqueSuffix } from '../../tools/environment/run-identity';
import { quietBundlerLogger } from '../../tools/environment/workflow-bundle';

const WORKFLOWS_DIR = fileURLToPath(new URL('../../workflows/', import.meta.url));
// Inside the repository, so webpack finds node_modules; git-ignored.
const SCRATCH_DIR = fileURLToPath(new URL('../../.test-output/altered-workflows/', import.meta.url));

/**
 * Bundles a copy of the real workflows/order-saga.ts with `alter` applied: the code a careless
 * edit would ship. Derived from the current source on every run, so it never drifts from it.
 */
export async function bundleAlteredOrderSaga(label: string, alter: (source: string) => string): Promise<WorkflowBundle> {
  const original = await readFile(join(WORKFLOWS_DIR, 'order-saga.ts'), 'utf8');
  const altered = alter(original);
  if (altered === original) throw new Error(`${label}: the alteration changed nothing in workflows/order-saga.ts`);
  const dir = join(SCRATCH_DIR, `${label}-${uniqueSuffix()}`);
  await mkdir(dir, { recursive: true });
  try {
    // The copy lives elsewhere: point its relative imports back at the real modules.
    const relinked = altered.replace(/from '(\.{1,2}\/[^']+)'/g, (_match, specifier: string) => `from '${join(WORKFLOWS_DIR, specifier)}'`);
    await writeFile(join(dir, 'order-saga.ts'), relinked);
    await writeFile(join(dir, 'index.ts'), "export { orderSaga } from './order-saga';\n");
    const { code } = await bundleWorkflowCode({ workflowsPath: join(dir, 'index.ts'), logger: quietBundlerLogger });
    return { code };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Swaps two forward steps of the saga, each taken from the line of its `runStep('<step>'` call to
 * the end of that statement. Throws when the source no longer has that shape.
 */
export function swapSteps(source: string, first: string, second: string): string {
  const [a, b] = [stepStatement(source, first), stepStatement(source, second)].sort((x, y) => x.start - y.start) as [Block, Block];
  if (a.end > b.start) throw new Error(`the ${first} and ${second} steps overlap`);
  return source.slice(0, a.start) + b.text + source.slice(a.end, b.start) + a.text + source.slice(b.end);
}

interface Block {
  start: number;
  end: number;
  text: string;
}

function stepStatement(source: string, step: string): Block {
  const call = `runStep('${step}'`;
  const at = source.indexOf(call);
  if (at < 0 || source.indexOf(call, at + 1) >= 0) {
    throw new Error(`workflows/order-saga.ts has no single "${call}" call any more; update this test`);
  }
  // The call ends at the parenthesis that closes it; the statement, at the semicolon after it.
  let depth = 0;
  let close = at + 'runStep'.length;
  do {
    const char = source[close];
    if (char === '(') depth++;
    else if (char === ')') depth--;
    close++;
  } while (depth > 0 && close < source.length);
  if (source[close] !== ';') throw new Error(`the ${call} call in workflows/order-saga.ts is not a statement of its own; update this test`);
  const start = source.lastIndexOf('\n', at) + 1;
  const end = close + 1;
  return { start, end, text: source.slice(start, end) };
}
