import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonNestingDepth } from '../../messaging/json-depth';

/** The obvious recursive definition, for values shallow enough to recurse over. */
const depthOf = (value: unknown): number =>
  typeof value === 'object' && value !== null ? 1 + Math.max(0, ...Object.values(value).map(depthOf)) : 0;

describe('jsonNestingDepth', () => {
  it('counts nested objects and arrays, not scalars', () => {
    expect(jsonNestingDepth('1')).toBe(0);
    expect(jsonNestingDepth('"text"')).toBe(0);
    expect(jsonNestingDepth('{}')).toBe(1);
    expect(jsonNestingDepth('{"a":[1,{"b":[]}],"c":{}}')).toBe(4);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonNestingDepth(JSON.stringify({ a: '[[[[{{{{' }))).toBe(1);
    expect(jsonNestingDepth(JSON.stringify({ a: 'say \\"[[[" and "{{"' }))).toBe(1);
    expect(jsonNestingDepth(JSON.stringify({ a: '\\', b: ['x'] }))).toBe(2);
  });

  it('measures a million levels without recursion, and stops early once past the limit', () => {
    const deep = '['.repeat(1_000_000) + ']'.repeat(1_000_000);
    expect(jsonNestingDepth(deep)).toBe(1_000_000);
    expect(jsonNestingDepth(deep, 32)).toBe(33);
  });

  it('agrees with the recursive definition on generated JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue({ depthSize: 'medium', maxDepth: 12 }), (value) => {
        expect(jsonNestingDepth(JSON.stringify(value))).toBe(depthOf(JSON.parse(JSON.stringify(value))));
      }),
      { numRuns: 500 },
    );
  });
});
