import { createRequire } from 'node:module';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client/index.js';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/worker/index.js';
import type { OpenTelemetryWorkflowExporter } from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions.js';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import type { TracingSdk } from './tracing-sdk';
import { tracingOn } from './tracing-state';

/**
 * Temporal's own OpenTelemetry interceptors (@temporalio/interceptors-opentelemetry), wired
 * without its plugin: the plugin adds the workflow interceptor module at bundle time only, and
 * the tests and the chaos run hand the worker a prebuilt bundle (see workflowTracingModules).
 */

/** The client's interceptors: start, signal and query carry the caller's span into the workflow's headers. */
export function tracingClientInterceptors(): WorkflowClientInterceptor[] {
  return tracingOn() ? [new OpenTelemetryWorkflowClientInterceptor()] : [];
}

/** Each activity runs in a span, child of the workflow's schedule span. */
export const tracingActivityInterceptors: ActivityInterceptorsFactory = (ctx) => ({
  inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
  outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
});

/** The sink workflow spans leave the sandbox by: into the process's span processor. */
export function workflowSpanSinks(
  sdk: Pick<TracingSdk, 'spanProcessor' | 'resource'>,
): InjectedSinks<{ exporter: OpenTelemetryWorkflowExporter }> {
  return { exporter: makeWorkflowExporter(sdk.spanProcessor, sdk.resource) };
}

/**
 * The workflow interceptor module, for bundling: a bundle made with it traces workflows, and it
 * still replays every history (interceptors add headers and spans, never commands). A worker
 * running such a bundle must have workflowSpanSinks registered.
 */
export function workflowTracingModules(): string[] {
  return [createRequire(import.meta.url).resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')];
}
