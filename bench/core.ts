// The core paths (issue 12), on the anchors' dog-school workload: events through jsonCodec, one
// command at a time through execute, no expectNew unless a row says so, no snapshots — each row
// beside a raw store doing the same work in the same run (bench/raw-store.ts), and the figure
// measured before the work on these paths began (BEFORE, in bench/core-workload.ts).

import { performance } from 'node:perf_hooks'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import type { Recorder } from 'eventfold/store'
import type { DogEvent } from '../examples/dog-school/dog.js'
import {
  aggregate,
  application,
  BEFORE,
  builtPackage,
  codec,
  createMapper,
  createMemoryRecorder,
  createPostgresRecorder,
  dogSchool,
  longDog,
  measure,
  row,
  type Tally,
  tallies,
  tally,
  throughEventfold,
  throughRaw,
} from './core-workload.js'
import { median, type Row } from './measure.js'
import { createRawMemoryStore, createRawPostgresStore, type RawStore, rawGroupCeiling } from './raw-store.js'

/** Memory: events/s (wall and CPU) of eventfold and of the raw store, alternating, medians of 5. */
const memoryThroughput = async (count = 10_000): Promise<Row[]> => {
  const ours: { wall: number; cpu: number }[] = []
  const raws: { wall: number; cpu: number }[] = []
  // Two whole runs each first: the JIT takes tens of thousands of commands to settle.
  for (const warm of [
    throughRaw(createRawMemoryStore<DogEvent>()),
    throughEventfold(createMemoryRecorder()),
    throughRaw(createRawMemoryStore<DogEvent>()),
    throughEventfold(createMemoryRecorder()),
  ]) {
    await dogSchool(count, 1, warm.run, false)
    await warm.close()
  }
  for (let round = 0; round < 5; round++) {
    for (const [list, make] of [
      [raws, () => throughRaw(createRawMemoryStore())],
      [ours, () => throughEventfold(createMemoryRecorder())],
    ] as const) {
      const target = make()
      list.push(await dogSchool(count, 1, target.run, false))
      await target.close()
    }
  }
  const events = count * 3
  const rate = (runs: { wall: number; cpu: number }[], key: 'wall' | 'cpu') =>
    median(runs.map((r) => events / r[key]))
  return [
    row(
      `core: memory, dog-school (${count} dogs), events/s, median of 5`,
      rate(ours, 'wall'),
      'events/s',
      BEFORE.memory,
    ),
    row(`core:   raw in-memory store (read + append), same run`, rate(raws, 'wall'), 'events/s'),
    row(`core: memory, the same per CPU-second`, rate(ours, 'cpu'), 'events/cpu-s', BEFORE.memoryCpu),
    row(`core:   raw in-memory store per CPU-second`, rate(raws, 'cpu'), 'events/cpu-s'),
  ]
}

/** Median ms of 21 cold loads (after 3 for warm-up) by each of `loads`, taken in turn. */
const timeLoads = async (loads: readonly (() => Promise<void>)[]): Promise<number[]> => {
  const runs = loads.map(() => [] as number[])
  for (let i = 0; i < 24; i++) {
    for (const [k, load] of loads.entries()) {
      const start = performance.now()
      await load()
      if (i >= 3) runs[k]?.push(performance.now() - start)
    }
  }
  return runs.map(median)
}

/** Checks that a loaded dog is whole. */
const expectWhole = ({ version, state }: { state: Tally; version: number }, n: number): void => {
  if (version !== n || state?.tricks !== n - 1) throw new Error(`loaded version ${version}`)
}

/** get() of a 10,000-event dog with no cache, on `recorder`, beside the raw store's read and fold. */
const coldGet = async (recorder: Recorder, raw: RawStore<DogEvent>, length: number): Promise<number[]> => {
  const events = longDog(length)
  const mapper = createMapper()
  for (let i = 0; i < length; i += 1000)
    await recorder.insertEvents(
      events.slice(i, i + 1000).map((e, k) => mapper.toStored('dog-x', i + k + 1, codec.encode(e))),
    )
  for (let i = 0; i < length; i += 1000) await raw.append('dog-x', i, events.slice(i, i + 1000))
  const app = application({ name: 'bench', aggregates: [tallies], recorder, cacheSize: 0 })
  const times = await timeLoads([
    async () => expectWhole(await app.get(tallies, 'x'), length),
    async () => {
      let state = tally.initialState
      for (const event of await raw.read('dog-x')) state = tally.evolve(state, event)
      if (state?.tricks !== length - 1) throw new Error('raw load')
    },
  ])
  await app.close()
  await raw.close()
  return times
}

const memoryGet = async (length = 10_000): Promise<Row[]> => {
  const [ours = 0, raw = 0] = await coldGet(createMemoryRecorder(), createRawMemoryStore(), length)
  return [
    row(
      `core: memory, cold get() of a ${length}-event dog (no cache), median of 21`,
      ours,
      'ms',
      BEFORE.getMemory,
    ),
    row(`core:   raw in-memory store, read + fold`, raw, 'ms'),
  ]
}

const schemaName = (label: string): string => `bench_core_${label}_${Date.now().toString(36)}`

const postgresGet = async (url: string, length = 10_000): Promise<Row[]> => {
  const recorder = createPostgresRecorder({ url, schema: schemaName('get') })
  const [ours = 0, raw = 0] = await coldGet(recorder, await createRawPostgresStore(url), length)
  return [
    row(`core: postgres, cold get() of a ${length}-event dog, median of 21`, ours, 'ms', BEFORE.getPostgres),
    row(`core:   raw driver store, one select + fold`, raw, 'ms'),
  ]
}

