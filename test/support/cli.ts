// Running the `eventfold` command line as a user does — a child process with only the environment
// it is given — against a SQLite file or a fresh PostgreSQL schema, and seeding its stores.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type AnyAggregate, application, instruction } from 'eventfold/application'
import type { Mapper, ProjectionRecorder, Recorder } from 'eventfold/store'
import { createPostgresRecorder } from 'eventfold/store/postgres'
import { createSqliteRecorder } from 'eventfold/store/sqlite'
import { dogs } from '../cli/fixtures/kennel.js'
import { databaseUrl, freshSchema } from './postgres.js'

/** The repository's root, where the command runs. */
export const root: string = fileURLToPath(new URL('../..', import.meta.url))

/** The command line's argv, run from source through tsx (TypeScript modules import as they are). */
export const cliArgs = (args: readonly string[]): string[] => [
  '--import',
  'tsx',
  join(root, 'src/cli/main.ts'),
  ...args,
]

/** What a finished command did. */
export interface Ran {
  readonly code: number | null
  readonly out: string
  readonly err: string
}

/** Runs the command line with `args` and only the given environment (plus PATH). */
export const eventfold = (args: readonly string[], env: Record<string, string>): Ran => {
  const result = spawnSync(process.execPath, cliArgs(args), {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
  })
  return { code: result.status, out: result.stdout, err: result.stderr }
}

/** A command running in the background: its output so far, a wait for some output, its end. */
export interface Running {
  readonly child: ChildProcess
  out(): string
  err(): string
  /** Resolves once stdout + stderr match `pattern` (rejects after `timeoutMs`). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>
}

/** Starts the command line in the background. */
export const startEventfold = (args: readonly string[], env: Record<string, string>): Running => {
  const child = spawn(process.execPath, cliArgs(args), {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  const listeners = new Set<() => void>()
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString()
    for (const listener of listeners) listener()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString()
    for (const listener of listeners) listener()
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  )
  return {
    child,
    out: () => out,
    err: () => err,
    exited,
    waitFor: (pattern, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!pattern.test(out + err)) return
          listeners.delete(check)
          clearTimeout(timer)
          resolve()
        }
        const timer = setTimeout(() => {
          listeners.delete(check)
          reject(new Error(`no ${pattern} within ${timeoutMs} ms; stdout: ${out}\nstderr: ${err}`))
        }, timeoutMs)
        listeners.add(check)
        check()
      }),
  }
}

/** A recorder the tests seed and check, over the store the command line is pointed at. */
export type TestRecorder = Recorder & ProjectionRecorder

/** Where the command line's stores are: a SQLite file, or a schema of the test server. */
export interface Target {
  readonly name: 'SQLite' | 'PostgreSQL'
  /** The environment of the applications (and so of the command line). */
  readonly env: Record<string, string>
  /** A recorder on application `app`'s tables (created if need be). */
  recorder(app: string): TestRecorder
  cleanup(): void
}

let targets = 0

/** A target on a new SQLite file in `dir`. */
export const sqliteTarget = (dir: string): Target => {
  const path = join(dir, `store-${++targets}.db`)
  return {
    name: 'SQLite',
    env: { EVENTFOLD_PERSISTENCE: 'sqlite', EVENTFOLD_SQLITE_PATH: path },
    recorder: (app) => createSqliteRecorder({ path, prefix: `${app}_` }),
    cleanup: () => {
      for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true })
    },
  }
}

/** A target on a fresh schema of the test server. */
export const postgresTarget = (): Target => {
  const schema = freshSchema()
  const url = databaseUrl ?? ''
  return {
    name: 'PostgreSQL',
    env: { EVENTFOLD_PERSISTENCE: 'postgres', DATABASE_URL: url, EVENTFOLD_PG_SCHEMA: schema },
    recorder: (app) => createPostgresRecorder({ url, schema, prefix: `${app}_` }),
    cleanup: () => {},
  }
}

/** Records `count` dogs, each registered and taught `tricks` (in transactions of 20 dogs); resolves to their ids. */
export const seedDogs = async (
  recorder: Recorder,
  options: {
    readonly count: number
    readonly tricks: readonly string[]
    readonly app?: string
    readonly mapper?: Mapper
    readonly aggregate?: AnyAggregate
    readonly prefix?: string
  },
): Promise<readonly string[]> => {
  const app = application({
    name: options.app ?? 'kennel',
    aggregates: [options.aggregate ?? dogs],
    recorder,
    ...(options.mapper ? { mapper: options.mapper } : {}),
  })
  const kind = options.aggregate ?? dogs
  const ids = Array.from({ length: options.count }, (_, i) => `${options.prefix ?? 'd'}${i}`)
  for (let i = 0; i < ids.length; i += 20) {
    const instructions = ids
      .slice(i, i + 20)
      .flatMap((id) => [
        instruction(kind, id, { type: 'RegisterDog', name: `Dog ${id}` }),
        ...options.tricks.map((trick) => instruction(kind, id, { type: 'AddTrick', trick })),
      ])
    await app.executeAll(instructions)
  }
  return ids
}

/** Resolves once `condition` holds, checking every 20 ms; rejects after `timeoutMs`. */
export const until = async (condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`still not so after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
