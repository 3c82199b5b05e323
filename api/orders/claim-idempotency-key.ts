import { createHash, randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { idempotencyKeys } from '../../drizzle/schema';
import { ApiError } from '../errors';

export interface ClaimedOrderId {
  orderId: string;
  /** True when an earlier request with this key already chose the order. */
  repeated: boolean;
}

/**
 * Decides the order id for a request. Without a key every request is a new order. With one, the
 * first request to insert the key wins and every later one, concurrent or not, gets its order;
 * the same key with another body is refused with 422.
 */
export async function claimOrderId(db: Database, key: string | undefined, body: unknown): Promise<ClaimedOrderId> {
  if (key === undefined) return { orderId: randomUUID(), repeated: false };
  const requestHash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
  const [inserted] = await db
    .insert(idempotencyKeys)
    .values({ key, requestHash, orderId: randomUUID() })
    .onConflictDoNothing({ target: idempotencyKeys.key })
    .returning({ orderId: idempotencyKeys.orderId });
  if (inserted) return { orderId: inserted.orderId, repeated: false };

  const [existing] = await db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key));
  if (!existing) throw new Error(`idempotency key ${key} vanished between insert and read`);
  if (existing.requestHash !== requestHash) {
    throw new ApiError(422, 'idempotency_key_reused', `Idempotency-Key ${JSON.stringify(key)} was used for a different request body`, [
      { path: 'Idempotency-Key', message: `already used for order ${existing.orderId}` },
    ]);
  }
  return { orderId: existing.orderId, repeated: true };
}
