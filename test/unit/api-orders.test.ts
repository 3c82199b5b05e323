import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodePageToken } from '../../saga-client/page-token';
import type { components } from '../../api/client/openapi';
import { problemOfAnswer } from '../support/problem';
import { fakeApi, sagaState, type FakeApi } from '../support/fake-api';
import type { TestCaller } from '../support/json-request';
import { orderBody } from '../support/order-body';

// Orders through the generated client over app.request() and a fake SagaClient and store
// (test/support/fake-api.ts): how the API maps what the saga answers onto HTTP. test/api/ runs them
// against Temporal itself.

const submit = (api: FakeApi, body: components['schemas']['SubmitOrder'], key: string, as: TestCaller = 'admin') =>
  api.client(as).POST('/orders', { body, params: { header: { 'idempotency-key': key } } });
const orderIdOf = ({ data }: { data?: { orderId: string } }) => data!.orderId;
const byId = (id: string) => ({ params: { path: { id } } });

describe('POST /orders', () => {
  it('202 with Location: starts the saga with the review settings and a new order id', async () => {
    const api = fakeApi({ config: { REVIEW_THRESHOLD_CENTS: 2000, REVIEW_TIMEOUT_MS: 60_000 } });
    const { response, data: body } = await api
      .client()
      .POST('/orders', { body: orderBody({ customerId: 'cust-1' }), params: { header: {} } });
    expect(response.status).toBe(202);
    if (!body) throw new Error('no order');
    expect(body).toMatchObject({ workflowId: `order-${body.orderId}`, status: 'PENDING', links: { self: `/orders/${body.orderId}` } });
    expect(response.headers.get('location')).toBe(`/orders/${body.orderId}`);
    expect(api.deps.sagas.started).toEqual([
      expect.objectContaining({ orderId: body.orderId, customerId: 'cust-1', reviewThresholdCents: 2000, reviewTimeoutMs: 60_000 }),
    ]);
  });

  it('an Idempotency-Key repeated with the same body is 200 with the same order; with another body 422', async () => {
    const api = fakeApi();
    const body = orderBody();
    const orderId = orderIdOf(await submit(api, body, 'key-1'));
    api.deps.sagas.states.set(orderId, sagaState(orderId, { status: 'CHARGING_PAYMENT' }));
    const repeat = await submit(api, body, 'key-1');
    expect(repeat.response.status).toBe(200);
    expect(repeat.data).toMatchObject({ orderId, status: 'CHARGING_PAYMENT' });

    // Keys are per customer: another customer's same key would be a new order, so the same customer reuses it.
    const other = await submit(api, { ...body, items: [{ sku: 'SKU-RED-MUG', quantity: 2 }] }, 'key-1');
    expect(other.response.status).toBe(422);
    expect(problemOfAnswer(other)).toMatchObject({ code: 'idempotency_key_reused', errors: [{ path: 'Idempotency-Key' }] });
    const text = JSON.stringify(other.error);
    // Nothing of the first order: not its id, not its customer.
    expect(text).not.toContain(orderId);
    expect(text).not.toContain(body.customerId);
  });

  it("another customer's same key is their own: a new order", async () => {
    const api = fakeApi();
    const body = orderBody({ customerId: undefined });
    const first = orderIdOf(await submit(api, body, 'k', { customer: 'c-1' }));
    const other = await submit(api, body, 'k', { customer: 'c-2' });
    expect(other.response.status).toBe(202);
    expect(orderIdOf(other)).not.toBe(first);
  });

  it('a repeat whose saga already ended answers with how it ended, starting nothing', async () => {
    const api = fakeApi();
    const body = orderBody();
    const orderId = orderIdOf(await submit(api, body, 'key-2'));
    api.deps.sagas.ended.add(orderId);
    api.deps.sagas.states.set(orderId, sagaState(orderId, { status: 'COMPLETED' }));
    const repeat = await submit(api, body, 'key-2');
    expect([repeat.response.status, repeat.data?.status]).toEqual([200, 'COMPLETED']);
    expect(api.deps.sagas.started).toHaveLength(1);
  });
});

