/** An error's message, with those it aggregates, for a log line. */
export function describeError(error: unknown): string {
  if (error instanceof AggregateError) return `${error.message}: ${error.errors.map(describeError).join('; ')}`;
  return error instanceof Error ? error.message : String(error);
}
