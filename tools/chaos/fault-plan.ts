import { FAULT_DESCRIPTIONS, type FaultKind } from './fault-kinds';
import type { SeededRandom } from './random';

export interface PlannedFault {
  kind: FaultKind;
  /** Injected once this many sagas have been submitted. */
  afterSubmitted: number;
}

/**
 * Gives each fault a random moment, as a point in the run's progress rather than a clock time,
 * so it lands while sagas are in flight however fast the machine is: between 8 % and 75 % of
 * the sagas submitted.
 */
export function planFaults(faults: readonly FaultKind[], sagas: number, random: SeededRandom): PlannedFault[] {
  return faults
    .map((kind) => ({ kind, afterSubmitted: Math.max(1, Math.round(sagas * (0.08 + random.next() * 0.67))) }))
    .sort((a, b) => a.afterSubmitted - b.afterSubmitted);
}

export const describePlan = (plan: readonly PlannedFault[]): string =>
  plan.map((fault) => `${FAULT_DESCRIPTIONS[fault.kind]} after saga ${fault.afterSubmitted}`).join('; ');
