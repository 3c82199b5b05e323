import { describe, expect, it } from 'vitest';
import { escapeMarkdown } from '../../workflows/format';

/** Hostile text and what it must become: the same characters, none of them markup. */
const CASES: [what: string, input: string, escaped: string][] = [
  ['a link', '[click me](https://evil.example/phish)', '\\[click me\\](https\\://evil.example/phish)'],
  ['an image', '![x](https://evil.example/p.png)', '!\\[x\\](https\\://evil.example/p.png)'],
  ['a reference link', '[x][1]', '\\[x\\]\\[1\\]'],
  ['an autolink', '<https://evil.example>', '\\<https\\://evil.example>'],
  ['a bare URL (GFM autolink)', 'see https://evil.example now', 'see https\\://evil.example now'],
  ['a www autolink', 'visit www.evil.example', 'visit www\\.evil.example'],
  ['an e-mail autolink', 'mail ceo@evil.example', 'mail ceo\\@evil.example'],
  ['HTML', '<img src=x onerror=alert(1)>', '\\<img src=x onerror=alert(1)>'],
  ['a script tag', '<script>alert(1)</script>', '\\<script>alert(1)\\</script>'],
  ['an HTML entity', 'a &lt;b&gt; &#60;', 'a \\&lt;b\\&gt; \\&#60;'],
  ['inline code', 'use `rm -rf /`', 'use \\`rm -rf /\\`'],
  ['a code fence', '```js', '\\`\\`\\`js'],
  ['emphasis', '*bold* _it_ ~~gone~~', '\\*bold\\* \\_it\\_ \\~\\~gone\\~\\~'],
  ['a backslash that would escape our escape', '\\[x](y)', '\\\\\\[x\\](y)'],
  ['newlines that would start new blocks', 'fine\n# Heading\r\n- item\u2028> quote', 'fine # Heading - item > quote'],
  ['a heading at the start', '# Refund approved', '\\# Refund approved'],
  ['a list item at the start', '- item', '\\- item'],
  ['a numbered list at the start', '1. first', '1\\. first'],
  ['a quote at the start', '> quoted', '\\> quoted'],
  ['a table row at the start', '| a | b |', '\\| a | b |'],
  ['a setext underline at the start', '===', '\\==='],
  ['control characters', 'a\u0000b\u001bc\u007fd', 'a b c d'],
];

describe('escapeMarkdown', () => {
  it.each(CASES)('%s', (_what, input, escaped) => {
    expect(escapeMarkdown(input)).toBe(escaped);
  });

  it('leaves ordinary text as it was', () => {
    for (const text of [
      'cust-42',
      'SKU-RED-MUG',
      'London',
      'St. James (back door)',
      'Ada Lovelace',
      'ECONNREFUSED 127.0.0.1:5432',
      'auth0|abc',
      'München',
      '100%',
    ]) {
      expect(escapeMarkdown(text)).toBe(text);
    }
  });

  it('keeps every character visible: removing the escapes gives the text back (line breaks aside)', () => {
    for (const [, input] of CASES) {
      const unescaped = escapeMarkdown(input).replace(/\\([\\`*_[\]<~&:.@#\->=|+])/g, '$1');
      expect(unescaped).toBe(input.replace(/[\p{Cc}\u2028\u2029]+/gu, ' '));
    }
  });
});
