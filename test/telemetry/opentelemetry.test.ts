// Telemetry through OpenTelemetry's SDK with in-memory exporters: one command through a system of
// two applications is one trace — command → append → follower batch → downstream append — and the
// counters, latencies and lags are measured.

import { context } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import { application } from 'eventfold/application'
import { jsonState } from 'eventfold/codec'
import { documentProjection } from 'eventfold/process'
import { createDocumentProjection, createRunner } from 'eventfold/runners'
import { createMemoryRecorder } from 'eventfold/store'
import { openTelemetry } from 'eventfold/telemetry'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { orders, ordersPolicy, reservations, reservationsPolicy, shop } from '../../examples/shop/shop.js'

class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE })
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const exporter = new InMemorySpanExporter()
const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer(
  'test',
)
const reader = new TestReader()
const meter = new MeterProvider({ readers: [reader] }).getMeter('test')
const contexts = new AsyncLocalStorageContextManager()
beforeAll(() => {
  context.setGlobalContextManager(contexts.enable())
})
afterAll(() => {
  context.disable()
})
beforeEach(() => exporter.reset())

/** The metric points recorded so far, by metric name. */
const measured = async () => {
  const { resourceMetrics } = await reader.collect()
  const points = new Map<string, { value: unknown; attributes: Record<string, unknown> }[]>()
  for (const scope of resourceMetrics.scopeMetrics)
    for (const metric of scope.metrics)
      points.set(
        metric.descriptor.name,
        metric.dataPoints.map((p) => ({ value: p.value, attributes: p.attributes })),
      )
  return points
}

const byName = (spans: readonly ReadableSpan[], name: string) => spans.filter((s) => s.name === name)
const parentOf = (span: ReadableSpan | undefined) => span?.parentSpanContext?.spanId

