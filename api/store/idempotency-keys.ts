import { and, eq } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { idempotencyKeys } from '../../drizzle/schema';
import type { CustomerKey, IdempotencyKeyRecord } from './api-store';

/** The first request to insert the customer's key wins; every later one, concurrent or not, reads the winner. */
export async function claimIdempotencyKey(
  db: Database,
  { customerId, key }: CustomerKey,
  requestHash: string,
  orderId: string,
): Promise<IdempotencyKeyRecord> {
  const [inserted] = await db
    .insert(idempotencyKeys)
    .values({ customerId, key, requestHash, orderId })
    .onConflictDoNothing({ target: [idempotencyKeys.customerId, idempotencyKeys.key] })
    .returning({ orderId: idempotencyKeys.orderId, requestHash: idempotencyKeys.requestHash });
  if (inserted) return { ...inserted, recordedNow: true };
  const [existing] = await db
    .select({ orderId: idempotencyKeys.orderId, requestHash: idempotencyKeys.requestHash })
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.customerId, customerId), eq(idempotencyKeys.key, key)));
  if (!existing) throw new Error(`idempotency key ${key} of customer ${customerId} vanished between insert and read`);
  return { ...existing, recordedNow: false };
}
