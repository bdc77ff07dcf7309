// Projection processes (projection-process.ts) seen from a test: spawn, watch what they report,
// SIGKILL them at random points of their work; and the check that ends every such test — the
// documents equal a fold of the whole log, each entry applied once.

import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { Application } from 'eventfold/application'
import { documentReader } from 'eventfold/runners'
import type { ProjectionRecorder } from 'eventfold/store'
import { expect } from 'vitest'
import { fold, ledger, readLog } from './ledger.js'
import type { ProjectionProcessConfig, ProjectionReport } from './projection-process.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const script = fileURLToPath(new URL('./projection-process.ts', import.meta.url))

/** A projection process and what it has reported so far. */
export interface ProjectionChild {
  readonly child: ChildProcess
  /** On PostgreSQL, the application_name of its connections. */
  readonly applicationName: string
  readonly reports: ProjectionReport[]
  /** Resolves once it has exited, to its exit code (null when killed). */
  readonly exited: Promise<number | null>
  /** Calls `listener` with every later report (synchronously, as the line arrives). */
  onReport(listener: (report: ProjectionReport) => void): void
  /** The batches it has committed, by its reports. */
  committed(): { from: number; to: number }[]
  /** Asks it to stop and resolves to its exit code. */
  stop(): Promise<number | null>
}

const children: ChildProcess[] = []

/** Spawns a projection process. */
export const spawnProjection = (config: ProjectionProcessConfig): ProjectionChild => {
  const applicationName = `eventfold-projection-${process.pid}-${children.length}`
  const named = config.store === 'postgres' ? { ...config, applicationName } : config
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    env: { ...process.env, PROJECTION_PROCESS: JSON.stringify(named) },
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  children.push(child)
  const reports: ProjectionReport[] = []
  const listeners: ((report: ProjectionReport) => void)[] = []
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  lines.on('line', (line) => {
    const report = JSON.parse(line) as ProjectionReport
    reports.push(report)
    for (const listener of listeners) listener(report)
  })
  // 'close' comes after the last line of output has been read.
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  return {
    child,
    applicationName,
    reports,
    exited,
    onReport: (listener) => listeners.push(listener),
    committed: () => reports.flatMap((r) => (r.e === 'committed' ? [{ from: r.from, to: r.to }] : [])),
    stop: () => {
      child.stdin?.write('stop\n')
      return exited
    },
  }
}

/** Kills every projection process still running (for afterAll). */
export const killAll = (): void => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
}

