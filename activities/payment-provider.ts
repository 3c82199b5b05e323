import { createHash } from 'node:crypto';

/**
 * A simulated card processor with fixed behaviour per token, so every saga path can be driven
 * on purpose (the README lists the tokens). Charges are keyed by order id like a real
 * provider's idempotency key.
 */

export class PaymentDeclinedError extends Error {
  override readonly name = 'PaymentDeclinedError';
}
export class RefundRejectedError extends Error {
  override readonly name = 'RefundRejectedError';
}
/** A provider outage: worth retrying. */
export class ProviderUnavailableError extends Error {
  override readonly name = 'ProviderUnavailableError';
}

const NO_REFUND_PREFIX = 'ch_norefund_';

const shortHash = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 16);

export interface ChargeRequest {
  token: string;
  amountCents: number;
  idempotencyKey: string;
  /** The caller's attempt number, 1-based: the flaky token fails while it is 2 or less. */
  attempt: number;
}

export function charge(request: ChargeRequest): { chargeId: string } {
  switch (request.token) {
    case 'tok_visa':
      return { chargeId: `ch_${shortHash(request.idempotencyKey)}` };
    case 'tok_refundRejected':
      return { chargeId: `${NO_REFUND_PREFIX}${shortHash(request.idempotencyKey)}` };
    case 'tok_flaky':
      if (request.attempt <= 2) throw new ProviderUnavailableError(`payment provider unavailable (attempt ${request.attempt})`);
      return { chargeId: `ch_${shortHash(request.idempotencyKey)}` };
    case 'tok_chargeDeclined':
      throw new PaymentDeclinedError('card declined by issuer');
    default:
      throw new PaymentDeclinedError(`unknown payment token ${JSON.stringify(request.token)}`);
  }
}

export function refund(request: { chargeId: string; amountCents: number }): { refundId: string } {
  if (request.chargeId.startsWith(NO_REFUND_PREFIX)) {
    throw new RefundRejectedError(`refund of charge ${request.chargeId} rejected by the provider`);
  }
  return { refundId: `re_${shortHash(request.chargeId)}` };
}
