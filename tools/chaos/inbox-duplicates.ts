const ALREADY_HANDLED = 'already handled: acknowledged without a second effect';

/**
 * Counts, from the consumers' JSON log lines, the deliveries each consumer acknowledged without a
 * second effect because its inbox had the message already: the duplicates the inbox absorbed.
 */
export class InboxDuplicateCounter {
  readonly byConsumer = new Map<string, number>();

  readonly onLine = (line: string): void => {
    if (!line.includes(ALREADY_HANDLED)) return;
    let consumer = '?';
    try {
      const parsed = JSON.parse(line) as { consumer?: unknown };
      if (typeof parsed.consumer === 'string') consumer = parsed.consumer;
    } catch {
      // A line cut short by a kill still counts, under "?".
    }
    this.byConsumer.set(consumer, (this.byConsumer.get(consumer) ?? 0) + 1);
  };

  get total(): number {
    return [...this.byConsumer.values()].reduce((sum, n) => sum + n, 0);
  }
}
