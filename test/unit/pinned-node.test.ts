import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nodeVersionMismatch, PINNED_NODE_LINE, PINNED_NODE_VERSION } from '../support/pinned-node';

const repoFile = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('the pinned Node.js', () => {
  it('is what this run is on (npm run test:unit goes through scripts/with-node.sh)', () => {
    expect(nodeVersionMismatch(process.version)).toBeUndefined();
  });

  it('takes any patch release of its minor line and nothing else', () => {
    expect(nodeVersionMismatch(`v${PINNED_NODE_VERSION}`)).toBeUndefined();
    expect(nodeVersionMismatch(`v${PINNED_NODE_LINE}.0`)).toBeUndefined();
    expect(nodeVersionMismatch('v20.20.2')).toContain(`but the project runs on Node ${PINNED_NODE_LINE}.x`);
    expect(nodeVersionMismatch('v24.2.0')).toBeDefined();
    expect(nodeVersionMismatch('v26.12.1')).toBeDefined();
  });

  it('is the release the Docker image is built on and the one engines asks for', () => {
    expect(repoFile('Dockerfile')).toMatch(new RegExp(`^FROM node:${PINNED_NODE_VERSION.replaceAll('.', '\\.')}-bookworm-slim$`, 'm'));
    const major = Number(PINNED_NODE_LINE.split('.')[0]);
    const engines = (JSON.parse(repoFile('package.json')) as { engines: { node: string } }).engines.node;
    expect(engines).toBe(`>=${PINNED_NODE_LINE} <${major + 1}`);
  });
});
