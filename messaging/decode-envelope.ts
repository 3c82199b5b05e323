import { z } from 'zod';
import type { EnvelopeMetadata, EventContent } from './envelope';

const EnvelopeSchema = z.object({
  messageId: z.uuid(),
  name: z.string().min(1),
  content: z.record(z.string(), z.json()),
  metadata: z.object({
    correlationId: z.string().min(1),
    causationId: z.string(),
    createdUtc: z.string(),
  }),
});

/** An envelope as it came off the wire: its name is not yet known to be one we handle. */
export interface ReceivedEnvelope {
  messageId: string;
  name: string;
  content: EventContent;
  metadata: EnvelopeMetadata;
}

export type DecodeResult = { ok: true; envelope: ReceivedEnvelope } | { ok: false; error: string };

/** Reads a message body as an integration envelope, or says why it is not one. */
export function decodeEnvelope(body: Buffer): DecodeResult {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return { ok: false, error: `body is not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  const parsed = EnvelopeSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');
    return { ok: false, error: `body is not an envelope: ${problems}` };
  }
  return { ok: true, envelope: parsed.data as ReceivedEnvelope };
}
