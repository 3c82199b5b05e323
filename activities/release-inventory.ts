import { activityStep } from './activity-step';
import type { ActivityDeps } from './deps';
import { moveReservations } from './move-reservations';
import { done } from './run-step';
import { buildEvent } from './build-event';

/** Compensates reserveInventory: frees the order's held stock. A no-op when nothing is held. */
export const releaseInventory =
  (deps: ActivityDeps) =>
  (input: { orderId: string }): Promise<{ releasedUnits: number }> =>
    activityStep<{ releasedUnits: number }>(deps, input.orderId, 'releaseInventory', async (tx) => {
      const { orderId } = input;
      const released = await moveReservations(tx, orderId, 'release');
      if (released.length === 0) return done({ releasedUnits: 0 });
      const releasedUnits = released.reduce((sum, r) => sum + r.quantity, 0);
      return done({ releasedUnits }, [buildEvent('inventory.released', { orderId, lines: released })]);
    });
