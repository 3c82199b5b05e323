import type { OrderSagaState } from '../domain/order';
import { escapeMarkdown as md, formatMoney } from './format';

/**
 * The saga's current details in the Temporal UI (markdown): where it is, what it waits for, and
 * the priced total. The summary set at start cannot carry the total: prices come from the
 * inventory table when the order is recorded, never from the client that starts the saga.
 * Pure: safe in workflow code, and setCurrentDetails writes no history, so its wording can
 * change without breaking replay.
 */
export function progressDetails(state: OrderSagaState): string {
  const money = (cents: number) => formatMoney(cents, state.currency);
  const parts = [`**Status** ${state.status}`];
  if (state.totalCents !== null) {
    const lines = state.lines.map((line) => `${line.quantity}× ${md(line.sku)} at ${money(line.unitPriceCents)}`).join(', ');
    parts.push(`**Total** ${money(state.totalCents)} (${lines})`);
  }
  if (state.waitingFor) parts.push(`**Waiting for** ${state.waitingFor}`);
  if (state.cancellation?.waitsFor) {
    parts.push(
      `**Cancel requested** ${md(state.cancellation.reason)} (${state.cancellation.requestedAt}): takes effect when ${state.cancellation.waitsFor} ends`,
    );
  }
  if (state.steps.length > 0) parts.push(`**Done** ${state.steps.map((step) => step.step).join(' → ')}`);
  if (state.failure) parts.push(`**Failed at** ${state.failure.step}: ${md(state.failure.type)}, ${md(state.failure.reason)}`);
  if (state.compensations.length > 0) {
    const outcomes = state.compensations.map((c) =>
      c.outcome === 'COMPENSATED' ? `${c.step} ✓` : `${c.step} ✗ (${md(c.error ?? 'failed')})`,
    );
    parts.push(`**Compensations** ${outcomes.join(', ')}`);
  }
  if (state.outcomeError) parts.push(`**Outcome not recorded** ${md(state.outcomeError)}`);
  // Markdown hard line breaks, not paragraphs: the UI shows details in a frame of fixed height.
  return parts.join('  \n');
}
