/** Human text for summaries in the Temporal UI. Pure functions: safe in workflow code. */

export const formatMoney = (cents: number, currency: string): string => `${(cents / 100).toFixed(2)} ${currency}`;

export const formatDuration = (ms: number): string => {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
};

export const describeLines = (lines: readonly { sku: string; quantity: number }[]): string =>
  lines.map((l) => `${l.quantity}× ${escapeMarkdown(l.sku)}`).join(', ');

/**
 * Text from outside (a customer id, an address, a cancel or review reason, an error message)
 * made inert for the Temporal UI's markdown: it reads the same but cannot add a link, an image,
 * HTML, code, emphasis, a heading or a list, and cannot break out of its line. Markdown's
 * backslash escapes keep the characters visible. Control characters and line breaks become
 * spaces; characters that mean something anywhere are escaped; those that mean something only
 * at the start of a line are escaped there; `scheme://`, `www.` and `@` lose their autolinks.
 * Pure: safe in workflow code.
 */
export const escapeMarkdown = (text: string): string =>
  text
    .replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')
    .replace(/[\\`*_[\]<~]/g, '\\$&')
    .replace(/&(?=#?\w+;)/g, '\\&')
    .replace(/([a-z]):(?=\/\/)/gi, '$1\\:')
    .replace(/\b(www)\./gi, '$1\\.')
    .replace(/@/g, '\\@')
    .replace(/^(\s*)([-+#>=|]|\d+(?=[.)]))/, (_match, space: string, lead: string) =>
      /^\d/.test(lead) ? `${space}${lead}\\` : `${space}\\${lead}`,
    );
