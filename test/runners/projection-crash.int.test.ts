// Durable document projections on PostgreSQL across OS processes: killed by SIGKILL again and again
// while writes go on, each entry is still applied exactly once; two processes with a lease, one
// works and the other takes over when it dies; a new version builds while writes go on, and readers
// see the old version whole until the new one is ready.

import { createDocumentProjection, documentReader } from 'eventfold/runners'
import type { ProjectionVersion } from 'eventfold/store'
import { createPostgresRecorder, type PostgresRecorder } from 'eventfold/store/postgres'
import { afterAll, describe, expect, it } from 'vitest'
import {
  accountIds,
  bank,
  type LedgerDocument,
  ledger,
  readLog,
  seed,
  startWriting,
} from '../support/ledger.js'
import { databaseUrl, freshSchema, skipPostgres } from '../support/postgres.js'
import type { ProjectionProcessConfig } from '../support/projection-process.js'
import {
  eventually,
  expectChained,
  expectFoldOfLog,
  killAll,
  killRepeatedly,
  type ProjectionChild,
  positionOf,
  runToEnd,
  spawnProjection,
} from '../support/projection-processes.js'

afterAll(killAll)

const setUp = async (rounds: number) => {
  const schema = freshSchema()
  const recorder = createPostgresRecorder({ url: databaseUrl ?? '', schema, max: 4 })
  const app = bank(recorder)
  const ids = accountIds(50)
  await seed(app, ids, rounds)
  return { schema, recorder, app, ids, head: () => app.log.maxId() }
}

