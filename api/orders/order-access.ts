import type { Caller } from '../auth/caller';
import { ownsOrder } from '../auth/caller';
import type { ApiDeps } from '../deps';
import { notFound } from '../errors';

/**
 * 404 unless the order exists and the caller may read it: an admin any order, a customer their
 * own. A stranger's order answers exactly as an unknown one, so ids do not disclose orders.
 * The customer comes from the saga's CustomerId search attribute, set when the saga starts, so an
 * order is readable by its customer right after submission, before the saga records it anywhere;
 * once Temporal no longer keeps the workflow (retention), from the order's row in PostgreSQL.
 */
export async function assertCallerMayRead(deps: Pick<ApiDeps, 'sagas' | 'store'>, caller: Caller, orderId: string): Promise<void> {
  const execution = await deps.sagas.describeOrder(orderId);
  if (execution) return assertOwnOrder(caller, orderId, execution.customerId);
  const archived = await deps.store.readArchivedOrder(orderId);
  if (!archived) throw notFound('order', orderId);
  assertOwnOrder(caller, orderId, archived.customerId);
}

/** The same rule for a route that has already read the order (and so knows its customer): no second round trip to Temporal. */
export function assertOwnOrder(caller: Caller, orderId: string, orderCustomerId: string | null): void {
  if (caller.kind === 'admin') return;
  if (orderCustomerId === null || !ownsOrder(caller, orderCustomerId)) throw notFound('order', orderId);
}