/** 8 writers in one process, eventfold and raw in turn, 3 rounds; with and without expectNew. */
const postgresWriters = async (url: string, count = 2_000, writers = 8): Promise<Row[]> => {
  const runs = { ours: [[], []] as number[][], raw: [[], []] as number[][], ceiling: [] as number[] }
  for (const expectNew of [false, true]) {
    // A first run of each, unmeasured: the JIT and the connections warm up.
    const recorder = createPostgresRecorder({ url, schema: schemaName(`warm${expectNew ? 1 : 0}`) })
    const warm = throughEventfold(recorder)
    await dogSchool(count / 2, writers, warm.run, expectNew)
    await warm.close()
  }
  for (let round = 0; round < 3; round++) {
    for (const [k, expectNew] of [false, true].entries()) {
      const raw = throughRaw(await createRawPostgresStore<DogEvent>(url))
      runs.raw[k]?.push((count * 3) / (await dogSchool(count, writers, raw.run, expectNew)).wall)
      await raw.close()
      const recorder = createPostgresRecorder({ url, schema: schemaName(`w${round}${k}`) })
      await recorder.maxNotificationId() // the schema is created before the clock starts
      const ours = throughEventfold(recorder)
      runs.ours[k]?.push((count * 3) / (await dogSchool(count, writers, ours.run, expectNew)).wall)
      await ours.close()
    }
    runs.ceiling.push(await rawGroupCeiling(url, count * 3, writers))
  }
  const [plain, hinted] = runs.ours.map(median)
  const [rawPlain, rawHinted] = runs.raw.map(median)
  return [
    row(
      `core: postgres, ${writers} writers, ${count} dogs, no expectNew, median of 3`,
      plain ?? 0,
      'events/s',
      BEFORE.writers,
    ),
    row(`core:   raw driver store (read + append), same run`, rawPlain ?? 0, 'events/s'),
    row(
      `core: postgres, the same with expectNew on registration`,
      hinted ?? 0,
      'events/s',
      BEFORE.writersExpectNew,
    ),
    row(`core:   raw driver store (no read before registration)`, rawHinted ?? 0, 'events/s'),
    row(
      `core:   raw driver, ${writers} rows per INSERT, one after another (the ceiling of ${writers} writers in step)`,
      median(runs.ceiling),
      'events/s',
    ),
  ]
}

/** The garbage collector, exposed at run time (the bench runs through tsx, without node flags). */
const collect = (): (() => void) => {
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}

/**
 * get() of a 1,000,000-event stream on PostgreSQL: the most memory live during the fold (measured
 * after a full collection every 50,000 events) above what is live once it is over, and its speed.
 * The rows are written by one INSERT … SELECT (what the recorder would write, in far less time).
 */
export const longStreamRows = async (url: string, length = 1_000_000): Promise<Row[]> => {
  const gc = collect()
  const recorder = createPostgresRecorder({ url, schema: schemaName('long') })
  await recorder.maxNotificationId()
  const { sql, names } = recorder
  await sql.unsafe(`insert into ${names.events} (notification_id, stream_id, version, type, schema_version, data, event_id)
    select v, 'dog-x', v, case when v = 1 then 'DogRegistered' else 'TrickAdded' end, 1,
      convert_to(case when v = 1 then '{"name":"Fido"}' else '{"trick":"trick ' || v || '"}' end, 'UTF8'), gen_random_uuid()
    from generate_series(1, ${length}) v`)
  await sql.unsafe(`analyze ${names.events}`)
  // Two full collections: heapUsed right after one can still count pages its sweeper has not freed.
  const live = () => {
    gc()
    gc()
    const m = process.memoryUsage()
    return m.heapUsed + m.external
  }
  let peak = 0
  let seen = 0
  const watched = aggregate({
    name: 'dog',
    codec,
    decider: {
      ...tally,
      evolve: (state: Tally, event: DogEvent) => {
        if (++seen % 50_000 === 0) peak = Math.max(peak, live())
        return tally.evolve(state, event)
      },
    },
  })
  const app = application({ name: 'bench', aggregates: [watched], recorder, cacheSize: 0 })
  const { wall } = await measure(async () => expectWhole(await app.get(watched, 'x'), length))
  const held = peak - live() // what the load held beyond what stays once it is over
  await sql.unsafe(`drop schema ${names.schema} cascade`)
  await app.close()
  return [
    row(
      `core: postgres, get() of a ${length}-event stream: most memory held during it (pages of 1,000)`,
      held / 2 ** 20,
      'MiB',
      BEFORE.longStreamMb,
    ),
    row(`core:   the same load, events/s`, length / wall, 'events/s', BEFORE.longStreamRate),
  ]
}

/** Every core-path row; PostgreSQL's only with a URL. */
export const coreBenchmarks = async (url: string | undefined): Promise<Row[]> => {
  console.log(`core rows: ${builtPackage ? 'the built package (dist/)' : 'src/ through tsx'}`)
  const rows = [...(await memoryThroughput()), ...(await memoryGet())]
  if (!url) return rows
  rows.push(...(await postgresGet(url)), ...(await postgresWriters(url)))
  if (process.env.BENCH_LONG !== '0') rows.push(...(await longStreamRows(url)))
  const recorder = createPostgresRecorder({ url })
  const { sql } = recorder
  const schemas = await sql<
    { nspname: string }[]
  >`select nspname from pg_namespace where nspname like 'bench_core_%'`
  for (const { nspname } of schemas) await sql.unsafe(`drop schema "${nspname}" cascade`)
  await sql.end()
  return rows
}