/** Polls `check` until it holds, for at most `ms`; resolves to whether it held. */
export const eventually = async (check: () => Promise<boolean> | boolean, ms = 20_000): Promise<boolean> => {
  for (const started = Date.now(); Date.now() - started < ms; ) {
    if (await check()) return true
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return false
}

/** Checks that batches follow on from each other, the first from `from`: none skipped, none repeated. */
export const expectChained = (
  batches: readonly { readonly from: number; readonly to: number }[],
  from: number,
) => expect(batches.map((b) => b.from)).toEqual([from, ...batches.map((b) => b.to)].slice(0, batches.length))

/** The stored position of the ledger (version 1). */
export const positionOf = async (store: ProjectionRecorder, version = 1): Promise<number> =>
  (await store.selectProjections('ledger')).find((s) => s.version === version)?.position ?? 0

/**
 * Checks the ledger's documents against the whole log: each equals the fold of the log, its count is
 * the number of entries of its stream and its versions are 1…n in order (none applied twice or skipped).
 */
export const expectFoldOfLog = async (app: Application, store: ProjectionRecorder, version: 1 | 2 = 1) => {
  const entries = await readLog(app)
  const expected = fold(ledger(version), entries)
  const documents = await documentReader(store, ledger(version)).list()
  expect(new Map(documents.map((d) => [d.key, d.document]))).toEqual(expected)
  const perStream = new Map<string, number>()
  for (const entry of entries)
    perStream.set(entry.notification.streamId, (perStream.get(entry.notification.streamId) ?? 0) + 1)
  expect(documents.map((d) => [d.key, d.document.n])).toEqual(
    [...perStream].sort(([a], [b]) => (a < b ? -1 : 1)),
  )
  for (const { document } of documents)
    expect(document.versions).toEqual(Array.from({ length: document.n }, (_, i) => i + 1))
  return entries.length
}

/** What the kill tests run, where, and how to know that a killed process can change nothing more. */
export interface KillOptions {
  readonly config: ProjectionProcessConfig
  readonly store: ProjectionRecorder
  /** The log's last notification id. */
  readonly head: () => Promise<number>
  /**
   * Resolves once nothing a killed process sent can still land. On PostgreSQL a COMMIT it sent just
   * before dying is carried out after its death, so this waits until the server has ended its connections.
   */
  readonly settled: (child: ProjectionChild) => Promise<void>
}

/** Where a killed projection process was: its last report (a commit sent, or done) and its stored position after. */
export interface Kill {
  readonly last: 'none' | 'started' | 'commit' | 'committed'
  readonly batch?: { readonly from: number; readonly to: number }
  readonly position: number
  /** The log's last id when it died. */
  readonly head: number
}

const lastStep = (reports: readonly ProjectionReport[]): Pick<Kill, 'last' | 'batch'> => {
  const last = reports.findLast((r) => r.e === 'commit' || r.e === 'committed' || r.e === 'started')
  if (!last) return { last: 'none' }
  if (last.e === 'commit' || last.e === 'committed')
    return { last: last.e, batch: { from: last.from, to: last.to } }
  return { last: 'started' }
}

/**
 * Runs the ledger in a process `kills` times, each killed by SIGKILL after a random number of commits
 * sent (the first while it starts) and a random delay of 0–8 ms, and checks each time that the
 * stored position is where its last report says (a commit in flight landed whole or not at all) and
 * that the next process resumes there. Resolves to the kills; the caller's writer may run meanwhile.
 */
export const killRepeatedly = async (options: KillOptions, kills: number): Promise<Kill[]> => {
  const { config, store, head, settled } = options
  const done: Kill[] = []
  let position = await positionOf(store)
  for (let life = 0; life < kills; life++) {
    const child = spawnProjection(config)
    const after = life === 0 ? 0 : 1 + Math.floor(Math.random() * 30)
    const delayMs = Math.random() < 0.3 ? 0 : Math.random() * 8
    let sent = 0
    const die = () => child.child.kill('SIGKILL')
    child.onReport((report) => {
      const due = after === 0 ? report.e === 'started' : report.e === 'commit' && ++sent === after
      if (due) delayMs === 0 ? die() : setTimeout(die, delayMs)
    })
    const guard = setTimeout(die, 20_000) // it ran out of work: the reports below say so
    await child.exited
    clearTimeout(guard)
    await settled(child)
    expect(child.child.signalCode).toBe('SIGKILL')
    expect(child.reports.filter((r) => r.e === 'error')).toEqual([])
    const sentBatches = child.reports.flatMap((r) => (r.e === 'commit' ? [r] : []))
    expect(after === 0 || sentBatches.length >= after).toBe(true)
    // Each batch goes on from the one before, the first from where the last process left off.
    expectChained(sentBatches, position)
    const at: Kill = { ...lastStep(child.reports), position: await positionOf(store), head: await head() }
    if (at.last === 'commit') expect([at.batch?.from, at.batch?.to]).toContain(at.position)
    else if (at.last === 'committed') expect(at.position).toBe(at.batch?.to)
    else expect(at.position).toBe(position)
    position = at.position
    done.push(at)
  }
  return done
}

/** Runs the ledger in a process until it has applied all of `head()`, then stops it; checks its batches. */
export const runToEnd = async (
  { config, store, head }: KillOptions,
  writing: { stop(): Promise<number> },
): Promise<void> => {
  const from = await positionOf(store)
  const child = spawnProjection(config)
  expect(await eventually(() => child.committed().length >= 5)).toBe(true)
  await writing.stop()
  const last = await head()
  expect(await eventually(async () => (await positionOf(store)) === last, 40_000)).toBe(true)
  expect(await child.stop()).toBe(0)
  expect(child.reports.filter((r) => r.e === 'error')).toEqual([])
  const batches = child.committed()
  expectChained(batches, from)
  expect(batches.at(-1)?.to).toBe(last)
}
