// The ordering guarantee: a reader tailing the log while a writer is held inside its transaction
// (after its insert, before its commit) delivers every event once, in strictly increasing ids.
// The same scenario on a naive table (ids from a sequence, no lock) shows the skip it prevents.

import { randomUUID } from 'node:crypto'
import { createPostgresRecorder, type PostgresRecorder } from 'eventfold/store/postgres'
import { afterAll, describe, expect, it } from 'vitest'
import { appendStatement } from '../../src/store/postgres/schema.js'
import { storedEvent } from '../../src/testing/index.js'
import { databaseUrl, freshSchema, skipPostgres } from '../support/postgres.js'

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Tails a log from id 1 by polling `read(after)` until `count` events arrived or `until()` says stop. */
const tail = async (read: (after: number) => Promise<number[]>, count: number, stopped: () => boolean) => {
  const seen: number[] = []
  let position = 0
  for (let rounds = 0; seen.length < count && rounds < 4000; rounds++) {
    for (const id of await read(position)) {
      seen.push(id)
      position = id
    }
    if (stopped() && seen.length < count) {
      // one last read after everything committed: whatever is still missing was skipped for good
      for (const id of await read(position)) seen.push(id)
      break
    }
    await pause(5)
  }
  return seen
}

describe.skipIf(skipPostgres)('PostgreSQL ordering under a stalled writer', () => {
  const recorders: PostgresRecorder[] = []
  afterAll(async () => {
    for (const r of recorders) await r.close()
  })

  it('delivers every event once, in strictly increasing ids, while a writer stalls before commit', async () => {
    const recorder = createPostgresRecorder({ url: databaseUrl ?? '', schema: freshSchema() })
    recorders.push(recorder)
    await recorder.insertEvents([storedEvent('before', 1)])
    const { sql, names } = recorder

    const stalled = await sql.reserve()
    await stalled`begin`
    const data = Buffer.from('{}')
    await stalled.unsafe(appendStatement(names, true), [
      '{stalled}',
      '{1}',
      '{Stalled}',
      '{1}',
      data,
      `{${data.length}}`,
      `{${randomUUID()}}`,
      '{}',
      '{}',
      '{NULL}',
    ] as never[])
    let committed = false
    const others = Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        recorder.insertEvents([storedEvent(`other-${i}`, 1), storedEvent(`other-${i}`, 2)]),
      ),
    )
    const reader = tail(
      async (after) => (await recorder.selectNotifications(after + 1, 100)).map((n) => n.id),
      1 + 1 + 12,
      () => committed,
    )

    await pause(300)
    // While the stalled writer holds the log lock, nobody else can number (and so commit) events.
    expect(await recorder.maxNotificationId()).toBe(1)
    await stalled`commit`
    stalled.release()
    const ids = await others
    committed = true

    const seen = await reader
    expect(seen).toEqual(Array.from({ length: 14 }, (_, i) => i + 1))
    const stalledEvent = (await recorder.selectNotifications(1, 100)).find((n) => n.streamId === 'stalled')
    expect(stalledEvent?.id).toBe(2)
    expect(Math.min(...ids.flat())).toBe(3)
  })

  it('keeps ids gap-free and complete when several processes (recorders with their own pools) append at once', async () => {
    const schema = freshSchema()
    const processes = [0, 1, 2].map(() => createPostgresRecorder({ url: databaseUrl ?? '', schema, max: 4 }))
    recorders.push(...processes)
    await processes[0]?.maxNotificationId()
    const perWriter = 40
    await Promise.all(
      processes.flatMap((recorder, p) =>
        [0, 1, 2, 3].map(async (w) => {
          for (let v = 1; v <= perWriter; v++) {
            await recorder.insertEvents([storedEvent(`p${p}-w${w}`, v)])
            await recorder.insertEvents([storedEvent('shared', v)]).catch(() => undefined)
          }
        }),
      ),
    )
    const reader = processes[0] as PostgresRecorder
    const log = await reader.selectNotifications(1, 10_000)
    const total = 3 * 4 * perWriter + perWriter
    expect(log.map((n) => n.id)).toEqual(Array.from({ length: total }, (_, i) => i + 1))
    expect((await reader.selectEvents('shared')).map((e) => e.version)).toEqual(
      Array.from({ length: perWriter }, (_, i) => i + 1),
    )
  })

  it('a naive design (ids from a sequence, no lock) makes the same reader skip the late commit', async () => {
    const recorder = createPostgresRecorder({ url: databaseUrl ?? '', schema: freshSchema() })
    recorders.push(recorder)
    const { sql } = recorder
    const table = sql(`naive_${Date.now().toString(36)}`)
    await sql`create table ${table} (id bigserial primary key, stream_id text not null)`
    const insert = (stream: string) => sql`insert into ${table} (stream_id) values (${stream})`

    await insert('before')
    const stalled = await sql.reserve()
    await stalled`begin`
    await stalled`insert into ${table} (stream_id) values ('stalled')`
    let committed = false
    const reader = tail(
      async (after) =>
        (await sql<{ id: string }[]>`select id from ${table} where id > ${after} order by id limit 100`).map(
          (r) => Number(r.id),
        ),
      1 + 1 + 6,
      () => committed,
    )
    for (let i = 0; i < 6; i++) await insert(`other-${i}`)
    await pause(300)
    await stalled`commit`
    stalled.release()
    committed = true

    const seen = await reader
    expect(seen).not.toContain(2)
    expect(seen.length).toBe(7)
    await sql`drop table ${table}`
  })
})
