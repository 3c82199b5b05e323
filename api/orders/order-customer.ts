import type { Caller } from '../auth/caller';
import { ApiError } from '../errors';

/**
 * Whose order a submission is: a customer's own (the body's `customerId` may repeat their token's
 * subject, never name someone else), or, from an admin, the customer the body names.
 */
export function customerOfSubmission(caller: Caller, bodyCustomerId: string | undefined): string {
  if (caller.kind === 'customer') {
    if (bodyCustomerId !== undefined && bodyCustomerId !== caller.customerId) {
      throw new ApiError(403, 'customer_mismatch', "customerId must be the token's subject: a customer submits only their own orders", [
        { path: 'customerId', message: "differs from the token's subject" },
      ]);
    }
    return caller.customerId;
  }
  if (bodyCustomerId === undefined) {
    throw new ApiError(400, 'validation_failed', 'an admin submitting an order must name its customer', [
      { path: 'customerId', message: 'required when the caller is an admin' },
    ]);
  }
  return bodyCustomerId;
}
