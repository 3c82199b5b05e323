import type { CatalogPricing } from '../../db/catalog';
import type { OrderItem } from '../../domain/order';
import type { InventoryItem, InventoryUpdate, OutboxStats } from '../schemas';
import type { OrderSagaState } from '../../domain/order';
import type { DeadLetterActionOutcome, DeadLetterActionRecord, NewDeadLetterAction } from './dead-letter-actions';
import type { EventDelivery } from './order-deliveries';
import type { OrderEvent } from './order-events';
import type { OrderStepRetry, StepRetryQuery } from './step-retries';

/**
 * What the API reads and writes in Postgres itself (the sagas write the rest), as narrow
 * interfaces: postgres-store.ts implements them over the database, the fast tests with fakes.
 */
export interface OrderIntake {
  /** The order priced from the inventory table (repeated SKUs merged), and the SKUs it lacks. */
  priceAtCatalog(items: readonly OrderItem[]): Promise<CatalogPricing>;
  /**
   * Records the customer's `key` for a request (its hash) and `orderId`, unless a request of theirs
   * recorded it first; either way, the key's record. Concurrent claims of one key see the same winner.
   */
  claimIdempotencyKey(key: CustomerKey, requestHash: string, orderId: string): Promise<IdempotencyKeyRecord>;
}

/** An Idempotency-Key belongs to the customer who sent it: another customer's same key is another key. */
export interface CustomerKey {
  customerId: string;
  key: string;
}

export interface IdempotencyKeyRecord {
  orderId: string;
  requestHash: string;
  /** True when this call recorded the key; false when an earlier request had. */
  recordedNow: boolean;
}

export interface OrderEventLog {
  /** The order's events after `afterSeq`, in commit order (outbox rows, published or not). */
  readOrderEvents(orderId: string, afterSeq?: number): Promise<OrderEvent[]>;
  /** The seq of the order's event with this message id (a UUID), or null when the order has none such. */
  findOrderEventSeq(orderId: string, messageId: string): Promise<number | null>;
}

export interface OrderArchive {
  /**
   * The order as PostgreSQL has it (orders row and step ledger), for when Temporal no longer keeps
   * its workflow; null when it has no row.
   */
  readArchivedOrder(orderId: string): Promise<OrderSagaState | null>;
  /** The order's events in commit order, each with its publish and every consumer's receipt. */
  readOrderDeliveries(orderId: string): Promise<EventDelivery[]>;
}

export interface DeadLetterAudit {
  /** Records a replay or discard as running, before it takes any dead letter. */
  startDeadLetterAction(entry: NewDeadLetterAction): Promise<DeadLetterActionRecord>;
  /** Records how a running action ended and what it did; a finished action is never changed. */
  finishDeadLetterAction(id: number, outcome: DeadLetterActionOutcome): Promise<DeadLetterActionRecord>;
  /** A consumer's replays and discards, newest first. */
  listDeadLetterActions(consumer: string, limit: number): Promise<DeadLetterActionRecord[]>;
}

export interface StepRetryLog {
  /** Steps failing and being retried right now, oldest first. */
  readStepRetries(query: StepRetryQuery): Promise<OrderStepRetry[]>;
}

export interface InventoryAdmin {
  /** Creates the SKU or sets its stock and price; 'below_reserved' when open orders have reserved more than onHand. */
  setInventory(sku: string, update: InventoryUpdate): Promise<InventoryItem | 'below_reserved'>;
}

export interface OutboxAdmin {
  outboxStats(): Promise<OutboxStats>;
  /** Puts a dead row back in line for the relay. */
  retryDeadOutboxRow(id: string): Promise<{ revived: true; orderId: string } | { revived: false; reason: 'not_found' | 'not_dead' }>;
}

export type ApiStore = OrderIntake & OrderEventLog & OrderArchive & StepRetryLog & InventoryAdmin & OutboxAdmin & DeadLetterAudit;
