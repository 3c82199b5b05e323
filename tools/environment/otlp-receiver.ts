import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One span as an OTLP/JSON export carries it, flattened with its service's name. */
export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  status: { code?: number; message?: string };
  links: { traceId: string; spanId: string }[];
}

export interface OtlpReceiver {
  /** For OTEL_EXPORTER_OTLP_ENDPOINT (with OTEL_EXPORTER_OTLP_PROTOCOL=http/json). */
  endpoint: string;
  /** Every span received, parsed (empty when started with keepSpans: false). */
  spans: ReceivedSpan[];
  /** How many spans each service sent (service.name), parsed or not. */
  spanCounts: Map<string, number>;
  close(): Promise<void>;
}

export interface OtlpReceiverOptions {
  /**
   * false: count spans by service without parsing them (the benchmark: on a 2-core machine the
   * receiver's JSON.parse of every batch would be charged to the process being measured).
   */
  keepSpans?: boolean;
}

interface KeyValue {
  key: string;
  value: Record<string, unknown>;
}

/**
 * An OTLP/HTTP trace receiver inside the test or benchmark: it accepts `POST /v1/traces` in JSON (what the
 * processes send with OTEL_EXPORTER_OTLP_PROTOCOL=http/json) and keeps every span.
 */
export async function startOtlpReceiver({ keepSpans = true }: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const spanCounts = new Map<string, number>();
  const count = (service: string, n: number) => spanCounts.set(service, (spanCounts.get(service) ?? 0) + n);
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      try {
        const body = Buffer.concat(chunks).toString('utf8');
        if (keepSpans) {
          const received = spansOf(JSON.parse(body) as ExportRequest);
          spans.push(...received);
          for (const span of received) count(span.service, 1);
        } else count(serviceOf(body), occurrences(body, '"startTimeUnixNano":'));
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch (error) {
        response.writeHead(400).end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    spanCounts,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface ExportRequest {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        attributes?: KeyValue[];
        status?: { code?: number; message?: string };
        links?: { traceId: string; spanId: string }[];
      }[];
    }[];
  }[];
}

function spansOf(body: ExportRequest): ReceivedSpan[] {
  return (body.resourceSpans ?? []).flatMap((resourceSpans) => {
    const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name']);
    return (resourceSpans.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span) => ({
        service,
        traceId: hexId(span.traceId),
        spanId: hexId(span.spanId),
        parentSpanId: span.parentSpanId ? hexId(span.parentSpanId) : '',
        name: span.name,
        kind: span.kind,
        attributes: attributesOf(span.attributes),
        status: span.status ?? {},
        links: (span.links ?? []).map((link) => ({ traceId: hexId(link.traceId), spanId: hexId(link.spanId) })),
      })),
    );
  });
}

function attributesOf(list: KeyValue[] = []): Record<string, unknown> {
  return Object.fromEntries(list.map(({ key, value }) => [key, Object.values(value)[0]]));
}

/** OTLP/JSON ids are hex; an exporter set to base64 is read too. */
const hexId = (id: string): string => (/^[0-9a-f]+$/.test(id) ? id : Buffer.from(id, 'base64').toString('hex'));

/** The service.name of an export from one process (one resource), read without parsing the body. */
function serviceOf(body: string): string {
  return /"key":"service\.name","value":\{"stringValue":"([^"]*)"/.exec(body)?.[1] ?? 'unknown';
}

/** Spans in an export, uncounted by parsing: each span, and nothing else in it, has a startTimeUnixNano. */
function occurrences(body: string, needle: string): number {
  let n = 0;
  for (let at = body.indexOf(needle); at !== -1; at = body.indexOf(needle, at + needle.length)) n += 1;
  return n;
}