describe('OpenTelemetry', () => {
  it('one command through a system of two applications is one trace: command → append → follower batch → downstream append', async () => {
    const instrumentation = openTelemetry({ tracer, meter })
    const parts = {
      orders: {
        application: application({
          name: 'orders',
          aggregates: [orders],
          recorder: createMemoryRecorder(),
          instrumentation,
        }),
        policy: ordersPolicy,
      },
      reservations: {
        application: application({
          name: 'reservations',
          aggregates: [reservations],
          recorder: createMemoryRecorder(),
          instrumentation,
        }),
        policy: reservationsPolicy,
      },
    }
    const runner = createRunner(shop, parts)
    await parts.orders.application.execute(orders, 'o1', { type: 'Place', items: ['apple'] })
    await runner.settle()
    const spans = exporter.getFinishedSpans()
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1)

    const [command] = byName(spans, 'eventfold.execute')
    expect(command?.attributes).toMatchObject({
      'eventfold.application': 'orders',
      'eventfold.aggregate': 'order',
      'eventfold.stream_id': 'order-o1',
      'eventfold.version': 1,
      'eventfold.outcome': 'ok',
      'eventfold.notification.first': 1,
    })
    const appends = byName(spans, 'eventfold.append')
    const batches = byName(spans, 'eventfold.follower.batch')
    const downstream = byName(spans, 'eventfold.execute_batch')
    // The command's append is its child.
    expect(parentOf(appends[0])).toBe(command?.spanContext().spanId)
    // reservations' batch continues the command's trace: a child of the command, through the event's metadata.
    const reserving = batches.find((b) => b.attributes['eventfold.downstream'] === 'reservations')
    expect(parentOf(reserving)).toBe(command?.spanContext().spanId)
    expect(reserving?.attributes).toMatchObject({ 'eventfold.upstream': 'orders', 'eventfold.batch.size': 1 })
    // … and records the reservation in an append under it.
    const reserved = downstream.find((d) => d.attributes['eventfold.application'] === 'reservations')
    expect(parentOf(reserved)).toBe(reserving?.spanContext().spanId)
    const reservedAppend = appends.find((a) => parentOf(a) === reserved?.spanContext().spanId)
    expect(reservedAppend?.attributes).toMatchObject({
      'eventfold.events': 1,
      'eventfold.stream_id': 'reservation-for-o1',
    })
    // The reservation's event carries that trace on: orders' batch for it is a child of the reservation's batch.
    const marking = batches.find((b) => b.attributes['eventfold.downstream'] === 'orders')
    expect(parentOf(marking)).toBe(reserved?.spanContext().spanId)
    const [event] = await parts.reservations.application.read(1, 1)
    expect(event?.notification.metadata?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)

    const points = await measured()
    expect(points.get('eventfold.commands')).toEqual([
      {
        value: 1,
        attributes: {
          'eventfold.application': 'orders',
          'eventfold.aggregate': 'order',
          'eventfold.outcome': 'ok',
        },
      },
    ])
    expect(points.get('eventfold.append.duration')?.length).toBeGreaterThan(0)
    expect(points.get('eventfold.follower.lag')?.map((p) => p.value)).toContain(0)
    await runner.close()
  })

  it('a rejection, a conflict retried, and a load are recorded', async () => {
    const instrumentation = openTelemetry({ tracer, meter })
    const recorder = createMemoryRecorder()
    const first = application({ name: 'orders', aggregates: [orders], recorder, instrumentation })
    const second = application({ name: 'orders', aggregates: [orders], recorder, instrumentation })
    await first.execute(orders, 'o1', { type: 'Place', items: ['apple'] })
    expect((await first.execute(orders, 'o1', { type: 'Place', items: ['pear'] }))._tag).toBe('Left')
    // The second instance caches o2 at version 1; the first moves it on; the second's append
    // conflicts, and it reads and decides again.
    await second.execute(orders, 'o2', { type: 'Place', items: ['fig'] })
    await first.execute(orders, 'o2', { type: 'MarkReserved', reservation: 'r1' })
    const racing = await second.execute(orders, 'o2', { type: 'MarkReserved', reservation: 'r2' })
    expect(racing._tag === 'Right' && racing.right.version).toBe(3)
    const spans = exporter.getFinishedSpans()
    const executes = byName(spans, 'eventfold.execute')
    expect(executes.map((s) => s.attributes['eventfold.outcome'])).toEqual([
      'ok',
      'rejected',
      'ok',
      'ok',
      'ok',
    ])
    const retried = executes.at(-1)
    expect(retried?.events.map((e) => e.name)).toEqual(['conflict', 'retry'])
    const loads = byName(spans, 'eventfold.load')
    expect(loads.some((l) => l.attributes['eventfold.events_read'] === 1)).toBe(true)
    const points = await measured()
    const total = (name: string) =>
      (points.get(name) ?? []).reduce((sum, p) => sum + (typeof p.value === 'number' ? p.value : 0), 0)
    expect(total('eventfold.rejections')).toBeGreaterThanOrEqual(1)
    expect(total('eventfold.conflicts')).toBeGreaterThanOrEqual(1)
    expect(total('eventfold.retries')).toBeGreaterThanOrEqual(1)
  })

  it('projection batches continue the trace of the command, and their lag is measured', async () => {
    const instrumentation = openTelemetry({ tracer, meter })
    const app = application({
      name: 'orders',
      aggregates: [orders],
      recorder: createMemoryRecorder(),
      instrumentation,
    })
    await app.execute(orders, 'o1', { type: 'Place', items: ['apple'] })
    const counts = documentProjection({
      name: 'counts',
      codec: jsonState<number>('Count'),
      key: () => 'all',
      evolve: (n: number | undefined) => (n ?? 0) + 1,
    })
    await createDocumentProjection({ source: app, projection: counts }).catchUp()
    const spans = exporter.getFinishedSpans()
    const [command] = byName(spans, 'eventfold.execute')
    const [batch] = byName(spans, 'eventfold.projection.batch')
    expect(parentOf(batch)).toBe(command?.spanContext().spanId)
    expect(batch?.attributes).toMatchObject({ 'eventfold.projection': 'counts', 'eventfold.batch.size': 1 })
    expect((await measured()).get('eventfold.projection.lag')?.at(-1)?.value).toBe(0)
  })

  it('records nothing for an application without instrumentation', async () => {
    const app = application({ name: 'orders', aggregates: [orders], recorder: createMemoryRecorder() })
    await app.execute(orders, 'o1', { type: 'Place', items: ['apple'] })
    expect(exporter.getFinishedSpans()).toEqual([])
    expect((await app.read(1, 1))[0]?.notification.metadata).toBeUndefined()
  })
})
