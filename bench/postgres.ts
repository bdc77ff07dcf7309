// PostgreSQL benchmarks: the dog-school workload through eventfold, and the same inserts done
// directly with the `postgres` package (one event per transaction, same row shape) as the baseline.

import { application } from 'eventfold/application'
import { createKeyring, createMapper, generateKey, parseKey } from 'eventfold/store'
import { createPostgresRecorder } from 'eventfold/store/postgres'
import postgres from 'postgres'
import { median, type Row, time } from './measure.js'
import { concurrently, dogSchool, dogs } from './workload.js'

const schema = (label: string): string => `bench_${label}_${Date.now().toString(36)}`

/** The raw driver: single-row insert transactions into a table shaped like ours. */
const rawBaseline = async (url: string, total: number, writers: number): Promise<number> => {
  const sql = postgres(url, { max: writers, onnotice: () => {} })
  const table = sql(`bench_raw_${Date.now().toString(36)}`)
  await sql`create table ${table} (notification_id bigserial primary key, stream_id text not null, version bigint not null,
    type text not null, schema_version integer not null, data bytea not null, recorded_at timestamptz not null default now(),
    unique (stream_id, version))`
  const mapper = createMapper()
  const rows = Array.from({ length: total }, (_, i) =>
    mapper.toStored(
      `dog-${Math.floor(i / 3)}`,
      (i % 3) + 1,
      dogs.codec.encode({ type: 'TrickAdded', trick: 'roll over' }),
    ),
  )
  const rate = await concurrently(total, writers, (i) => {
    const e = rows[i]
    if (!e) throw new Error('no row')
    return sql`insert into ${table} (stream_id, version, type, schema_version, data)
      values (${e.streamId}, ${e.version}, ${e.type}, ${e.schemaVersion}, ${Buffer.from(e.data)})`
  })
  await sql`drop table ${table}`
  await sql.end()
  return rate
}

export const postgresBenchmarks = async (url: string, count = 10_000): Promise<Row[]> => {
  const rows: Row[] = []
  let readSchema = ''
  // Raw and eventfold runs alternate, three of each, so that a checkpoint or autovacuum in the
  // middle of a run weighs on both; the figures are the medians.
  for (const writers of [1, 8]) {
    const raws: number[] = []
    const ours: number[] = []
    for (let round = 0; round < 3; round++) {
      raws.push(await rawBaseline(url, count * 3, writers))
      readSchema = schema(`w${writers}_${round}`)
      const recorder = createPostgresRecorder({ url, schema: readSchema, max: writers + 2 })
      const app = application({ name: 'bench', aggregates: [dogs], recorder })
      ours.push(await dogSchool(app, count, writers))
      await app.close()
    }
    const [raw, mine] = [median(raws), median(ours)]
    rows.push({
      name: `postgres: raw driver, single-insert transactions, ${writers} client(s), median of 3`,
      value: raw,
      unit: 'events/s',
    })
    rows.push({
      name: `postgres: dog-school workload (${count * 3} events), ${writers} writer(s), median of 3`,
      value: mine,
      unit: 'events/s',
    })
    rows.push({
      name: `postgres: ${writers} writer(s) as a ratio of the raw driver`,
      value: mine / raw,
      unit: '×',
    })
  }
  const keyring = createKeyring(parseKey(generateKey()))
  const sealedRecorder = createPostgresRecorder({ url, schema: schema('sealed'), max: 10 })
  const sealedApp = application({
    name: 'bench',
    aggregates: [dogs],
    recorder: sealedRecorder,
    mapper: createMapper({ keyring, compression: 'gzip' }),
  })
  const sealed = await dogSchool(sealedApp, count, 8)
  await sealedApp.close()
  const plainEight = rows.find(
    (r) => r.name.startsWith('postgres: dog-school') && r.name.includes('8 writer(s)'),
  )
  rows.push({
    name: 'postgres: dog-school workload, 8 writers, AES-GCM + gzip',
    value: sealed,
    unit: 'events/s',
  })
  rows.push({
    name: 'postgres: AES-GCM + gzip as a ratio of plain (8 writers)',
    value: sealed / (plainEight?.value ?? sealed),
    unit: '×',
  })
  const recorder = createPostgresRecorder({ url, schema: readSchema })
  let read = 0
  const seconds = await time(async () => {
    for (let start = 1; ; ) {
      const page = await recorder.selectNotifications(start, 1000)
      read += page.length
      if (page.length < 1000) break
      start = (page[page.length - 1]?.id ?? 0) + 1
    }
  })
  rows.push({
    name: `postgres: read the notification log in pages of 1,000 (${read} events)`,
    value: read / seconds,
    unit: 'events/s',
  })
  const sql = recorder.sql
  const schemas = await sql<
    { nspname: string }[]
  >`select nspname from pg_namespace where nspname like 'bench_%'`
  for (const { nspname } of schemas) await sql.unsafe(`drop schema "${nspname}" cascade`)
  await recorder.close()
  return rows
}