describe('GET /orders/:id and /orders/:id/events', () => {
  it("200 with the saga's state and the steps it retries; 404 for an order without a saga", async () => {
    const api = fakeApi();
    const orderId = randomUUID();
    api.deps.sagas.states.set(orderId, sagaState(orderId, { status: 'CHARGING_PAYMENT' }));
    const retry = { step: 'chargePayment', retryingSince: '2026-01-01T00:00:00.000Z', attempts: 3, lastError: 'x', stuck: false };
    api.deps.store.stepRetries.push({ orderId, workflowId: `order-${orderId}`, ...retry });
    const found = await api.client().GET('/orders/{id}', byId(orderId));
    expect(found.response.status).toBe(200);
    expect(found.data).toMatchObject({ orderId, status: 'CHARGING_PAYMENT', retrying: [retry], cancellation: null });

    for (const missing of [
      await api.client().GET('/orders/{id}', byId(randomUUID())),
      await api.client().GET('/orders/{id}/events', byId(randomUUID())),
    ]) {
      expect(missing.response.status).toBe(404);
      expect(problemOfAnswer(missing).code).toBe('order_not_found');
    }
  });
});

describe('an order past Temporal retention, and GET /orders/:id/timeline', () => {
  it('answers from PostgreSQL, marked source database, when Temporal has no workflow; a stranger still gets 404', async () => {
    const api = fakeApi();
    const orderId = randomUUID();
    api.deps.store.archived.set(orderId, sagaState(orderId, { status: 'COMPLETED', customerId: 'cust-7' }));
    const found = await api.client({ customer: 'cust-7' }).GET('/orders/{id}', byId(orderId));
    expect(found.response.status).toBe(200);
    expect(found.data).toMatchObject({ orderId, status: 'COMPLETED', source: 'database', retrying: [] });
    const stranger = api.client({ customer: 'cust-8' });
    for (const answer of [
      await stranger.GET('/orders/{id}', byId(orderId)),
      await stranger.GET('/orders/{id}/timeline', byId(orderId)),
      await stranger.GET('/orders/{id}/events', byId(orderId)),
    ]) {
      expect(answer.response.status).toBe(404);
      expect(problemOfAnswer(answer).code).toBe('order_not_found');
    }
    // It has ended, as it says: a cancel or review decision is the 409 of an ended order, not an unknown order's 404.
    for (const refused of [
      await api.client({ customer: 'cust-7' }).POST('/orders/{id}/cancel', { ...byId(orderId), body: {} }),
      await api.client().POST('/orders/{id}/approve', { ...byId(orderId), body: {} }),
    ]) {
      expect(refused.response.status).toBe(409);
      expect(problemOfAnswer(refused)).toMatchObject({ code: 'order_state_conflict', detail: `order ${orderId} is already COMPLETED` });
    }
    const strangersCancel = await stranger.POST('/orders/{id}/cancel', { ...byId(orderId), body: {} });
    expect(strangersCancel.response.status).toBe(404);
    // The saga, while Temporal keeps it, is what answers.
    api.deps.sagas.states.set(orderId, sagaState(orderId, { status: 'COMPLETED', customerId: 'cust-7' }));
    expect((await api.client().GET('/orders/{id}', byId(orderId))).data).toMatchObject({ source: 'temporal' });
  });

  it("the timeline: the saga's steps with each event and where it went; 404 for an unknown order", async () => {
    const api = fakeApi();
    const orderId = randomUUID();
    const steps = [{ step: 'recordOrder' as const, completedAt: '2026-01-01T00:00:00.000Z' }];
    api.deps.sagas.states.set(orderId, sagaState(orderId, { status: 'RESERVING_INVENTORY', steps }));
    const messageId = randomUUID();
    api.deps.store.events.push({
      seq: 1,
      messageId,
      name: 'order.submitted',
      content: { orderId },
      metadata: { correlationId: orderId, causationId: 'x', createdUtc: '2026-01-01T00:00:00.000Z' },
      publishedAt: null,
    });
    const { data, response } = await api.client().GET('/orders/{id}/timeline', { params: { path: { id: orderId } } });
    expect(response.status).toBe(200);
    expect(data).toEqual({
      orderId,
      status: 'RESERVING_INVENTORY',
      source: 'temporal',
      steps,
      compensations: [],
      failure: null,
      events: [
        {
          messageId,
          name: 'order.submitted',
          committedAt: '2026-01-01T00:00:00.000Z',
          publishedAt: null,
          attempts: 0,
          deadAt: null,
          handledBy: [],
        },
      ],
    });
    expect((await api.client().GET('/orders/{id}/timeline', byId(randomUUID()))).response.status).toBe(404);
  });
});

