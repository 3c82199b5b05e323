import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { SEARCH_ATTRIBUTES_FILE, searchAttributesFile } from '../../scripts/search-attributes';

describe('the search attributes the scripts register', () => {
  it('are those workflows/search-attributes.ts declares (else: npx tsx scripts/search-attributes.ts --write)', () => {
    expect(readFileSync(SEARCH_ATTRIBUTES_FILE, 'utf8')).toBe(searchAttributesFile());
  });

  it('are listed one Name=Type line each, as the CLI names the types', () => {
    const pairs = searchAttributesFile()
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(pairs).toEqual(['OrderStatus=Keyword', 'CustomerId=Keyword', 'OrderTotal=Double', 'FailedStep=Keyword']);
    expect(pairs).toHaveLength(SEARCH_ATTRIBUTES.length);
  });
});
