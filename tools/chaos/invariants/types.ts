import type { OrderStatus } from '../../../domain/order';
import type { ConsumerStatus } from '../../../messaging/consumer-control';
import type { StockRow } from '../catalog';
import type { ProbeDelivery } from '../delivery-probe';
import type { SagaRecord } from '../saga-driver';
import type { WorkflowFacts } from '../workflow-facts';

export interface InvariantResult {
  name: string;
  /** How many things it looked at (sagas, rows, messages …). */
  checked: number;
  /** One line per violation, naming the ids involved. */
  violations: string[];
}

export interface OrderRow {
  id: string;
  status: OrderStatus;
  totalCents: number;
  failureType: string | null;
}

export interface OutboxFact {
  id: string;
  seq: number;
  orderId: string;
  name: string;
  published: boolean;
  dead: boolean;
  lastError: string | null;
}

/** Everything the invariants read, gathered once after the run settled. */
export interface RunFacts {
  sagas: readonly SagaRecord[];
  workflows: ReadonlyMap<string, WorkflowFacts>;
  /** Workflow executions Temporal lists on the run's task queue. */
  workflowsOnTaskQueue: number;
  orders: ReadonlyMap<string, OrderRow>;
  idempotencyKeys: ReadonlyMap<string, string>;
  payments: ReadonlyMap<string, { status: string; amountCents: number; refundedCents: number }>;
  shipments: ReadonlyMap<string, { status: string }>;
  reservations: readonly { orderId: string; sku: string; quantity: number; status: string }[];
  initialStock: readonly StockRow[];
  stock: ReadonlyMap<string, { onHand: number; reserved: number }>;
  outbox: readonly OutboxFact[];
  /** Message ids each consumer recorded in its inbox. */
  inbox: ReadonlyMap<string, ReadonlySet<string>>;
  notifications: ReadonlyMap<string, { kind: string; messageId: string }>;
  projection: ReadonlyMap<string, { status: string; eventsApplied: number }>;
  consumers: readonly ConsumerStatus[];
  /** Topic patterns each consumer binds. */
  bindings: ReadonlyMap<string, readonly string[]>;
  probe: ReadonlyMap<string, ProbeDelivery>;
  probeOrder: ReadonlyMap<string, readonly string[]>;
  /** First deliveries at the probe that break the published event contract, one line each. */
  contractViolations: readonly string[];
}
