import { createHash, randomUUID } from 'node:crypto';
import { ApiError } from '../errors';
import type { OrderIntake } from '../store/api-store';

export interface ClaimedOrderId {
  orderId: string;
  /** True when an earlier request with this key already chose the order. */
  repeated: boolean;
}

/**
 * Decides the order id for a request. Without a key every request is a new order. With one, the
 * first request to record the key wins and every later one, concurrent or not, gets its order;
 * the same key with another body is refused with 422.
 */
export async function claimOrderId(
  intake: Pick<OrderIntake, 'claimIdempotencyKey'>,
  key: string | undefined,
  body: unknown,
): Promise<ClaimedOrderId> {
  if (key === undefined) return { orderId: randomUUID(), repeated: false };
  const requestHash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
  const record = await intake.claimIdempotencyKey(key, requestHash, randomUUID());
  if (record.recordedNow) return { orderId: record.orderId, repeated: false };
  if (record.requestHash !== requestHash) {
    throw new ApiError(422, 'idempotency_key_reused', `Idempotency-Key ${JSON.stringify(key)} was used for a different request body`, [
      { path: 'Idempotency-Key', message: `already used for order ${record.orderId}` },
    ]);
  }
  return { orderId: record.orderId, repeated: true };
}
