/**
 * Whether this process traces. Hot paths (each outbox row, each publish, each delivery) check it
 * before touching the OpenTelemetry API, so tracing off costs them one boolean read.
 */
let on = false;

export function tracingOn(): boolean {
  return on;
}

/** Set once by startTracing when it installed the SDK. */
export function markTracingOn(): void {
  on = true;
}
