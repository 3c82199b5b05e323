import type { OrderEventLog } from '../store/api-store';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Where a stream starts: after the event a reconnecting client names (an EventSource's
 * `Last-Event-ID` header, or `lastEventId=` for a page that opens a new EventSource with a new
 * ticket), else at the first event. An id that is not one of this order's events (malformed,
 * another order's, or pruned from the order's event history) starts from the first event too, rather than
 * failing: an EventSource cannot act on a 400, and a client tells repeats by their ids.
 */
export async function resumeAfterSeq(events: OrderEventLog, orderId: string, lastEventId: string | undefined): Promise<number> {
  const id = lastEventId?.trim();
  if (!id || !UUID.test(id)) return 0;
  return (await events.findOrderEventSeq(orderId, id)) ?? 0;
}
