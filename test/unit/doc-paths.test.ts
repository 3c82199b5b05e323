import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The docs name files and folders of this repository; when one moves, the docs must follow. This
 * reads README.md, CONTRIBUTING.md and docs/*.md and checks what they name:
 *
 * - Inline code spans (`like/this.ts`) outside fenced blocks, split on whitespace. A token is a
 *   repository path when it is made only of letters, digits, `_ . - /` (so URLs, `~/…`, `/orders/:id`,
 *   `<placeholders>`, globs with `*`, `$VARS` and flags are not) and either contains a `/` (then it
 *   is relative to the repository root: `api/app.ts`, `tools/bench/`) or ends in a source or doc
 *   extension (a bare file name such as `relay.test.ts`: some file in the repository has that name).
 *   MIME types (`application/json`) are the one shape excluded by name.
 * - Markdown links `[text](target)` that are not URLs: the target is relative to the doc's folder,
 *   and a `#fragment` must be a heading (GitHub's slug) or an `<a id>` in the target file.
 *
 * Fenced code blocks are not read: they hold commands and output with placeholder paths.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const README_MAX_LINES = 250;

const PATH_SHAPE = /^[A-Za-z0-9_.][A-Za-z0-9_./-]*$/;
const FILE_EXTENSION = /\.(ts|js|md|sh|json|ya?ml|sql)$/;
const MIME_TYPE = /^(application|text|image|multipart)\//;
const URL_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/**
 * Folders the docs name that a tool creates when it runs, so a fresh clone lacks them. Each names
 * the file that creates it, which must exist and mention the folder: the entry cannot go stale.
 */
const CREATED_AT_RUN_TIME = [
  { path: '.test-output/ui/', createdBy: 'test/support/temporal-ui.ts' },
  { path: 'tools/bench/results/', createdBy: 'tools/bench/run.ts' },
  { path: 'test/fixtures/histories/exported/', createdBy: 'tools/histories/fixture-files.ts' },
  { path: '.local/', createdBy: 'workers/local-secret.ts' },
];

interface Mention {
  doc: string;
  line: number;
  text: string;
}

const where = ({ doc, line, text }: Mention) => `${doc}:${line} ${text}`;

function docFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', 'CONTRIBUTING.md', ...docs];
}

/** The doc's lines with fenced code blocks blanked, so line numbers stay true. */
function proseLines(doc: string): string[] {
  let fenced = false;
  return readFileSync(join(ROOT, doc), 'utf8')
    .split('\n')
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) {
        fenced = !fenced;
        return '';
      }
      return fenced ? '' : line;
    });
}

interface Block {
  text: string;
  firstLine: number;
}

/** Paragraphs (and tables, list items …) of prose: a code span or link may wrap within one, never across. */
function proseBlocks(doc: string): Block[] {
  const blocks: Block[] = [];
  let current: string[] = [];
  const lines = proseLines(doc);
  lines.forEach((line, index) => {
    if (line.trim() !== '') current.push(line);
    if ((line.trim() === '' || index === lines.length - 1) && current.length > 0) {
      const lastLine = line.trim() === '' ? index : index + 1;
      blocks.push({ text: current.join('\n'), firstLine: lastLine - current.length + 1 });
      current = [];
    }
  });
  return blocks;
}

