import { cancelShipment } from './cancel-shipment';
import { chargePayment } from './charge-payment';
import { checkFraud } from './check-fraud';
import { completeOrder } from './complete-order';
import { createShipment } from './create-shipment';
import type { ActivityDeps } from './deps';
import { markOrderOutcome } from './mark-order-outcome';
import { recordOrder } from './record-order';
import { refundPayment } from './refund-payment';
import { releaseInventory } from './release-inventory';
import { reserveInventory } from './reserve-inventory';

export type { ActivityDeps } from './deps';

/** The order saga's activities, bound to the database of the worker that hosts them. */
export function createActivities(deps: ActivityDeps) {
  return {
    recordOrder: recordOrder(deps),
    reserveInventory: reserveInventory(deps),
    checkFraud: checkFraud(deps),
    chargePayment: chargePayment(deps),
    createShipment: createShipment(deps),
    completeOrder: completeOrder(deps),
    cancelShipment: cancelShipment(deps),
    refundPayment: refundPayment(deps),
    releaseInventory: releaseInventory(deps),
    markOrderOutcome: markOrderOutcome(deps),
  };
}

export type OrderActivities = ReturnType<typeof createActivities>;