describe('POST /admin/dlq/:name/discard', () => {
  it('400 without a filter (a cursor is none), before touching the broker; 400 for an order id or cursor that is no UUID', async () => {
    const api = fakeApi();
    const discard = (query: { orderId?: string; cursor?: string }) =>
      api.client().POST('/admin/dlq/{name}/discard', { params: { path: { name: 'notifications' }, query } });
    const none = await discard({});
    expect(none.response.status).toBe(400);
    expect(problemOfAnswer(none)).toMatchObject({ code: 'validation_failed' });
    const malformed = await discard({ orderId: 'nope' });
    expect(malformed.response.status).toBe(400);
    expect(problemOfAnswer(malformed)).toMatchObject({ code: 'validation_failed', errors: [{ path: 'orderId' }] });
    const onlyCursor = await discard({ cursor: randomUUID() });
    expect(problemOfAnswer(onlyCursor)).toMatchObject({ status: 400, code: 'validation_failed' });
    const badCursor = await discard({ orderId: randomUUID(), cursor: 'next' });
    expect(problemOfAnswer(badCursor)).toMatchObject({ status: 400, code: 'validation_failed', errors: [{ path: 'cursor' }] });
    expect(api.deps.store.deadLetterActions).toEqual([]);
  });
});

describe('GET /orders', () => {
  it('passes the filters on and answers the page', async () => {
    const api = fakeApi();
    api.deps.sagas.page = { orders: [], nextPageToken: 'next' };
    const { response, data } = await api.client().GET('/orders', { params: { query: { status: 'FAILED', customerId: 'cust-42' } } });
    expect([response.status, data]).toEqual([200, { orders: [], nextPageToken: 'next' }]);
    expect(api.deps.sagas.listed).toEqual([{ status: 'FAILED', customerId: 'cust-42', pageSize: 20 }]);
  });

  it('a pageToken of another query, or garbage, is 400 invalid_page_token naming pageToken', async () => {
    const api = fakeApi();
    const ofAnotherQuery = encodePageToken(Buffer.from('temporal-token'), { customerId: 'cust-1' });
    for (const token of [ofAnotherQuery, 'AAAAAAAAAAAA']) {
      const answer = await api.client().GET('/orders', { params: { query: { customerId: 'cust-2', pageToken: token } } });
      expect(answer.response.status).toBe(400);
      expect(problemOfAnswer(answer)).toMatchObject({ code: 'invalid_page_token', errors: [{ path: 'pageToken' }] });
    }
  });
});

describe('POST /orders/:id/cancel', () => {
  const cancelled = async (api: FakeApi, orderId: string) =>
    api.client().POST('/orders/{id}/cancel', { ...byId(orderId), body: { reason: 'changed my mind' } });

  const withSaga = (status: 'PENDING' | 'AWAITING_REVIEW' | 'SHIPPING' = 'AWAITING_REVIEW') => {
    const api = fakeApi({ config: { SAGA_ANSWER_TIMEOUT_MS: 1234 } });
    const orderId = randomUUID();
    api.deps.sagas.states.set(orderId, sagaState(orderId, { status }));
    return { api, orderId };
  };

  it('200 when the cancel took effect, asking the saga with the reason and SAGA_ANSWER_TIMEOUT_MS', async () => {
    const { api, orderId } = withSaga();
    api.deps.sagas.answer = { outcome: 'accepted', state: sagaState(orderId, { status: 'COMPENSATING' }) };
    const { response, data } = await cancelled(api, orderId);
    expect(response.status).toBe(200);
    expect(data).toMatchObject({ orderId, status: 'COMPENSATING' });
    expect(api.deps.sagas.asked).toEqual([{ request: 'cancel', orderId, argument: { reason: 'changed my mind' }, timeoutMs: 1234 }]);
  });

  it('202 accepted when the saga waits for a step it cannot interrupt', async () => {
    const { api, orderId } = withSaga('PENDING');
    const cancellation = { reason: 'changed my mind', requestedAt: '2026-01-01T00:00:00.000Z', waitsFor: 'recordOrder' as const };
    api.deps.sagas.answer = { outcome: 'accepted', state: sagaState(orderId, { cancellation }) };
    const { response, data } = await cancelled(api, orderId);
    expect(response.status).toBe(202);
    expect(data).toMatchObject({ orderId, request: 'cancel', accepted: true, cancellation });
  });

  it('202 not accepted when the saga took nothing in time and its last status still allows a cancel', async () => {
    const { api, orderId } = withSaga('PENDING');
    const { response, data } = await cancelled(api, orderId);
    expect(response.status).toBe(202);
    expect(data).toMatchObject({ orderId, request: 'cancel', accepted: false, status: 'PENDING', cancellation: null });
  });

  it('409 when the saga took nothing in time but reported a status past cancelling', async () => {
    const { api, orderId } = withSaga('SHIPPING');
    const answer = await cancelled(api, orderId);
    expect(answer.response.status).toBe(409);
    expect(problemOfAnswer(answer)).toMatchObject({
      code: 'order_state_conflict',
      detail: `cannot cancel order ${orderId}: it is SHIPPING`,
    });
  });

  it("409 when the saga's validator refuses, or the saga has ended; 404 without a saga", async () => {
    const { api, orderId } = withSaga();
    api.deps.sagas.answer = { outcome: 'refused', reason: 'cannot cancel: the order is SHIPPING' };
    const refused = await cancelled(api, orderId);
    expect([refused.response.status, problemOfAnswer(refused)]).toEqual([
      409,
      {
        type: 'urn:saga-orchestrator:problem:order_state_conflict',
        title: 'Order state conflict',
        status: 409,
        detail: 'cannot cancel: the order is SHIPPING',
        instance: `/orders/${orderId}/cancel`,
        code: 'order_state_conflict',
        errors: [{ path: 'status', message: 'cannot cancel: the order is SHIPPING' }],
        requestId: expect.any(String),
      },
    ]);
    api.deps.sagas.answer = { outcome: 'ended', status: 'COMPLETED' };
    const ended = await cancelled(api, orderId);
    expect([ended.response.status, problemOfAnswer(ended).detail]).toEqual([409, `order ${orderId} is already COMPLETED`]);
    expect((await cancelled(api, randomUUID())).response.status).toBe(404);
  });
});

