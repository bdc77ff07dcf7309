// What the core-path rows (bench/core.ts) run: the library, the dog-school deciders through
// jsonCodec, the workload on N concurrent loops, and the figures measured before (BEFORE).
//
// The library measured is the built package (dist/, what users run): tsx, which runs the bench,
// compiles with esbuild's keepNames, which wraps every closure made in a hot path in a call that
// names it — it slowed these paths by a third to a half. BENCH_SOURCE=1 measures src/ through tsx.

import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Decider } from 'eventfold/decide'
import type { Recorder } from 'eventfold/store'
import { type DogEvent, dog } from '../examples/dog-school/dog.js'
import type { Row } from './measure.js'
import { type RawStore, rawExecute } from './raw-store.js'

/**
 * The figures of commit 0d153f9 (before this work), measured with this file on 2026-11-30 on the
 * 2-core development machine shared with other agents' test runs: medians of three runs of these
 * rows, each taken in turn with a run of the changed code.
 */
export const BEFORE = {
  memory: 159_254,
  memoryCpu: 131_370,
  getMemory: 15.51,
  getPostgres: 74.11,
  writers: 6_180,
  writersExpectNew: 14_546,
  longStreamMb: 0.87,
  longStreamRate: 114_519,
} as const

const root = fileURLToPath(new URL('..', import.meta.url))
/** True when the rows measure the built package. */
export const builtPackage = process.env.BENCH_SOURCE !== '1' && existsSync(join(root, 'dist/index.js'))
const load = (path: string, subpath: string): Promise<unknown> =>
  builtPackage ? import(pathToFileURL(join(root, 'dist', path)).href) : import(`eventfold/${subpath}`)
export const { aggregate, application } = (await load(
  'application/index.js',
  'application',
)) as typeof import('eventfold/application')
const { jsonCodec } = (await load('codec/index.js', 'codec')) as typeof import('eventfold/codec')
export const { createMapper, createMemoryRecorder } = (await load(
  'store/index.js',
  'store',
)) as typeof import('eventfold/store')
export const { createPostgresRecorder } = (await load(
  'store/postgres/index.js',
  'store/postgres',
)) as typeof import('eventfold/store/postgres')

/** Dog events stored through jsonCodec (no schema): what the anchors store. */
export const codec = jsonCodec<DogEvent>({ DogRegistered: true, TrickAdded: true })
/** The dog of the example, over that codec. */
export const dogs = aggregate({ name: 'dog', decider: dog, codec })

/** A dog that counts its tricks: an O(1) evolve, so that get() measures what loading costs. */
export type Tally = { readonly name: string; readonly tricks: number } | null
export const tally: Decider<never, Tally, DogEvent> = {
  initialState: null,
  decide: () => [],
  evolve: (state, event) =>
    event.type === 'DogRegistered'
      ? { name: event.name, tricks: 0 }
      : state && { name: state.name, tricks: state.tricks + 1 },
}
export const tallies = aggregate({ name: 'dog', decider: tally, codec })

/** A dog registered, then taught `length - 1` tricks. */
export const longDog = (length: number): DogEvent[] => [
  { type: 'DogRegistered', name: 'Fido' },
  ...Array.from({ length: length - 1 }, (_, i) => ({ type: 'TrickAdded' as const, trick: `trick ${i}` })),
]

/** Seconds of wall-clock and of this process's CPU that `action` took. */
export const measure = async (action: () => Promise<void>): Promise<{ wall: number; cpu: number }> => {
  const cpu = process.cpuUsage()
  const start = performance.now()
  await action()
  const used = process.cpuUsage(cpu)
  return { wall: (performance.now() - start) / 1000, cpu: (used.user + used.system) / 1e6 }
}

/** The dog-school workload on `writers` concurrent loops; `run` executes one command. */
export const dogSchool = (
  count: number,
  writers: number,
  run: (id: string, command: Parameters<typeof dog.decide>[0], expectNew: boolean) => Promise<unknown>,
  expectNew: boolean,
) =>
  measure(async () => {
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = w; i < count; i += writers) {
          const id = `${i}`
          await run(id, { type: 'RegisterDog', name: `Dog ${i}` }, expectNew)
          await run(id, { type: 'AddTrick', trick: 'roll over' }, false)
          await run(id, { type: 'AddTrick', trick: 'fetch ball' }, false)
        }
      }),
    )
  })

const HINTED = { expectNew: true } as const
const PLAIN = {} as const

/** Runs commands through an application over `recorder`. */
export const throughEventfold = (recorder: Recorder) => {
  const app = application({ name: 'bench', aggregates: [dogs], recorder })
  return {
    run: (id: string, command: Parameters<typeof dog.decide>[0], expectNew: boolean) =>
      app.execute(dogs, id, command, expectNew ? HINTED : PLAIN),
    close: () => app.close(),
  }
}
/** Runs commands through a raw store. */
export const throughRaw = (store: RawStore<DogEvent>) => ({
  run: (id: string, command: Parameters<typeof dog.decide>[0], expectNew: boolean) =>
    rawExecute(store, dog, `dog-${id}`, command, expectNew),
  close: () => store.close(),
})

/** A row, with the figure before where there is one. */
export const row = (name: string, value: number, unit: string, before?: number): Row => ({
  name,
  value,
  unit,
  ...(before ? { before } : {}),
})
