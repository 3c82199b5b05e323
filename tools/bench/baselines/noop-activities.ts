const noop = async (_orderId: string): Promise<void> => {};

/** The saga's steps and compensations by name, each doing nothing: the textbook saga's activities. */
export const noopActivities = {
  recordOrder: noop,
  reserveInventory: noop,
  checkFraud: noop,
  chargePayment: noop,
  createShipment: noop,
  completeOrder: noop,
  releaseInventory: noop,
  refundPayment: noop,
  cancelShipment: noop,
};

export type NoopActivities = typeof noopActivities;
