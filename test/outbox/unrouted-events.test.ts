import amqp from 'amqplib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { unroutedName } from '../../messaging/topology';
import { startTestStack, type TestStack } from '../support/test-stack';

let stack: TestStack;
beforeAll(async () => {
  // The only consumer binding is for order.completed: every other event has no queue to go to.
  stack = await startTestStack({ probePattern: 'order.completed' });
});
afterAll(() => stack?.close());

it('keeps events no consumer is bound for in the alternate exchange queue', async () => {
  const input = stack.orderInput();
  await (await stack.startOrder(input)).result();
  await stack.probe.waitForOrderEvent(input.orderId, 'order.completed');
  expect(stack.probe.namesFor(input.orderId)).toEqual(['order.completed']);

  const connection = await amqp.connect(stack.config.AMQP_URL);
  try {
    const channel = await connection.createChannel();
    const unrouted: string[] = [];
    const deadline = Date.now() + 10_000;
    while (unrouted.length < 4 && Date.now() < deadline) {
      const message = await channel.get(unroutedName(stack.exchange), { noAck: true });
      if (message) unrouted.push(message.properties.type as string);
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(unrouted).toEqual(['order.submitted', 'inventory.reserved', 'payment.charged', 'shipment.created']);
  } finally {
    await connection.close();
  }
});
