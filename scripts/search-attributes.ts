/**
 * `npx tsx scripts/search-attributes.ts --write` rewrites docker/temporal/search-attributes.txt
 * from workflows/search-attributes.ts; without --write it prints what it would write. The file is
 * what scripts/stack-up.sh and docker/temporal/setup-namespace.sh register (the latter runs where
 * there is no Node); test/unit/search-attributes.test.ts fails while it differs.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SearchAttributeType } from '@temporalio/common';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

export const SEARCH_ATTRIBUTES_FILE = fileURLToPath(new URL('../docker/temporal/search-attributes.txt', import.meta.url));

/** The names `temporal operator search-attribute create --type` takes. */
const CLI_TYPES: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

/** The file's text: a header, then one Name=Type line per attribute. */
export function searchAttributesFile(): string {
  return [
    '# Generated from workflows/search-attributes.ts by `npx tsx scripts/search-attributes.ts --write`: edit that, not this.',
    '# One Name=Type line per custom search attribute, registered by scripts/stack-up.sh and docker/temporal/setup-namespace.sh.',
    ...SEARCH_ATTRIBUTES.map(({ name, type }) => `${name}=${CLI_TYPES[type]}`),
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--write')) writeFileSync(SEARCH_ATTRIBUTES_FILE, searchAttributesFile());
  else process.stdout.write(searchAttributesFile());
}