const CODE_SPAN = /(`+)([\s\S]+?)\1/g;
const LINK = /\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g;

const lineOf = (block: Block, index: number) => block.firstLine + block.text.slice(0, index).split('\n').length - 1;

function codeSpanTokens(doc: string): Mention[] {
  return proseBlocks(doc).flatMap((block) =>
    [...block.text.matchAll(CODE_SPAN)].flatMap((match) =>
      match[2]!
        .trim()
        .split(/\s+/)
        .map((token) => ({ doc, line: lineOf(block, match.index), text: token })),
    ),
  );
}

function linkTargets(doc: string): Mention[] {
  return proseBlocks(doc).flatMap((block) => {
    // Code spans blanked to spaces, not removed, so the links' offsets still give their lines.
    const text = block.text.replace(CODE_SPAN, (span) => span.replace(/[^\n]/g, ' '));
    return [...text.matchAll(LINK)].map((match) => ({ doc, line: lineOf(block, match.index), text: match[1]! }));
  });
}

type PathKind = 'repo-path' | 'file-name' | 'not-a-path';

function classify(token: string): PathKind {
  if (!PATH_SHAPE.test(token) || MIME_TYPE.test(token) || /^\.+\/?$/.test(token)) return 'not-a-path';
  if (token.includes('/')) return 'repo-path';
  return FILE_EXTENSION.test(token) ? 'file-name' : 'not-a-path';
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name === '.git') return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

/** The folder itself (with or without its slash) or anything under it. */
const createdAtRunTime = (path: string) => CREATED_AT_RUN_TIME.some((entry) => `${path}/`.startsWith(entry.path));

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes, repeats numbered. */
function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(relative(ROOT, file))) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const slug = heading[1]!
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-');
      const repeats = seen.get(slug) ?? 0;
      seen.set(slug, repeats + 1);
      anchors.add(repeats === 0 ? slug : `${slug}-${repeats}`);
    }
    for (const id of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(id[1]!);
  }
  return anchors;
}

describe('the docs', () => {
  const docs = docFiles();

  it(`README.md is at most ${README_MAX_LINES} lines`, () => {
    const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').trimEnd().split('\n').length;
    expect(lines).toBeLessThanOrEqual(README_MAX_LINES);
  });

  it('name only repository paths that exist', () => {
    const names = new Set(filesUnder(ROOT).map((file) => basename(file)));
    const mentions = docs.flatMap(codeSpanTokens);
    const missing = mentions
      .filter((mention) => {
        const kind = classify(mention.text);
        if (kind === 'file-name') return !names.has(mention.text);
        if (kind === 'repo-path') return !existsSync(join(ROOT, mention.text)) && !createdAtRunTime(mention.text);
        return false;
      })
      .map(where);
    expect(missing).toEqual([]);
    // The rule above must be finding paths at all: a regression to zero would pass silently.
    expect(mentions.filter((mention) => classify(mention.text) === 'repo-path').length).toBeGreaterThan(100);
  });

  it('link only to files and headings that exist', () => {
    const broken = docs
      .flatMap(linkTargets)
      .filter(({ text }) => !URL_SCHEME.test(text))
      .filter((mention) => {
        const [target = '', fragment] = mention.text.split('#');
        const file = target === '' ? join(ROOT, mention.doc) : resolve(ROOT, dirname(mention.doc), target);
        if (!existsSync(file)) return true;
        return fragment !== undefined && file.endsWith('.md') && !anchorsOf(file).has(fragment);
      })
      .map(where);
    expect(broken).toEqual([]);
  });

  it('keep every run-time folder they name tied to the file that creates it', () => {
    const stale = CREATED_AT_RUN_TIME.filter(({ path, createdBy }) => {
      const file = join(ROOT, createdBy);
      return !existsSync(file) || !readFileSync(file, 'utf8').includes(basename(path));
    });
    expect(stale).toEqual([]);
  });
});

describe('what counts as a repository path', () => {
  it.each([
    ['api/app.ts', 'repo-path'],
    ['tools/bench/run.ts', 'repo-path'],
    ['test/fixtures/histories/current/', 'repo-path'],
    ['.ci/run', 'repo-path'],
    ['relay.test.ts', 'file-name'],
    ['docker-compose.yml', 'file-name'],
    ['https://temporal.io', 'not-a-path'],
    ['~/.cache/saga-orchestrator', 'not-a-path'],
    ['/orders/:id', 'not-a-path'],
    ['/openapi.json', 'not-a-path'],
    ['test/fixtures/histories/before-<change>', 'not-a-path'],
    ['consumers/*', 'not-a-path'],
    ['application/json', 'not-a-path'],
    ['orders.events', 'not-a-path'],
    ['$ADMIN_TOKEN', 'not-a-path'],
    ['--soak', 'not-a-path'],
  ] as const)('%s is %s', (token, kind) => {
    expect(classify(token)).toBe(kind);
  });
});
