// The PostgreSQL projection recorder: the projection conformance suite directly, through PgBouncer
// (transaction mode) and as a role that can create nothing; field rows, SQL projections, big batches, schema v3.

import type { JsonValue } from 'eventfold/codec'
import type { DocumentChange } from 'eventfold/store'
import {
  applyMigrations,
  createPostgresRecorder,
  migrate,
  namesOf,
  type PostgresRecorder,
  schemaVersion,
} from 'eventfold/store/postgres'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { projectionConformance } from '../../src/testing/index.js'
import {
  databaseUrl,
  freshSchema,
  pgbouncerUrl,
  restrictedRole,
  restrictedUrl,
  skipPgbouncer,
  skipPostgres,
  skipRestricted,
} from '../support/postgres.js'

const direct = (schema = freshSchema()): PostgresRecorder =>
  createPostgresRecorder({ url: databaseUrl ?? '', schema, max: 4 })

describe.skipIf(skipPostgres)('PostgreSQL projection conformance', () => {
  for (const c of projectionConformance(() => direct())) it(c.name, c.run)
})

describe.skipIf(skipPgbouncer)(
  'PostgreSQL projection conformance through PgBouncer (transaction mode)',
  () => {
    for (const c of projectionConformance(() =>
      createPostgresRecorder({
        url: pgbouncerUrl ?? '',
        schema: freshSchema(),
        transactionPooling: true,
        max: 4,
      }),
    ))
      it(c.name, c.run)
  },
)

describe.skipIf(skipRestricted)('PostgreSQL projection conformance as a role that can create nothing', () => {
  let owner: postgres.Sql
  beforeAll(() => {
    owner = postgres(databaseUrl ?? '', { max: 2, onnotice: () => {} })
  })
  afterAll(() => owner?.end())
  const migrated = async (): Promise<string> => {
    const schema = freshSchema()
    await applyMigrations(owner, namesOf(schema, 'eventfold_'), restrictedRole)
    return schema
  }
  for (const c of projectionConformance(async () =>
    createPostgresRecorder({
      url: restrictedUrl ?? '',
      schema: await migrated(),
      createTables: false,
      max: 4,
    }),
  ))
    it(c.name, c.run)
})

const v1 = { name: 'orders', version: 1 }
const put = (key: string, n: number, fields?: Record<string, string>): DocumentChange => ({
  _tag: 'Put',
  document: {
    key,
    type: 'Order',
    schemaVersion: 1,
    data: { n, note: 'a "quoted" \\ {brace}, ü 🙂' },
    ...(fields ? { fields } : {}),
  },
})

