import type { Message, MessageProperties } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { describeDeadLetter } from '../../messaging/dead-letter-queue';
import { HEADER } from '../../messaging/delivery-headers';

const parked = (content: Buffer, headers: Record<string, unknown> = { [HEADER.reason]: 'not-utf8', [HEADER.attempts]: 1 }): Message =>
  ({ content, fields: {}, properties: { messageId: 'm-1', type: 'order.completed', headers } as unknown as MessageProperties }) as Message;

describe('describeDeadLetter', () => {
  it('shows a UTF-8 body as text and anything else as base64, with its size', () => {
    expect(describeDeadLetter(parked(Buffer.from('{"a":"é"}')))).toMatchObject({ body: '{"a":"é"}', bodyEncoding: 'utf8', bodyBytes: 10 });
    const binary = Buffer.from([0x7b, 0xff, 0x00, 0xc3]);
    expect(describeDeadLetter(parked(binary))).toMatchObject({
      body: binary.toString('base64'),
      bodyEncoding: 'base64',
      bodyBytes: 4,
      reason: 'not-utf8',
    });
  });

  it('cuts a large body at 64 KiB, without calling text binary because the cut split a character', () => {
    const text = Buffer.from('é'.repeat(40_000)); // 80,000 bytes, two per character
    const shiftedByOne = Buffer.concat([Buffer.from('x'), text]);
    for (const body of [text, shiftedByOne]) {
      const view = describeDeadLetter(parked(body));
      expect(view.bodyEncoding).toBe('utf8');
      expect(view.bodyBytes).toBe(body.length);
      expect(Buffer.byteLength(view.body)).toBeLessThanOrEqual(64 * 1024 + 3);
      expect(view.body.endsWith('é…')).toBe(true);
    }
    const huge = describeDeadLetter(parked(Buffer.alloc(10 * 1024 * 1024, 0xff)));
    expect(huge).toMatchObject({ bodyEncoding: 'base64', bodyBytes: 10 * 1024 * 1024 });
    expect(huge.body.length).toBeLessThan(90 * 1024);
  });

  it('never throws on headers a hostile publisher or the broker left', () => {
    const weird = { valueOf: 1, toString: 'x' };
    for (const headers of [
      { [HEADER.reason]: weird, [HEADER.attempts]: weird, [HEADER.replays]: weird, 'x-death': 5 },
      { [HEADER.reason]: 'internal-error', [HEADER.lastError]: weird, [HEADER.attempts]: weird, [HEADER.replays]: weird },
      { 'x-death': 'a string' },
      { 'x-death': [null] },
      { 'x-death': [{ reason: weird, time: weird }] },
    ]) {
      expect(() => describeDeadLetter(parked(Buffer.from('x'), headers))).not.toThrow();
    }
    expect(describeDeadLetter(parked(Buffer.from('x'), { [HEADER.reason]: 'internal-error', [HEADER.attempts]: weird }))).toMatchObject({
      attempts: null,
      error: '',
    });
  });

  it("explains the broker's own dead letters: the delivery limit, and the runner's last-resort reject", () => {
    const death = (reason: string) => ({ 'x-death': [{ reason, time: { '!': 'timestamp', value: 1_700_000_000 } }] });
    expect(describeDeadLetter(parked(Buffer.from('x'), death('delivery_limit')))).toMatchObject({
      reason: 'delivery-limit',
      deadLetteredAt: '2023-11-14T22:13:20.000Z',
    });
    expect(describeDeadLetter(parked(Buffer.from('x'), death('rejected')))).toMatchObject({
      reason: 'internal-error',
      error: expect.stringContaining('could not park it'),
    });
  });
});
