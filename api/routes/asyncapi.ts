import { Hono } from 'hono';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { EVENT_CONTRACTS } from '../../domain/event-schemas';
import { EVENT_NAMES, type EventName } from '../../domain/events';
import { asyncApiDocument, eventId, jsonSchemaOf } from '../../messaging/asyncapi-document';
import type { ApiDeps } from '../deps';
import type { ApiEnv } from '../hono-env';

type JsonSchema = { [key: string]: unknown };
type Rendered = HtmlEscapedString | Promise<HtmlEscapedString>;

// Rendered on the server from the event schemas, not by a browser renderer: the AsyncAPI React
// component's standalone bundle is several MB of React, and this page needs no script at all
// under the Content-Security-Policy (api/middleware/security-headers.ts). hono/html escapes
// every interpolated value.
const STYLE = `body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
code{background:#f4f4f4;padding:0 .2rem}h2{border-top:1px solid #ddd;padding-top:1rem}.muted{color:#666}\n`;

interface FieldRow {
  path: string;
  type: string;
  required: boolean;
  description: string;
}

/** The content schema's fields, nested ones as `lines[].sku`. */
function fieldRows(schema: JsonSchema, prefix = ''): FieldRow[] {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).flatMap(([key, property]) => {
    const path = `${prefix}${key}`;
    const types = Array.isArray(property.type) ? property.type.join(' | ') : String(property.type ?? 'any');
    const items = property.items as JsonSchema | undefined;
    const enumText = Array.isArray(property.enum) ? ` (${property.enum.map(String).join(', ')}, or a value added later)` : '';
    const format = typeof property.format === 'string' ? ` (${property.format})` : '';
    const row = {
      path,
      type: `${types}${items?.type ? ` of ${String(items.type)}` : ''}${format}${enumText}`,
      required: required.has(key),
      description: typeof property.description === 'string' ? property.description : '',
    };
    return [row, ...(items?.properties ? fieldRows(items, `${path}[].`) : [])];
  });
}

function eventSection(name: EventName, exchange: string): Rendered {
  const { version, summary, schema } = EVENT_CONTRACTS[name];
  const rows = fieldRows(jsonSchemaOf(schema));
  return html`<h2 id="${eventId(name)}">${name} <span class="muted">v${version}</span></h2>
    <p>${summary}</p>
    <p>
      Exchange <code>${exchange}</code> (topic), routing key and AMQP <code>type</code> <code>${name}</code>; header
      <code>schemaVersion</code> ${version}.
    </p>
    <table>
      <thead>
        <tr>
          <th>content field</th>
          <th>type</th>
          <th>required</th>
          <th>description</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (row) =>
            html`<tr>
              <td><code>${row.path}</code></td>
              <td>${row.type}</td>
              <td>${row.required ? 'yes' : 'no'}</td>
              <td>${row.description}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

/** /asyncapi.json (the events' AsyncAPI 3.0 document) and /asyncapi (the same, as a page). Public, like /openapi.json. */
export function asyncApiRoutes(deps: Pick<ApiDeps, 'config'>) {
  const exchange = deps.config.EVENTS_EXCHANGE;
  const document = JSON.stringify(asyncApiDocument(exchange));
  return new Hono<ApiEnv>()
    .get('/asyncapi.json', (c) => c.body(document, 200, { 'Content-Type': 'application/json; charset=utf-8' }))
    .get('/asyncapi/style.css', (c) => c.body(STYLE, 200, { 'Content-Type': 'text/css; charset=utf-8' }))
    .get('/asyncapi', (c) =>
      c.html(
        html`<!doctype html>
          <html lang="en">
            <head>
              <meta charset="utf-8" />
              <title>Saga orchestrator events</title>
              <link rel="stylesheet" href="/asyncapi/style.css" />
            </head>
            <body>
              <h1>Saga orchestrator events</h1>
              <p>
                The integration events on the <code>${exchange}</code> exchange. Each is a JSON envelope (<code>messageId</code>,
                <code>name</code>, <code>content</code>, <code>metadata</code> with <code>correlationId</code>, <code>causationId</code>,
                <code>createdUtc</code>, <code>schemaVersion</code>); the tables below describe <code>content</code>. Tolerate fields and
                enum values you do not know. Machine-readable: <a href="/asyncapi.json">/asyncapi.json</a> (AsyncAPI 3.0).
              </p>
              <ul>
                ${EVENT_NAMES.map((name) => html`<li><a href="#${eventId(name)}">${name}</a></li>`)}
              </ul>
              ${EVENT_NAMES.map((name) => eventSection(name, exchange))}
            </body>
          </html>`,
      ),
    );
}