describe.skipIf(skipPostgres)('PostgreSQL projections', () => {
  it('commit a batch of 5,000 changes in one call, and read them back', async () => {
    const recorder = direct()
    await recorder.registerProjection(v1)
    const keys = Array.from({ length: 5_000 }, (_, i) => `order-${String(i).padStart(5, '0')}`)
    const changes = keys.map((key, i) =>
      put(key, i, { parity: i % 2 ? 'odd' : 'even', tens: String(i % 10) }),
    )
    await recorder.commitProjection(v1, { from: 0, to: 5_000, changes })
    const all = await recorder.readDocuments('orders', 1, {})
    expect(all?.documents.map((d) => d.key)).toEqual(keys)
    expect(all?.documents[4_999]).toEqual(
      changes[4_999]?._tag === 'Put' ? changes[4_999].document : undefined,
    )
    const odd = await recorder.readDocuments('orders', 1, { where: { field: 'parity', value: 'odd' } })
    expect(odd?.documents.length).toBe(2_500)
    const found = await recorder.selectDocuments(v1, keys)
    expect(found.size).toBe(5_000)
    expect((await recorder.selectProjections('orders'))[0]?.position).toBe(5_000)
    await recorder.close()
  })

  it('apply the last change of a key that appears several times in a batch', async () => {
    const recorder = direct()
    await recorder.registerProjection(v1)
    await recorder.commitProjection(v1, {
      from: 0,
      to: 1,
      changes: [
        put('a', 1, { colour: 'red' }),
        { _tag: 'Delete', key: 'a' },
        put('b', 1, { colour: 'red' }),
        { _tag: 'Delete', key: 'b' },
        put('b', 2, { colour: 'blue' }),
      ],
    })
    const read = await recorder.readDocuments('orders', 1, {})
    expect(read?.documents.map((d) => [d.key, d.fields])).toEqual([['b', { colour: 'blue' }]])
    expect(
      (await recorder.readDocuments('orders', 1, { where: { field: 'colour', value: 'red' } }))?.documents,
    ).toEqual([])
    await recorder.close()
  })

  it('keep each document’s field rows as its fields: changed, removed, deleted, put again', async () => {
    const recorder = direct()
    await recorder.registerProjection(v1)
    const rows = async () =>
      (
        await recorder.sql.unsafe<{ key: string; field: string; value: string }[]>(
          `select key, field, value from ${recorder.names.documentFields} order by key, field`,
        )
      ).map((r) => `${r.key}.${r.field}=${r.value}`)
    const colour = (value: string) => ({ where: { field: 'colour', value } })
    await recorder.commitProjection(v1, {
      from: 0,
      to: 1,
      changes: [put('a', 1, { colour: 'red', size: 'L' }), put('b', 1, { colour: 'red' }), put('c', 1, {})],
    })
    expect(await rows()).toEqual(['a.colour=red', 'a.size=L', 'b.colour=red'])
    await recorder.commitProjection(v1, {
      from: 1,
      to: 2,
      changes: [put('a', 2, { colour: 'blue' }), { _tag: 'Delete', key: 'b' }, put('c', 2, { size: 'S' })],
    })
    expect(await rows()).toEqual(['a.colour=blue', 'c.size=S'])
    expect((await recorder.readDocuments('orders', 1, colour('red')))?.documents).toEqual([])
    await recorder.commitProjection(v1, {
      from: 2,
      to: 3,
      changes: [put('b', 3, { colour: 'red' }), put('a', 3)],
    })
    expect(await rows()).toEqual(['b.colour=red', 'c.size=S'])
    const read = await recorder.readDocuments('orders', 1, {})
    expect(read?.documents.map((d) => [d.key, d.fields])).toEqual([
      ['a', undefined],
      ['b', { colour: 'red' }],
      ['c', { size: 'S' }],
    ])
    expect((await recorder.selectDocuments(v1, ['c'])).get('c')?.fields).toEqual({ size: 'S' })
    expect(
      (await recorder.readDocuments('orders', 1, { keys: ['c', 'b', 'a'], ...colour('red') }))?.documents.map(
        (d) => d.key,
      ),
    ).toEqual(['b'])
    await recorder.close()
  })

  it('refuse data jsonb cannot store as InvalidArgument, and keep a dead letter whose message has a NUL', async () => {
    const recorder = direct()
    await recorder.registerProjection(v1)
    const bad = (data: JsonValue): DocumentChange => ({
      _tag: 'Put',
      document: { key: 'k', type: 'Order', schemaVersion: 1, data },
    })
    for (const data of [{ s: 'a\u0000b' }, ['\ud800'], { 'k\u0000': 1 }])
      await expect(
        recorder.commitProjection(v1, { from: 0, to: 1, changes: [bad(data)] }),
      ).rejects.toMatchObject({
        code: 'InvalidArgument',
      })
    // Escaped look-alikes and surrogate pairs are fine.
    await recorder.commitProjection(v1, { from: 0, to: 1, changes: [bad({ s: '\\u0000 \\ud800 🙂' })] })
    expect((await recorder.selectDocuments(v1, ['k'])).get('k')?.data).toEqual({ s: '\\u0000 \\ud800 🙂' })
    const letter = { notificationId: 2, streamId: 's', version: 1, code: 'DecodeError', message: 'at \u0000' }
    await recorder.commitProjection(v1, { from: 1, to: 2, deadLetters: [letter] })
    expect((await recorder.selectDeadLetters(v1)).map((l) => l.message)).toEqual(['at \uFFFD'])
    await recorder.close()
  })

  it('come with schema version 3: a database at version 2 is migrated to it', async () => {
    const schema = freshSchema()
    await migrate({ url: databaseUrl ?? '', schema })
    const n = namesOf(schema, 'eventfold_')
    const owner = postgres(databaseUrl ?? '', { max: 1, onnotice: () => {} })
    await owner.unsafe(`DROP TABLE ${n.projections}, ${n.documents}, ${n.documentFields}, ${n.deadLetters};
      DELETE FROM ${n.versions} WHERE version = 3`)
    expect(await schemaVersion(owner, n)).toBe(2)
    await owner.end()
    expect(await migrate({ url: databaseUrl ?? '', schema })).toMatchObject({ from: 2, to: 3 })
    const recorder = direct(schema)
    await recorder.registerProjection(v1)
    await recorder.commitProjection(v1, { from: 0, to: 1, changes: [put('a', 1)] })
    expect((await recorder.readDocuments('orders', 1, {}))?.documents.map((d) => d.key)).toEqual(['a'])
    await recorder.close()
  })

  it('drop a version whose batch is in flight: the drop waits for it, then deletes what it stored', async () => {
    const recorder = direct()
    await recorder.registerProjection(v1)
    let release = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    let moved = () => {}
    const holding = new Promise<void>((resolve) => {
      moved = resolve
    })
    const batch = recorder.commitSqlProjection(v1, { from: 0, to: 1, changes: [put('a', 1)] }, () => {
      moved() // the position's row is locked by the batch from here until it commits
      return gate
    })
    await holding
    const dropped = recorder.dropProjection(v1)
    const waiting = async () => {
      const [row] = await recorder.sql<{ n: number }[]>`
        select count(*)::int as n from pg_stat_activity
        where wait_event_type = 'Lock' and query like ${`%DELETE FROM ${recorder.names.projections}%`}`
      return (row?.n ?? 0) > 0
    }
    for (let tries = 0; !(await waiting()) && tries < 500; tries++)
      await new Promise((r) => setTimeout(r, 10))
    expect(await waiting()).toBe(true)
    release()
    await batch
    await dropped
    expect(await recorder.selectProjections('orders')).toEqual([])
    const [row] = await recorder.sql<{ n: number }[]>`
      select count(*)::int as n from ${recorder.sql.unsafe(recorder.names.documents)}`
    expect(row?.n).toBe(0)
    await recorder.close()
  })

  it('read by keys in the order asked, and page by key in byte order', async () => {
    const recorder = direct()
    await recorder.registerProjection(v1)
    await recorder.commitProjection(v1, {
      from: 0,
      to: 1,
      changes: ['b', 'B', 'a', 'ä'].map((k, i) => put(k, i)),
    })
    const byKeys = await recorder.readDocuments('orders', 1, { keys: ['ä', 'a', 'x', 'B'] })
    expect(byKeys?.documents.map((d) => d.key)).toEqual(['ä', 'a', 'B'])
    const paged = await recorder.readDocuments('orders', 1, { after: 'B', limit: 2 })
    expect(paged?.documents.map((d) => d.key)).toEqual(['a', 'b'])
    expect((await recorder.readDocuments('orders', 1, { limit: 0 }))?.documents).toEqual([])
    await recorder.close()
  })
})

