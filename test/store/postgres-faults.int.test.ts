// Connection faults on PostgreSQL: a reply lost in transit, sessions killed during appends and
// between calls. Every acknowledged event is stored exactly once, and the first call after the
// fault succeeds.

import { createPostgresRecorder, type PostgresRecorder } from 'eventfold/store/postgres'
import postgres from 'postgres'
import { afterAll, describe, expect, it } from 'vitest'
import { storedEvent } from '../../src/testing/index.js'
import { databaseUrl, freshSchema, skipPostgres } from '../support/postgres.js'
import { createProxy } from '../support/tcp-proxy.js'

const url = databaseUrl ?? ''
const admin = skipPostgres ? undefined : postgres(url, { max: 1, onnotice: () => {} })
afterAll(() => admin?.end())

/** Terminates every session of `applicationName`; resolves to how many there were. */
const kill = async (applicationName: string): Promise<number> => {
  const rows = await (admin as postgres.Sql)`
    select pg_terminate_backend(pid) from pg_stat_activity
    where application_name = ${applicationName} and pid <> pg_backend_pid()`
  return rows.length
}

const through = (
  port: number,
  schema: string,
  applicationName: string,
  options: { readonly max?: number; readonly replyTimeoutMs?: number } = {},
) => {
  const target = new URL(url)
  target.host = `127.0.0.1:${port}`
  return createPostgresRecorder({ url: target.toString(), schema, applicationName, max: 1, ...options })
}

const count = async (recorder: PostgresRecorder, streamId: string) =>
  (await recorder.selectEvents(streamId)).length

describe.skipIf(skipPostgres)('PostgreSQL connection faults', () => {
  it('an append whose reply is lost is recognised as committed: stored once, reported as success', async () => {
    const proxy = await createProxy(Number(new URL(url).port))
    const recorder = through(proxy.port, freshSchema(), 'lost-reply')
    try {
      await recorder.insertEvents([storedEvent('warm-up', 1)])
      proxy.loseReplyTo('lost-reply-stream')
      const ids = await recorder.insertEvents([
        storedEvent('lost-reply-stream', 1),
        storedEvent('lost-reply-stream', 2),
      ])
      expect(proxy.lost()).toBe(1)
      expect(ids).toEqual([2, 3])
      expect(await count(recorder, 'lost-reply-stream')).toBe(2)
      expect(await recorder.insertEvents([storedEvent('lost-reply-stream', 3)])).toEqual([4])
    } finally {
      await recorder.close()
      await proxy.close()
    }
  })

  it('an append whose request is lost is sent again, once', async () => {
    const proxy = await createProxy(Number(new URL(url).port))
    const recorder = through(proxy.port, freshSchema(), 'lost-request')
    try {
      await recorder.insertEvents([storedEvent('warm-up', 1)])
      proxy.loseRequest('lost-request-stream')
      expect(await recorder.insertEvents([storedEvent('lost-request-stream', 1)])).toEqual([2])
      expect(proxy.lost()).toBe(1)
      expect(await count(recorder, 'lost-request-stream')).toBe(1)
    } finally {
      await recorder.close()
      await proxy.close()
    }
  })

  it('an append whose connection goes silent is given up on after replyTimeoutMs, found stored, reported once', async () => {
    const proxy = await createProxy(Number(new URL(url).port))
    const recorder = through(proxy.port, freshSchema(), 'silent-append', { max: 3, replyTimeoutMs: 300 })
    try {
      await recorder.insertEvents([storedEvent('warm-up', 1)])
      proxy.silenceAfter('silenced-stream')
      const silenced = recorder.insertEvents([storedEvent('silenced-stream', 1)])
      await new Promise((resolve) => setTimeout(resolve, 50))
      const behind = recorder.insertEvents([storedEvent('behind', 1)]) // queued behind the silent write
      const [ids, other] = await Promise.all([silenced, behind])
      expect(proxy.lost()).toBe(1)
      expect(ids).toEqual([2])
      expect(other).toEqual([3])
      expect(await count(recorder, 'silenced-stream')).toBe(1)
    } finally {
      await recorder.close() // does not wait for the silent connection
      await proxy.close()
    }
  })

  it('a read whose connection goes silent is given up on after replyTimeoutMs and read again on a new one', async () => {
    const proxy = await createProxy(Number(new URL(url).port))
    const recorder = through(proxy.port, freshSchema(), 'silent-read', { max: 3, replyTimeoutMs: 300 })
    try {
      await recorder.insertEvents([storedEvent('quiet-stream', 1), storedEvent('other', 1)])
      expect(await recorder.selectEvents('other')).toHaveLength(1) // the reader's connection is open
      proxy.silenceAfter('quiet-stream')
      // The read goes out and nothing comes back on that connection; without a deadline it (and
      // every read queued behind it) would wait for TCP to give up.
      const [quiet, behind] = await Promise.all([
        recorder.selectEvents('quiet-stream'),
        recorder.selectEvents('other'),
      ])
      expect(proxy.lost()).toBe(1)
      expect(quiet.map((e) => e.version)).toEqual([1])
      expect(behind.map((e) => e.version)).toEqual([1])
      expect(await recorder.selectEvents('other')).toHaveLength(1)
    } finally {
      await recorder.close()
      await proxy.close()
    }
  })

  it('the first call after its sessions were terminated succeeds (reads and appends)', async () => {
    const recorder = createPostgresRecorder({
      url,
      schema: freshSchema(),
      applicationName: 'killed-idle',
      max: 3,
    })
    await recorder.insertEvents([storedEvent('s', 1)])
    await Promise.all([recorder.maxNotificationId(), recorder.selectEvents('s'), recorder.maxTrackingId('x')])
    expect(await kill('killed-idle')).toBeGreaterThan(0)
    expect((await recorder.selectEvents('s')).length).toBe(1)
    expect(await kill('killed-idle')).toBeGreaterThan(0)
    expect(await recorder.insertEvents([storedEvent('s', 2)])).toEqual([2])
    await recorder.close()
  })

  it('sessions killed again and again during appends: every append acknowledged, each stored once', async () => {
    const recorder = createPostgresRecorder({
      url,
      schema: freshSchema(),
      applicationName: 'killed-busy',
      max: 4,
    })
    await recorder.maxNotificationId() // the tables are in place before the killing starts
    let killing = true
    let kills = 0
    const killer = (async () => {
      while (killing) {
        kills += await kill('killed-busy')
        await new Promise((resolve) => setTimeout(resolve, 40))
      }
    })()
    const writers = Array.from({ length: 8 }, async (_, w) => {
      const ids: number[] = []
      for (let v = 1; v <= 40; v++) ids.push(...(await recorder.insertEvents([storedEvent(`w${w}`, v)])))
      return ids
    })
    const acknowledged = (await Promise.all(writers)).flat()
    killing = false
    await killer
    expect(kills).toBeGreaterThan(0)
    expect(new Set(acknowledged).size).toBe(8 * 40)
    const log = await recorder.selectNotifications(1, 10_000)
    expect(log.map((n) => n.id)).toEqual(Array.from({ length: 8 * 40 }, (_, i) => i + 1))
    expect([...acknowledged].sort((a, b) => a - b)).toEqual(log.map((n) => n.id))
    for (let w = 0; w < 8; w++)
      expect((await recorder.selectEvents(`w${w}`)).map((e) => e.version)).toEqual(
        Array.from({ length: 40 }, (_, i) => i + 1),
      )
    await recorder.close()
  }, 60_000)
})
