// Telemetry as a port: applications, followers and projections call these hooks when given an
// Instrumentation; the OpenTelemetry adapter (eventfold/telemetry) implements them. Without one,
// nothing is recorded and nothing is loaded.

/** Attributes of a span or a measurement (undefined ones are left out). */
export type TelemetryAttributes = Readonly<Record<string, string | number | boolean | undefined>>

/** A span in progress. */
export interface TelemetrySpan {
  /** Adds attributes to the span. */
  setAttributes(attributes: TelemetryAttributes): void
  /** Records something that happened during the span (a conflict, a retry). */
  addEvent(name: string, attributes?: TelemetryAttributes): void
}

/**
 * A trace context as text fields (W3C `traceparent`, `tracestate`), carried in events' metadata so
 * that the work a policy does for an event joins the trace of the command that recorded it.
 */
export type TraceCarrier = Readonly<Record<string, string>>

/** Where a span starts: under the active span (default), or under the context of `parent`, linked to `links`. */
export interface SpanOptions {
  readonly parent?: TraceCarrier
  readonly links?: readonly TraceCarrier[]
}

/** The hooks telemetry is recorded through. */
export interface Instrumentation {
  /**
   * Runs `work` inside a span named `name`, ending it when `work` settles (failed with its error
   * if it throws); spans started inside it, across awaits, are its children.
   */
  span<T>(
    name: string,
    attributes: TelemetryAttributes,
    work: (span: TelemetrySpan) => Promise<T>,
    options?: SpanOptions,
  ): Promise<T>
  /** The active trace context as text fields, to carry in metadata; undefined outside any span. */
  carrier(): TraceCarrier | undefined
  /** Adds `value` to the counter `name`. */
  count(name: string, value: number, attributes?: TelemetryAttributes): void
  /** Records a value of the distribution `name` (a latency in ms, a group size). */
  record(name: string, value: number, attributes?: TelemetryAttributes): void
  /** Sets the gauge `name` (a lag) to `value`. */
  gauge(name: string, value: number, attributes?: TelemetryAttributes): void
}

const noSpan: TelemetrySpan = { setAttributes: () => {}, addEvent: () => {} }

/** Records nothing: what runs when no instrumentation is given. */
export const noInstrumentation: Instrumentation = {
  span: (_name, _attributes, work) => work(noSpan),
  carrier: () => undefined,
  count: () => {},
  record: () => {},
  gauge: () => {},
}

/** The trace context fields a carrier may hold in metadata. */
export const TRACE_FIELDS = ['traceparent', 'tracestate'] as const

/** The trace context carried in an event's metadata, if any. */
export const carrierOf = (
  metadata: { readonly [field: string]: unknown } | undefined,
): TraceCarrier | undefined => {
  const traceparent = metadata?.traceparent
  if (typeof traceparent !== 'string') return undefined
  const tracestate = metadata?.tracestate
  return typeof tracestate === 'string' ? { traceparent, tracestate } : { traceparent }
}