const viaPgbouncer = (): PostgresRecorder =>
  createPostgresRecorder({ url: pgbouncerUrl ?? '', schema: freshSchema(), transactionPooling: true, max: 4 })

describe.skipIf(skipPostgres)('PostgreSQL SQL projections', () => {
  const ways = [
    ['directly', direct, false],
    ['through PgBouncer', viaPgbouncer, skipPgbouncer],
  ] as const
  for (const [via, make, skip] of ways) {
    it.skipIf(skip)(`${via}: commit its own writes in the transaction that moves its position`, async () => {
      const recorder = make()
      const table = `${recorder.names.schema}.totals`
      await recorder.registerProjection(v1)
      await recorder.sql.unsafe(`create table ${table} (k text primary key, n int not null)`)
      await recorder.commitSqlProjection(v1, { from: 0, to: 2 }, (tx) =>
        tx.unsafe(`insert into ${table} values ('a', 1)`),
      )
      // A batch from a position that moved: TrackingConflict, and its writes never ran.
      let ran = false
      await expect(
        recorder.commitSqlProjection(v1, { from: 0, to: 3 }, async () => {
          ran = true
        }),
      ).rejects.toMatchObject({ code: 'TrackingConflict' })
      expect(ran).toBe(false)
      // The projection's own failure rolls the position back and reaches the caller as thrown.
      const own = new Error('bad row')
      await expect(
        recorder.commitSqlProjection(v1, { from: 2, to: 3 }, async (tx) => {
          await tx.unsafe(`insert into ${table} values ('b', 2)`)
          throw own
        }),
      ).rejects.toBe(own)
      // A failing statement of its own is a typed error, and rolls back too.
      await expect(
        recorder.commitSqlProjection(v1, { from: 2, to: 3 }, (tx) =>
          tx.unsafe(`insert into ${table} values ('a', 9)`),
        ),
      ).rejects.toMatchObject({ code: 'DatabaseError', context: { sqlState: '23505' } })
      expect(await recorder.sql.unsafe(`select k, n from ${table} order by k`)).toEqual([{ k: 'a', n: 1 }])
      expect((await recorder.selectProjections('orders'))[0]?.position).toBe(2)
      await recorder.close()
    })
  }
})
