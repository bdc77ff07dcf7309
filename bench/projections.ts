// Read-side benchmarks: catching a durable document projection up with a 100,000-event log on
// PostgreSQL, beside the same fold done in memory over the same log; and a process application
// recording batches of notifications per transaction against one notification per transaction.

import { application, type EntryOf } from 'eventfold/application'
import { jsonState } from 'eventfold/codec'
import { documentProjection } from 'eventfold/process'
import { createDocumentProjection, createFollower, createProjection } from 'eventfold/runners'
import { createMapper, createMemoryRecorder, type Recorder } from 'eventfold/store'
import { createPostgresRecorder } from 'eventfold/store/postgres'
import { createShop, orders, reservationsPolicy } from '../examples/shop/shop.js'
import { type Row, time } from './measure.js'
import { dogs } from './workload.js'

type Entry = EntryOf<typeof dogs>
interface DogDocument {
  readonly name: string
  readonly tricks: number
}

/** One document per dog: its name and how many tricks it knows. */
const dogDocuments = documentProjection({
  name: 'bench_dogs',
  codec: jsonState<DogDocument>('DogDocument'),
  key: (entry: Entry) => entry.notification.streamId,
  evolve: (document: DogDocument | undefined, entry) => {
    if (entry._tag === 'Erased') return document
    return entry.event.type === 'DogRegistered'
      ? { name: entry.event.name, tricks: 0 }
      : { name: document?.name ?? '', tricks: (document?.tricks ?? 0) + 1 }
  },
  indexes: { tricks: (document) => document.tricks },
})

/** Writes `count` dog events (a registration and tricks per dog, 10 events a dog) in batches of 1,000. */
const fill = async (recorder: Recorder, count: number): Promise<void> => {
  const mapper = createMapper()
  for (let start = 0; start < count; start += 1000) {
    const events = Array.from({ length: Math.min(1000, count - start) }, (_, j) => {
      const i = start + j
      const version = (i % 10) + 1
      const event =
        version === 1
          ? ({ type: 'DogRegistered', name: `Dog ${i}` } as const)
          : ({ type: 'TrickAdded', trick: `trick ${version}` } as const)
      return mapper.toStored(`dog-${Math.floor(i / 10)}`, version, dogs.codec.encode(event))
    })
    await recorder.insertEvents(events)
  }
}

const schema = (label: string): string => `bench_${label}_${Date.now().toString(36)}`

/** Catch-up of a document projection on PostgreSQL (events and documents in one database), and the same fold in memory. */
const catchUp = async (url: string, count: number): Promise<Row[]> => {
  const recorder = createPostgresRecorder({ url, schema: schema('proj'), max: 4 })
  await fill(recorder, count)
  const app = application({ name: 'bench', aggregates: [dogs], recorder })
  const rows: Row[] = []
  for (const batchSize of [500, 2000]) {
    const projection = createDocumentProjection({
      source: app,
      projection: { ...dogDocuments, name: `bench_dogs_${batchSize}` },
      batchSize,
    })
    const seconds = await time(async () => {
      await projection.catchUp()
    })
    rows.push({
      name: `projection: catch-up of ${count.toLocaleString('en')} events into documents, postgres, batches of ${batchSize}`,
      value: count / seconds,
      unit: 'events/s',
    })
  }
  // The worst case: every event changes a document of its own (no folding within a batch).
  const perEvent = createDocumentProjection({
    source: app,
    projection: documentProjection({
      name: 'bench_events',
      codec: jsonState<{ readonly type: string }>('EventDocument'),
      key: (entry: Entry) => String(entry.notification.id),
      evolve: (_: { readonly type: string } | undefined, entry) => ({ type: entry.notification.type }),
    }),
  })
  const perEventSeconds = await time(async () => {
    await perEvent.catchUp()
  })
  rows.push({
    name: `projection: catch-up, every event a document of its own, postgres, batches of 500`,
    value: count / perEventSeconds,
    unit: 'events/s',
  })
  // The same fold kept in memory, reading the same log: what the documents' storage costs.
  const folded = createProjection(
    app,
    {
      initialState: new Map<string, DogDocument | undefined>(),
      evolve: (state, entry: Entry) =>
        state.set(
          entry.notification.streamId,
          dogDocuments.evolve(state.get(entry.notification.streamId), entry, ''),
        ),
    },
    { batchSize: 2000 },
  )
  const inMemory = await time(async () => {
    await folded.catchUp()
  })
  rows.push({
    name: `projection: the same fold in memory, reading the same postgres log`,
    value: count / inMemory,
    unit: 'events/s',
  })
  await app.close()
  // Everything in memory: log and documents.
  const memory = createMemoryRecorder()
  await fill(memory, count)
  const memoryApp = application({ name: 'bench', aggregates: [dogs], recorder: memory })
  const memoryProjection = createDocumentProjection({ source: memoryApp, projection: dogDocuments })
  const memorySeconds = await time(async () => {
    await memoryProjection.catchUp()
  })
  rows.push({
    name: `projection: catch-up into documents, memory recorder`,
    value: count / memorySeconds,
    unit: 'events/s',
  })
  return rows
}

/** A process application following 2,000 orders, with batches per transaction and without. */
const processBatches = async (url: string, count: number): Promise<Row[]> => {
  const rows: Row[] = []
  for (const batchTransactions of [false, true]) {
    const label = batchTransactions ? 'batched' : 'single'
    const parts = createShop({
      orders: createPostgresRecorder({ url, schema: schema(`orders_${label}`), max: 4 }),
      reservations: createPostgresRecorder({ url, schema: schema(`res_${label}`), max: 4 }),
    })
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let i = w; i < count; i += 8)
          await parts.orders.application.execute(
            orders,
            `o${i}`,
            { type: 'Place', items: ['x'] },
            { expectNew: true },
          )
      }),
    )
    const follower = createFollower({
      upstream: parts.orders.application,
      downstream: parts.reservations.application,
      policy: reservationsPolicy,
      batchSize: 100,
      batchTransactions,
    })
    const seconds = await time(async () => {
      await follower.pull()
    })
    rows.push({
      name: `process application: ${count} notifications, ${batchTransactions ? 'a batch of 100' : 'one'} per transaction, postgres`,
      value: count / seconds,
      unit: 'notifications/s',
    })
    await parts.orders.application.close()
    await parts.reservations.application.close()
  }
  return rows
}

/** The read-side rows. */
export const projectionBenchmarks = async (url: string): Promise<Row[]> => [
  ...(await catchUp(url, 100_000)),
  ...(await processBatches(url, 2_000)),
]
