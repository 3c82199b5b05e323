import { readFileSync } from 'node:fs';

/** The Node.js release the project runs on; scripts/with-node.sh reads the same file. */
export const PINNED_NODE_VERSION = readFileSync(new URL('../../.node-version', import.meta.url), 'utf8').trim();

/** Its minor line, `24.22`: any patch release of it will do, as scripts/lib/pinned-node.sh accepts. */
export const PINNED_NODE_LINE = PINNED_NODE_VERSION.split('.').slice(0, 2).join('.');

/** Why `version` (a `process.version`) is not the project's Node, or undefined when it is. */
export function nodeVersionMismatch(version: string): string | undefined {
  if (version.startsWith(`v${PINNED_NODE_LINE}.`)) return undefined;
  return (
    `running on Node ${version}, but the project runs on Node ${PINNED_NODE_LINE}.x (.node-version: ${PINNED_NODE_VERSION}). ` +
    'Run the tests through npm (npm test, npm test -- <files>, npm run test:unit), which puts it first on PATH, ' +
    'or prefix the command with `bash scripts/with-node.sh`.'
  );
}
