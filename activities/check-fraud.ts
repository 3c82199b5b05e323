import { activityStep } from './activity-step';
import type { ActivityDeps } from './deps';
import { done, rejected } from './run-step';

/** Customers the simulated fraud screen refuses (the README lists them). */
export const FRAUD_WATCH_LIST: ReadonlySet<string> = new Set(['cust-fraud']);

export interface CheckFraudInput {
  orderId: string;
  customerId: string;
  amountCents: number;
}

/**
 * Screens the order before any money moves. It changes no state, but goes through the step
 * ledger all the same: the decision is recorded with the order, and a retry gets the first
 * answer even if the watch list changed in between.
 */
export const checkFraud =
  (deps: ActivityDeps) =>
  (input: CheckFraudInput): Promise<{ cleared: true }> =>
    activityStep(deps, input.orderId, 'checkFraud', async () =>
      FRAUD_WATCH_LIST.has(input.customerId)
        ? rejected('FraudSuspected', `customer ${input.customerId} is on the fraud watch list`)
        : done({ cleared: true as const }),
    );
