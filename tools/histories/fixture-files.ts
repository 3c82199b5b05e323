import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { historyFromJSON, historyToJSON, type History } from '@temporalio/common/lib/proto-utils';

/**
 * Workflow histories kept as replay fixtures: JSON in the form the Temporal CLI
 * (`temporal workflow show --output json`), the UI's Download button and the SDK's
 * historyToJSON all write. `npm test` replays every file under this folder.
 */
export const HISTORY_FIXTURES_DIR = fileURLToPath(new URL('../../test/fixtures/histories', import.meta.url));
/** Recorded from the current workflow code; `npm run histories:record` rewrites this folder. */
export const CURRENT_HISTORIES_DIR = join(HISTORY_FIXTURES_DIR, 'current');
/** Where `npm run histories:export` puts a history unless told otherwise. */
export const EXPORTED_HISTORIES_DIR = join(HISTORY_FIXTURES_DIR, 'exported');

export interface HistoryFixture {
  /** The path under the fixtures folder without `.json`, e.g. `current/completed`. */
  name: string;
  history: History;
}

/** Every fixture under `dir`, sorted by name. */
export async function readHistoryFixtures(dir: string = HISTORY_FIXTURES_DIR): Promise<HistoryFixture[]> {
  const files = (await readdir(dir, { recursive: true })).filter((file) => file.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (file) => ({
      name: file.slice(0, -'.json'.length),
      // historyFromJSON, not the raw JSON: it is what breaks when npm nests two protobufjs majors.
      history: historyFromJSON(JSON.parse(await readFile(join(dir, file), 'utf8'))),
    })),
  );
}

/** Writes a history as an indented fixture file (readable diffs when it is re-recorded). */
export async function writeHistoryFixture(file: string, history: History): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 2)}\n`);
}

/** Deletes the fixture files directly in `dir`, before a recording replaces them. */
export async function clearHistoryFixtures(dir: string): Promise<void> {
  const files = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(files.filter((file) => file.endsWith('.json')).map((file) => rm(join(dir, file))));
}

/** A path for messages: relative to the repository when inside it. */
export function displayPath(file: string): string {
  const inRepository = relative(fileURLToPath(new URL('../..', import.meta.url)), file);
  return inRepository.startsWith('..') ? file : inRepository;
}
