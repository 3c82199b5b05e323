import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { google, temporal } from '@temporalio/proto';
import type { OrderStatus } from '../../domain/order';
import { ApiError } from '../errors';

export interface OrderListQuery {
  status?: OrderStatus;
  customerId?: string;
  pageSize: number;
  pageToken?: string;
}

export interface OrderSummary {
  orderId: string;
  workflowId: string;
  status: OrderStatus | null;
  customerId: string | null;
  total: number | null;
  startedAt: string | null;
  closedAt: string | null;
}

/**
 * Lists sagas from Temporal visibility, filtered by the search attributes the saga keeps. The
 * schema validated status and customerId, so neither can carry a quote into the query.
 * Visibility is eventually consistent: a saga started a moment ago may not be listed yet.
 */
export async function listOrders(client: Client, namespace: string, query: OrderListQuery): Promise<{ orders: OrderSummary[]; nextPageToken: string | null }> {
  const clauses = [`WorkflowType = 'orderSaga'`];
  if (query.status) clauses.push(`OrderStatus = '${query.status}'`);
  if (query.customerId) clauses.push(`CustomerId = '${query.customerId}'`);
  let response: temporal.api.workflowservice.v1.IListWorkflowExecutionsResponse;
  try {
    response = await client.workflowService.listWorkflowExecutions({
      namespace,
      pageSize: query.pageSize,
      // Newest first is visibility's own order; SQL visibility refuses an ORDER BY clause.
      query: clauses.join(' AND '),
      ...(query.pageToken ? { nextPageToken: Buffer.from(query.pageToken, 'base64url') } : {}),
    });
  } catch (error) {
    if (query.pageToken) throw new ApiError(400, 'invalid_page_token', 'pageToken is not a nextPageToken this API returned', [{ path: 'pageToken', message: 'not a valid page token' }]);
    throw error;
  }
  const orders = (response.executions ?? []).map((execution): OrderSummary => {
    const workflowId = execution.execution?.workflowId ?? '';
    const fields = execution.searchAttributes?.indexedFields ?? {};
    return {
      orderId: workflowId.replace(/^order-/, ''),
      workflowId,
      status: attribute<OrderStatus>(fields, 'OrderStatus'),
      customerId: attribute<string>(fields, 'CustomerId'),
      total: attribute<number>(fields, 'OrderTotal'),
      startedAt: timestamp(execution.startTime),
      closedAt: timestamp(execution.closeTime),
    };
  });
  const token = response.nextPageToken && response.nextPageToken.length > 0 ? Buffer.from(response.nextPageToken).toString('base64url') : null;
  return { orders, nextPageToken: token };
}

function attribute<T>(fields: Record<string, temporal.api.common.v1.IPayload>, name: string): T | null {
  const payload = fields[name];
  if (!payload) return null;
  const value = defaultPayloadConverter.fromPayload<T | T[]>(payload);
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

function timestamp(value: google.protobuf.ITimestamp | null | undefined): string | null {
  if (!value || value.seconds == null) return null;
  return new Date(Number(value.seconds) * 1000 + Math.floor((value.nanos ?? 0) / 1e6)).toISOString();
}
