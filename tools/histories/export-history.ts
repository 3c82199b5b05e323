/**
 * `npm run histories:export -- <workflowId> [--run-id <runId>] [--out <file>]`: writes one
 * workflow's history as a replay fixture, by default to test/fixtures/histories/exported/<workflowId>.json,
 * where `npm test` replays it with the rest. Use it to keep a production saga that took an
 * unusual path: the replay tests then guard it against future workflow changes.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/env';
import { connectTemporalClient } from '../../saga-client/connect';
import { displayPath, EXPORTED_HISTORIES_DIR, writeHistoryFixture } from './fixture-files';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { 'run-id': { type: 'string' }, out: { type: 'string' } },
});
const [workflowId] = positionals;
if (!workflowId || positionals.length > 1) {
  console.error('usage: npm run histories:export -- <workflowId> [--run-id <runId>] [--out <file>]');
  process.exit(2);
}

const client = await connectTemporalClient(loadConfig());
try {
  const history = await client.workflow.getHandle(workflowId, values['run-id']).fetchHistory();
  // npm runs scripts from the package root; --out is taken relative to where the user typed it.
  const file = values.out ? resolve(process.env.INIT_CWD ?? process.cwd(), values.out) : join(EXPORTED_HISTORIES_DIR, `${workflowId}.json`);
  await writeHistoryFixture(file, history);
  console.log(`exported ${history.events?.length ?? 0} events of ${workflowId} to ${displayPath(file)}`);
} finally {
  await client.connection.close();
}
