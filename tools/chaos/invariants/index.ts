import { consumedOncePerConsumer, oneNotificationPerOutcome, projectionMatchesEvents, queuesDrained } from './consumer-effects';
import { eventsInCommitOrder, eventsMatchContract, everyEventDelivered, outboxFullyPublished } from './outbox-and-delivery';
import { everySagaTerminal, noNeedsAttention, oneOrderPerIdempotencyKey, statusMatchesScenario } from './saga-outcomes';
import { chargesMatchOutcome, shipmentsOnlyForCompleted, stockConserved } from './stock-and-money';
import type { InvariantResult, RunFacts } from './types';

export type { InvariantResult, RunFacts } from './types';
export { gatherFacts } from './gather-facts';

/** Every invariant of the run, in the order the report prints them. */
export function checkInvariants(facts: RunFacts): InvariantResult[] {
  return [
    everySagaTerminal(facts),
    statusMatchesScenario(facts),
    oneOrderPerIdempotencyKey(facts),
    stockConserved(facts),
    chargesMatchOutcome(facts),
    shipmentsOnlyForCompleted(facts),
    outboxFullyPublished(facts),
    everyEventDelivered(facts),
    eventsInCommitOrder(facts),
    eventsMatchContract(facts),
    ...consumedOncePerConsumer(facts),
    oneNotificationPerOutcome(facts),
    projectionMatchesEvents(facts),
    queuesDrained(facts),
    noNeedsAttention(facts),
  ];
}
