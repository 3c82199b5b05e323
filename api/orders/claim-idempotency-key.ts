import { createHash, randomUUID } from 'node:crypto';
import { ApiError } from '../errors';
import type { OrderIntake } from '../store/api-store';

export interface ClaimedOrderId {
  orderId: string;
  /** True when an earlier request with this key already chose the order. */
  repeated: boolean;
}

/**
 * Decides the order id for a customer's request. Without a key every request is a new order. With
 * one, the first request of that customer to record the key wins and every later one, concurrent or
 * not, gets its order; the same key with another body is refused with 422, which says nothing of
 * the first order (no id, no fields), only that the key is taken.
 */
export async function claimOrderId(
  intake: Pick<OrderIntake, 'claimIdempotencyKey'>,
  customerId: string,
  key: string | undefined,
  body: unknown,
): Promise<ClaimedOrderId> {
  if (key === undefined) return { orderId: randomUUID(), repeated: false };
  const requestHash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
  const record = await intake.claimIdempotencyKey({ customerId, key }, requestHash, randomUUID());
  if (record.recordedNow) return { orderId: record.orderId, repeated: false };
  if (record.requestHash !== requestHash) {
    throw new ApiError(422, 'idempotency_key_reused', 'this Idempotency-Key was already used with a different request body', [
      { path: 'Idempotency-Key', message: 'already used for another request: send a new key for a new order' },
    ]);
  }
  return { orderId: record.orderId, repeated: true };
}