describe('POST /orders/:id/approve and /reject (admin)', () => {
  it('200 when the saga took the decision; 202 while it awaits review without answering; 409 otherwise', async () => {
    const api = fakeApi();
    const orderId = randomUUID();
    api.deps.sagas.states.set(orderId, sagaState(orderId, { status: 'AWAITING_REVIEW' }));
    const decide = (decision: 'approve' | 'reject') =>
      api.client().POST(`/orders/{id}/${decision}`, { ...byId(orderId), body: { reviewer: 'ada' } });

    const pending = await decide('approve');
    expect(pending.response.status).toBe(202);
    expect(pending.data).toMatchObject({ request: 'approve', accepted: false, status: 'AWAITING_REVIEW' });

    api.deps.sagas.answer = { outcome: 'accepted', state: sagaState(orderId, { status: 'SHIPPING' }) };
    const taken = await decide('approve');
    expect([taken.response.status, taken.data && 'status' in taken.data ? taken.data.status : undefined]).toEqual([200, 'SHIPPING']);

    api.deps.sagas.answer = undefined;
    api.deps.sagas.states.set(orderId, sagaState(orderId, { status: 'SHIPPING' }));
    const tooLate = await decide('reject');
    expect([tooLate.response.status, problemOfAnswer(tooLate).detail]).toEqual([409, `cannot reject order ${orderId}: it is SHIPPING`]);
    expect(api.deps.sagas.asked.map(({ request, argument }) => [request, argument])).toEqual([
      ['approve', { reviewer: 'ada' }],
      ['approve', { reviewer: 'ada' }],
      ['reject', { reviewer: 'ada' }],
    ]);
  });
});

describe('GET /admin/sagas/stuck', () => {
  it('lists the stuck steps of sagas that still run, leaving out those Temporal no longer runs', async () => {
    const api = fakeApi({ config: { STEP_STUCK_AFTER_MS: 1500 } });
    const [running, terminated] = [randomUUID(), randomUUID()];
    for (const orderId of [running, terminated]) {
      api.deps.sagas.states.set(orderId, sagaState(orderId, { status: 'CHARGING_PAYMENT' }));
      api.deps.store.stepRetries.push({
        orderId,
        workflowId: `order-${orderId}`,
        step: 'chargePayment',
        retryingSince: '2026-01-01T00:00:00.000Z',
        attempts: 9,
        lastError: 'x',
        stuck: true,
      });
    }
    api.deps.sagas.running = new Set([running]);
    const { response, data: body } = await api.client().GET('/admin/sagas/stuck');
    expect(response.status).toBe(200);
    if (!body) throw new Error('no list');
    expect(body.stuckAfterMs).toBe(1500);
    expect(body.sagas.map((saga) => saga.orderId)).toEqual([running]);
  });
});