/** Resolves once the server has ended a killed process's connections: a COMMIT it sent has landed by then, or never will. */
const connectionsEnded = (recorder: PostgresRecorder) => async (child: ProjectionChild) => {
  const ended = async () => {
    const [row] = await recorder.sql<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity where application_name = ${child.applicationName}`
    return row?.n === 0
  }
  expect(await eventually(ended)).toBe(true)
}

describe.skipIf(skipPostgres)('a document projection in OS processes (PostgreSQL)', () => {
  it('killed by SIGKILL 7 times mid-batch while writes go on, it applies every entry exactly once', async () => {
    const { schema, recorder, app, ids, head } = await setUp(59) // 3,000 events
    const writing = startWriting(app, ids, { perRound: 5, pauseMs: 20 })
    const config = {
      store: 'postgres',
      url: databaseUrl ?? '',
      schema,
      batchSize: 7,
      pollMs: 50,
      lease: false,
    } as const
    const options = { config, store: recorder, head, settled: connectionsEnded(recorder) }
    const kills = await killRepeatedly(options, 7)
    await runToEnd(options, writing)
    const events = await expectFoldOfLog(app, recorder)
    console.info(`[projection-crash] postgres: ${events} events; kills ${JSON.stringify(kills)}`)
    await app.close()
  }, 60_000)

  it('two processes with a lease: one applies, the other waits, and takes over once the first is killed', async () => {
    const { schema, recorder, app, ids, head } = await setUp(39) // 2,000 events
    const writing = startWriting(app, ids, { perRound: 5, pauseMs: 20 })
    const config: ProjectionProcessConfig = {
      store: 'postgres',
      url: databaseUrl ?? '',
      schema,
      leaseTtlMs: 1500,
      batchSize: 7,
      pollMs: 50,
      lease: true,
    }
    const first = spawnProjection(config)
    expect(await eventually(() => first.committed().length > 0)).toBe(true)
    const second = spawnProjection(config)
    const refused = () => second.reports.filter((r) => r.e === 'lease' && !r.got).length
    expect(await eventually(() => refused() >= 3)).toBe(true)
    const working = first.committed().length
    expect(await eventually(() => first.committed().length >= working + 20)).toBe(true)
    // While both ran, only the first sent a batch.
    expect(second.reports.filter((r) => r.e === 'commit' || (r.e === 'lease' && r.got))).toEqual([])

    first.child.kill('SIGKILL')
    await first.exited
    await connectionsEnded(recorder)(first)
    const killedAt = await positionOf(recorder)
    expect(await eventually(() => second.committed().length > 0)).toBe(true)
    await writing.stop()
    const last = await head()
    expect(await eventually(async () => (await positionOf(recorder)) === last)).toBe(true)
    expect(await second.stop()).toBe(0)

    // Batches sent: the first's from 0 on, its last landed whole or not at all, the second's from there on.
    const sent = (child: typeof first) => child.reports.flatMap((r) => (r.e === 'commit' ? [r] : []))
    const [before, after] = [sent(first), sent(second)]
    expectChained(before, 0)
    expect([before.at(-1)?.from, before.at(-1)?.to]).toContain(killedAt)
    expectChained(after, killedAt)
    expect(after.at(-1)?.to).toBe(last)
    expect([...first.reports, ...second.reports].filter((r) => r.e === 'error' || r.e === 'lost')).toEqual([])
    await expectFoldOfLog(app, recorder)
    console.info(
      `[projection-crash] lease: first sent ${before.length} batches up to ${killedAt}, second ${after.length} up to ${last} after ${refused()} refusals`,
    )
    await app.close()
  }, 60_000)

  it('a new version builds while writes go on: readers see the old one whole, then the new one once ready', async () => {
    const { recorder, app, ids } = await setUp(39) // 2,000 events
    const v1 = createDocumentProjection({ source: app, projection: ledger(1), batchSize: 100 })
    await v1.catchUp()
    v1.start({ pollMs: 20 })
    const writing = startWriting(app, ids, { perRound: 5, pauseMs: 10 })
    const reader = documentReader(recorder, ledger(2))
    let phase: Read['phase'] = 'before'
    let reading = true
    const reads: Read[] = []
    const readLoop = (async () => {
      while (reading) {
        const started = phase
        const documents = await reader.list()
        reads.push({ phase: started === phase ? started : 'switching', documents })
      }
    })()
    // Reads that begin and end while phase is 'building' were sent before v2 was marked ready.
    const marking = {
      ...recorder,
      markReady: (projection: ProjectionVersion) => {
        phase = 'switching'
        return recorder.markReady(projection)
      },
    }
    const v2 = createDocumentProjection({ source: app, projection: ledger(2), store: marking, batchSize: 10 })
    expect(await eventually(() => reads.length >= 3)).toBe(true)
    phase = 'building'
    await v2.catchUp()
    phase = 'ready'
    const readyAt = await positionOf(recorder, 2) // v2 does not move until started
    v2.start({ pollMs: 20 })
    const readsAtReady = reads.length
    expect(await eventually(() => reads.length >= readsAtReady + 5)).toBe(true)
    reading = false
    await readLoop
    await writing.stop()
    const last = await app.log.maxId()
    await Promise.all([v1.waitFor(last, { timeoutMs: 20_000 }), v2.waitFor(last, { timeoutMs: 20_000 })])
    await Promise.all([v1.stop(), v2.stop()])

    const seen = positionsSeen(await readLog(app), reads)
    // Each read saw one version whole, as of one position of the log.
    for (const read of seen) expect(read.lo).toBeLessThan(read.hi)
    const versions = seen.map((r) => r.version).join('')
    expect(versions).toMatch(/^1+2+$/)
    expect(seen.filter((r) => r.phase === 'building' && r.version === 1).length).toBeGreaterThan(0)
    expect(seen.filter((r) => r.phase === 'building' && r.version === 2)).toEqual([])
    // Version 1 only moves forward; version 2 is never seen before the position where it became ready.
    let v1At = 0
    for (const read of seen.filter((r) => r.version === 1)) {
      expect(read.hi).toBeGreaterThan(v1At)
      v1At = Math.max(v1At, read.lo)
    }
    for (const read of seen.filter((r) => r.version === 2)) expect(read.hi).toBeGreaterThan(readyAt)
    await expectFoldOfLog(app, recorder, 2)
    const back = seen.filter((r) => r.version === 2 && r.hi <= v1At).length
    console.info(
      `[projection-crash] rebuild: ${seen.length} reads (${versions.split('2')[0]?.length} of v1), v2 ready at ${readyAt}, last v1 read at ≥ ${v1At}; v2 reads behind the last v1 read: ${back}`,
    )
    await app.close()
  }, 60_000)
})

/** A read of the ledger by a reader of version 2, and whether v2 was being built meanwhile. */
interface Read {
  readonly phase: 'before' | 'building' | 'switching' | 'ready'
  readonly documents: readonly { key: string; document: LedgerDocument }[]
}

/**
 * Which version each read saw (v2's documents count deposits), after checking that each document is
 * its version's fold of the first n entries of its stream; and the positions of the log the read is
 * consistent with: [lo, hi), lo the last entry it includes, hi the first entry it does not.
 */
const positionsSeen = (entries: Awaited<ReturnType<typeof readLog>>, reads: readonly Read[]) => {
  const streams = new Map<string, typeof entries>()
  for (const entry of entries) {
    const stream = streams.get(entry.notification.streamId) ?? []
    stream.push(entry)
    streams.set(entry.notification.streamId, stream)
  }
  const prefixes = ([1, 2] as const).map((version) => {
    const projection = ledger(version)
    const byKey = new Map<string, LedgerDocument[]>()
    for (const [key, stream] of streams) {
      const documents: LedgerDocument[] = []
      for (const entry of stream)
        documents.push(projection.evolve(documents.at(-1), entry, key) as LedgerDocument)
      byKey.set(key, documents)
    }
    return byKey
  })
  return reads.map(({ phase, documents }) => {
    const withDeposits = documents.filter((d) => d.document.deposits !== undefined).length
    expect([0, documents.length]).toContain(withDeposits)
    const version = withDeposits > 0 ? 2 : 1
    const held = new Map(documents.map((d) => [d.key, d.document]))
    let lo = 0
    let hi = Number.POSITIVE_INFINITY
    for (const [key, stream] of streams) {
      const n = held.get(key)?.n ?? 0
      if (n > 0) expect(held.get(key)).toEqual(prefixes[version - 1]?.get(key)?.[n - 1])
      lo = Math.max(lo, stream[n - 1]?.notification.id ?? 0)
      hi = Math.min(hi, stream[n]?.notification.id ?? Number.POSITIVE_INFINITY)
    }
    expect([...held.keys()].every((key) => streams.has(key))).toBe(true)
    return { phase, version, lo, hi }
  })
}
