// The OpenTelemetry adapter of the Instrumentation port: spans through the global (or a given)
// tracer, measurements through the global (or a given) meter. The only module that imports
// @opentelemetry/api (an optional peer dependency): nothing else in eventfold loads it.

import {
  type Attributes,
  type Context,
  type Counter,
  context,
  type Gauge,
  type Histogram,
  type Link,
  type Meter,
  metrics,
  ROOT_CONTEXT,
  type SpanContext,
  SpanStatusCode,
  TraceFlags,
  type Tracer,
  trace,
} from '@opentelemetry/api'
import type { Instrumentation, TelemetryAttributes, TraceCarrier } from '../store/index.js'

/** Where the adapter records: OpenTelemetry's global tracer and meter unless given. */
export interface OpenTelemetryOptions {
  readonly tracer?: Tracer
  readonly meter?: Meter
}

const clean = (attributes: TelemetryAttributes | undefined): Attributes => {
  const out: Attributes = {}
  for (const [key, value] of Object.entries(attributes ?? {})) if (value !== undefined) out[key] = value
  return out
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/

/** The span context a carrier names (W3C traceparent), or undefined when it holds none. */
const spanContextOf = (carrier: TraceCarrier | undefined): SpanContext | undefined => {
  const match = carrier?.traceparent ? TRACEPARENT.exec(carrier.traceparent) : null
  if (!match) return undefined
  const [, traceId = '', spanId = '', flags = '00'] = match
  return { traceId, spanId, traceFlags: Number.parseInt(flags, 16), isRemote: true }
}

/** The carrier of a span context: its W3C traceparent (and tracestate). */
const carrierOf = (span: SpanContext): TraceCarrier => {
  const flags = (span.traceFlags & TraceFlags.SAMPLED).toString(16).padStart(2, '0')
  const traceparent = `00-${span.traceId}-${span.spanId}-${flags}`
  const tracestate = span.traceState?.serialize()
  return tracestate ? { traceparent, tracestate } : { traceparent }
}

/** Creates the OpenTelemetry instrumentation; pass it as `instrumentation` to applications, runners and projections. */
export const openTelemetry = (options: OpenTelemetryOptions = {}): Instrumentation => {
  const tracer = options.tracer ?? trace.getTracer('eventfold')
  const meter = options.meter ?? metrics.getMeter('eventfold')
  const counters = new Map<string, Counter>()
  const histograms = new Map<string, Histogram>()
  const gauges = new Map<string, Gauge>()
  const instrument = <I>(cache: Map<string, I>, name: string, create: (name: string) => I): I => {
    const found = cache.get(name)
    if (found) return found
    const created = create(name)
    cache.set(name, created)
    return created
  }
  return {
    span: (name, attributes, work, spanOptions = {}) => {
      const parent = spanContextOf(spanOptions.parent)
      const start: Context = parent ? trace.setSpanContext(ROOT_CONTEXT, parent) : context.active()
      const links: Link[] = (spanOptions.links ?? []).flatMap((carrier) => {
        const linked = spanContextOf(carrier)
        return linked ? [{ context: linked }] : []
      })
      return tracer.startActiveSpan(name, { attributes: clean(attributes), links }, start, async (span) => {
        try {
          return await work({
            setAttributes: (more) => span.setAttributes(clean(more)),
            addEvent: (event, more) => span.addEvent(event, clean(more)),
          })
        } catch (error) {
          span.recordException(error instanceof Error ? error : String(error))
          span.setStatus({
            code: SpanStatusCode.ERROR,
            message: error instanceof Error ? error.message : String(error),
          })
          throw error
        } finally {
          span.end()
        }
      })
    },
    carrier: () => {
      const active = trace.getSpan(context.active())?.spanContext()
      return active && trace.isSpanContextValid(active) ? carrierOf(active) : undefined
    },
    count: (name, value, attributes) =>
      instrument(counters, name, (n) => meter.createCounter(n)).add(value, clean(attributes)),
    record: (name, value, attributes) =>
      instrument(histograms, name, (n) => meter.createHistogram(n)).record(value, clean(attributes)),
    gauge: (name, value, attributes) =>
      instrument(gauges, name, (n) => meter.createGauge(n)).record(value, clean(attributes)),
  }
}
