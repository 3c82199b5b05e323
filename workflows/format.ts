/** Human text for summaries in the Temporal UI. Pure functions: safe in workflow code. */

export const formatMoney = (cents: number, currency: string): string => `${(cents / 100).toFixed(2)} ${currency}`;

export const formatDuration = (ms: number): string => {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
};

export const describeLines = (lines: readonly { sku: string; quantity: number }[]): string =>
  lines.map((l) => `${l.quantity}× ${l.sku}`).join(', ');
