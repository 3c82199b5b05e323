import { setTimeout as sleep } from 'node:timers/promises';
import { CANCELLABLE_STATUSES, type OrderStatus } from '../../domain/order';
import type { ChaosApiClient } from './api-client';
import type { OrderTracker } from './order-tracker';
import type { Scenario } from './scenarios';

const STATUSES_BEFORE_REVIEW: readonly string[] = CANCELLABLE_STATUSES.filter((status) => status !== 'AWAITING_REVIEW');

export interface SagaRecord {
  scenario: Scenario;
  orderId: string | null;
  submittedAt: number | null;
  /** When the harness saw the order's row reach a terminal status. */
  endedAt: number | null;
  endedWith: OrderStatus | null;
  /** What went wrong driving it (the API refused it, a decision failed, it never ended in time). */
  problem: string | null;
}

export interface DriverProgress {
  submitted: number;
  ended: number;
  total: number;
}

const REVIEW_WAIT_MS = 5 * 60_000;
const END_WAIT_MS = 5 * 60_000;

/**
 * Drives scenarios through the HTTP API: submits each order, takes the review decision its
 * scenario calls for once the saga waits for one, and follows it until its row shows how it ended.
 */
export class SagaDriver {
  readonly records: SagaRecord[];
  #submitted = 0;
  #ended = 0;

  constructor(
    scenarios: readonly Scenario[],
    private readonly api: ChaosApiClient,
    private readonly tracker: OrderTracker,
    private readonly onProgress: (progress: DriverProgress) => void,
    /**
     * Awaited before each submission of runWithConcurrency, with the lane (0 to concurrency - 1)
     * about to submit: lets the run hold some lanes back.
     */
    private readonly beforeSubmit: (lane: number) => Promise<void> = () => Promise.resolve(),
  ) {
    this.records = scenarios.map((scenario) => ({
      scenario,
      orderId: null,
      submittedAt: null,
      endedAt: null,
      endedWith: null,
      problem: null,
    }));
  }

  get progress(): DriverProgress {
    return { submitted: this.#submitted, ended: this.#ended, total: this.records.length };
  }

  /** At most `concurrency` sagas in flight (submitted and not yet ended). */
  async runWithConcurrency(concurrency: number): Promise<void> {
    let next = 0;
    const lane = async (index: number) => {
      while (next < this.records.length) {
        await this.beforeSubmit(index);
        if (next < this.records.length) await this.drive(this.records[next++]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, this.records.length) }, (_, index) => lane(index)));
  }

  /** One saga every 1/rate seconds, steadily, however long each takes; `stop` ends it early. */
  async runAtRate(ratePerSecond: number, stop: AbortSignal): Promise<void> {
    const intervalMs = 1000 / ratePerSecond;
    const startedAt = Date.now();
    const inFlight = new Set<Promise<void>>();
    for (let i = 0; i < this.records.length && !stop.aborted; i++) {
      const due = startedAt + i * intervalMs;
      if (due > Date.now()) await sleep(due - Date.now());
      const work: Promise<void> = this.drive(this.records[i]!).finally(() => inFlight.delete(work));
      inFlight.add(work);
    }
    await Promise.all(inFlight);
  }

  private async drive(record: SagaRecord): Promise<void> {
    const { scenario } = record;
    try {
      const orderId = await this.api.submit(scenario);
      record.orderId = orderId;
      record.submittedAt = Date.now();
      this.#submitted += 1;
      this.report();
      if (scenario.decision) {
        await this.waitForReview(orderId);
        await this.api.decide(orderId, scenario.decision);
      }
      const ended = await Promise.race([this.tracker.terminal(orderId), sleep(END_WAIT_MS, null)]);
      if (ended === null) throw new Error(`order ${orderId} did not end within ${END_WAIT_MS / 1000} s`);
      record.endedWith = ended;
      record.endedAt = Date.now();
    } catch (error) {
      record.problem = `saga #${scenario.index} (${scenario.kind}${record.orderId ? `, order ${record.orderId}` : ''}): ${error instanceof Error ? error.message : String(error)}`;
      if (record.submittedAt === null) this.#submitted += 1;
    } finally {
      this.#ended += 1;
      this.report();
    }
  }

  private async waitForReview(orderId: string): Promise<void> {
    // Every step before the review is still cancellable; derived, so a new step is no surprise here.
    const deadline = Date.now() + REVIEW_WAIT_MS;
    for (;;) {
      const state = await this.api.orderState(orderId);
      if (state.status === 'AWAITING_REVIEW') return;
      if (!STATUSES_BEFORE_REVIEW.includes(state.status)) {
        throw new Error(`order ${orderId} went to ${state.status} instead of waiting for review`);
      }
      if (Date.now() > deadline) throw new Error(`order ${orderId} did not wait for review within ${REVIEW_WAIT_MS / 1000} s`);
      // Each look is a Temporal query through the API: once a second keeps the harness's own load low.
      await sleep(1000);
    }
  }

  private report(): void {
    this.onProgress(this.progress);
  }
}
