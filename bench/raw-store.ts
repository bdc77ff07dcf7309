// The baselines of the core-path benchmarks: the least an event store can do for the same work —
// read the stream, fold it, decide, append at the next version — in memory, and on PostgreSQL with
// the `postgres` package directly (a table shaped like eventfold's, ids from a sequence).

import { performance } from 'node:perf_hooks'
import type { Decider } from 'eventfold/decide'
import postgres from 'postgres'

/** A raw store: reads a stream's events, appends events after a version (a conflict throws). */
export interface RawStore<E> {
  read(streamId: string): Promise<readonly E[]>
  append(streamId: string, after: number, events: readonly E[]): Promise<void>
  close(): Promise<void>
}

/** An event as the raw stores keep it: the whole of it as JSON (its type inside), the type beside it. */
type Typed = { readonly type: string }

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Runs one command the raw way: read, fold, decide, append (no cache, no retry). */
export const rawExecute = async <C, S, E extends Typed, R>(
  store: RawStore<E>,
  decider: Decider<C, S, E, R>,
  streamId: string,
  command: C,
  expectNew = false,
): Promise<void> => {
  const history = expectNew ? [] : await store.read(streamId)
  let state = decider.initialState
  for (const event of history) state = decider.evolve(state, event)
  const decision = decider.decide(command, state)
  if (!Array.isArray(decision)) return
  if (decision.length > 0) await store.append(streamId, history.length, decision)
}

/** A map of streams, each an array of [type, JSON bytes]: what an in-memory store needs at the least. */
export const createRawMemoryStore = <E extends Typed>(): RawStore<E> => {
  const streams = new Map<string, [string, Uint8Array][]>()
  return {
    read: async (streamId) =>
      (streams.get(streamId) ?? []).map(([, data]) => JSON.parse(decoder.decode(data)) as E),
    append: async (streamId, after, events) => {
      const stream = streams.get(streamId) ?? []
      if (stream.length !== after) throw new Error(`conflict on ${streamId}`)
      for (const event of events) stream.push([event.type, encoder.encode(JSON.stringify(event))])
      streams.set(streamId, stream)
    },
    close: async () => {},
  }
}

/** A table shaped like eventfold's events (ids from a sequence, unique (stream_id, version)), read and written directly. */
export const createRawPostgresStore = async <E extends Typed>(
  url: string,
  max = 10,
): Promise<RawStore<E> & { readonly sql: postgres.Sql; readonly table: string }> => {
  const sql = postgres(url, { max, onnotice: () => {} })
  const table = `bench_raw_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`
  await sql`create table ${sql(table)} (notification_id bigserial primary key, stream_id text not null,
    version bigint not null, type text not null, schema_version integer not null, data bytea not null,
    recorded_at timestamptz not null default now(), unique (stream_id, version))`
  return {
    sql,
    table,
    read: async (streamId) => {
      const rows = await sql<{ data: Buffer }[]>`
        select data from ${sql(table)} where stream_id = ${streamId} order by version`
      return rows.map((row) => JSON.parse(row.data.toString()) as E)
    },
    append: async (streamId, after, events) => {
      const rows = events.map((event, i) => ({
        stream_id: streamId,
        version: after + i + 1,
        type: event.type,
        schema_version: 1,
        data: Buffer.from(JSON.stringify(event)),
      }))
      await sql`insert into ${sql(table)} ${sql(rows)}`
    },
    close: async () => {
      await sql`drop table ${sql(table)}`
      await sql.end()
    },
  }
}

/**
 * The ceiling of 8 writers in step in one process: groups of `size` rows, each one INSERT in its
 * own transaction, one after another, with nothing else done (no read, no decision, no encoding).
 * Returns rows per second.
 */
export const rawGroupCeiling = async (url: string, total: number, size: number): Promise<number> => {
  const store = await createRawPostgresStore(url, 1)
  const { sql, table } = store
  const start = performance.now()
  for (let g = 0; g < total / size; g++) {
    const rows = Array.from({ length: size }, (_, k) => ({
      stream_id: `dog-${g}-${k}`,
      version: 1,
      type: 'DogRegistered',
      schema_version: 1,
      data: Buffer.from('{"name":"Fido"}'),
    }))
    await sql`insert into ${sql(table)} ${sql(rows)}`
  }
  const rate = total / ((performance.now() - start) / 1000)
  await store.close()
  return rate
}
