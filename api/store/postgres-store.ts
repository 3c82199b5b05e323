import { priceAtCatalog } from '../../db/catalog';
import type { Database } from '../../db/client';
import type { ApiStore } from './api-store';
import { readArchivedOrder } from './archived-orders';
import { finishDeadLetterAction, listDeadLetterActions, startDeadLetterAction } from './dead-letter-actions';
import { claimIdempotencyKey } from './idempotency-keys';
import { readOrderDeliveries } from './order-deliveries';
import { setInventory } from './inventory';
import { findOrderEventSeq, readOrderEvents } from './order-events';
import { outboxStats, retryDeadOutboxRow } from './outbox-admin';
import { readStepRetries } from './step-retries';

/** The API's store over the database. */
export function postgresApiStore(db: Database): ApiStore {
  return {
    priceAtCatalog: (items) => priceAtCatalog(db, items),
    claimIdempotencyKey: (key, requestHash, orderId) => claimIdempotencyKey(db, key, requestHash, orderId),
    readOrderEvents: (orderId, afterSeq) => readOrderEvents(db, orderId, afterSeq),
    findOrderEventSeq: (orderId, messageId) => findOrderEventSeq(db, orderId, messageId),
    readArchivedOrder: (orderId) => readArchivedOrder(db, orderId),
    readOrderDeliveries: (orderId) => readOrderDeliveries(db, orderId),
    readStepRetries: (query) => readStepRetries(db, query),
    setInventory: (sku, update) => setInventory(db, sku, update),
    outboxStats: () => outboxStats(db),
    retryDeadOutboxRow: (id) => retryDeadOutboxRow(db, id),
    startDeadLetterAction: (entry) => startDeadLetterAction(db, entry),
    finishDeadLetterAction: (id, outcome) => finishDeadLetterAction(db, id, outcome),
    listDeadLetterActions: (consumer, limit) => listDeadLetterActions(db, consumer, limit),
  };
}
