import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
} from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { AppConfig } from '../config/env';
import { ORDER_STATUSES, type OrderSagaState } from '../domain/order';
import { approveUpdate, cancelUpdate, rejectUpdate, statusQuery } from '../workflows/definitions';
import { CUSTOMER_ID, ORDER_STATUS } from '../workflows/search-attributes';
import { connectTemporalClient, unretriedConnection } from './connect';
import { OrderNotFoundError } from './errors';
import { listOrders } from './list-orders';
import { orderSagaHandle } from './order-handle';
import type { SagaAnswer, SagaClient, SagaExecution } from './saga-client';
import { startOrderSaga } from './start-order-saga';

export interface TemporalSagaClient extends SagaClient {
  /** Closes the connections this client opened itself. */
  close(): Promise<void>;
}

/**
 * The SagaClient over `client`, starting sagas on `taskQueue`. Its close() closes the retry-free
 * connection it may have opened, not `client`, which stays its owner's.
 */
export function temporalSagaClient(client: Client, options: { taskQueue: string }): TemporalSagaClient {
  let unretried: ReturnType<typeof unretriedConnection> | undefined;

  const readOrder = async (orderId: string): Promise<OrderSagaState> => {
    const handle = orderSagaHandle(client, orderId);
    try {
      const { status } = await handle.describe();
      return status.name === 'RUNNING' ? await handle.query(statusQuery) : await handle.result();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new OrderNotFoundError(orderId);
      throw error;
    }
  };

  const describeOrder = async (orderId: string): Promise<SagaExecution | null> => {
    try {
      const description = await orderSagaHandle(client, orderId).describe();
      const running = description.status.name === 'RUNNING';
      const status = description.typedSearchAttributes.get(ORDER_STATUS);
      const customerId = description.typedSearchAttributes.get(CUSTOMER_ID) ?? null;
      // Unset until the saga's first workflow task completes, and a saga starts PENDING.
      if (status === undefined && running) return { running, lastReportedStatus: 'PENDING', customerId };
      return { running, lastReportedStatus: ORDER_STATUSES.find((known) => known === status) ?? null, customerId };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return null;
      throw error;
    }
  };

  /**
   * Sends an update, waiting at most `timeoutMs` for the saga's answer. Its validator refuses
   * what the saga's status does not allow; a closed saga answers "not found" to updates too.
   */
  const update = async <A>(
    orderId: string,
    definition: UpdateDefinition<OrderSagaState, [A]>,
    argument: A,
    timeoutMs: number,
  ): Promise<SagaAnswer> => {
    const handle = orderSagaHandle(client, orderId);
    try {
      const state = await client.withDeadline(Date.now() + timeoutMs, () => handle.executeUpdate(definition, { args: [argument] }));
      return { outcome: 'accepted', state };
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) return { outcome: 'refused', reason: error.cause?.message ?? error.message };
      if (error instanceof WorkflowNotFoundError) return { outcome: 'ended', status: (await readOrder(orderId)).status };
      if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
        const execution = await describeOrder(orderId);
        return { outcome: 'unanswered', lastStatus: execution?.lastReportedStatus ?? null };
      }
      throw error;
    }
  };

  return {
    async startOrder(input) {
      try {
        await startOrderSaga(client, input, options.taskQueue);
        return 'running';
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) return 'ended';
        throw error;
      }
    },
    readOrder,
    describeOrder,
    listOrders: (query) => listOrders(client, () => (unretried ??= unretriedConnection(client.connection)).connection, query),
    cancel: (orderId, request, timeoutMs) => update(orderId, cancelUpdate, request, timeoutMs),
    approve: (orderId, decision, timeoutMs) => update(orderId, approveUpdate, decision, timeoutMs),
    reject: (orderId, decision, timeoutMs) => update(orderId, rejectUpdate, decision, timeoutMs),
    async ping(timeoutMs) {
      // A deadline, not only a timer: the client's retries of an unavailable server stop with it.
      await client.connection.withDeadline(Date.now() + timeoutMs, () => client.workflowService.getSystemInfo({}));
    },
    close: async () => {
      await unretried?.close();
      unretried = undefined;
    },
  };
}

/** Connects to Temporal for a process: the SagaClient owns the connection, and close() closes it. */
export async function connectSagaClient(
  config: Pick<AppConfig, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE' | 'TEMPORAL_TASK_QUEUE'>,
): Promise<TemporalSagaClient> {
  const client = await connectTemporalClient(config);
  const sagas = temporalSagaClient(client, { taskQueue: config.TEMPORAL_TASK_QUEUE });
  return {
    ...sagas,
    async close() {
      await sagas.close();
      await client.connection.close();
    },
  };
}
