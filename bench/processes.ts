// Many processes over one PostgreSQL database, the serverless shape: 8 OS processes with one
// writer each, through eventfold and through the raw driver, alternating, medians of 3; and a hot
// stream written by 4 processes × 25 concurrent commands (how many fail with the default settings).

import { fileURLToPath } from 'node:url'
import postgres from 'postgres'
import { startWriters } from '../test/support/writers.js'
import { median, type Row } from './measure.js'

const rawScript = fileURLToPath(new URL('./raw-writer.ts', import.meta.url))

/** Runs `processes` writers to the end; events per second from "go" to the last success. */
const rate = async (run: ReturnType<typeof startWriters>): Promise<{ rate: number; failed: number }> => {
  await run.ready()
  const start = Date.now()
  run.go()
  const lines = await run.all()
  const oks = lines.filter((l) => l.ok)
  const end = Math.max(...oks.map((l) => l.at ?? start))
  return { rate: (oks.length / (end - start)) * 1000, failed: lines.filter((l) => l.error).length }
}

export const processBenchmarks = async (url: string, processes = 8, each = 2_000): Promise<Row[]> => {
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  const raws: number[] = []
  const ordered: number[] = []
  const ours: number[] = []
  for (let round = 0; round < 3; round++) {
    const table = `bench_raw_procs_${Date.now().toString(36)}`
    await sql.unsafe(`create table ${table} (notification_id bigserial primary key, stream_id text not null,
      version bigint not null, type text not null, schema_version integer not null, data bytea not null,
      recorded_at timestamptz not null default now(), unique (stream_id, version))`)
    const env = { DATABASE_URL: url, WRITER_COUNT: String(each) }
    raws.push((await rate(startWriters(processes, { ...env, RAW_TABLE: table }, rawScript))).rate)
    await sql.unsafe(`truncate ${table}`)
    ordered.push(
      (await rate(startWriters(processes, { ...env, RAW_TABLE: table, RAW_ORDERED: '1' }, rawScript))).rate,
    )
    await sql.unsafe(`drop table ${table}`)
    const schema = `bench_procs_${Date.now().toString(36)}`
    ours.push(
      (await rate(startWriters(processes, { ...env, WRITER_SCHEMA: schema, WRITER_MODE: 'spread' }))).rate,
    )
    await sql.unsafe(`drop schema ${schema} cascade`)
  }
  const hotSchema = `bench_hot_${Date.now().toString(36)}`
  const hot = await rate(
    startWriters(4, { DATABASE_URL: url, WRITER_SCHEMA: hotSchema, WRITER_MODE: 'hot', WRITER_COUNT: '25' }),
  )
  await sql.unsafe(`drop schema ${hotSchema} cascade`)
  await sql.end()
  const [raw, mine] = [median(raws), median(ours)]
  return [
    {
      name: `postgres: raw driver, ${processes} processes × 1 writer, single-insert transactions, median of 3`,
      value: raw,
      unit: 'events/s',
    },
    {
      name: `postgres: raw driver, ${processes} processes × 1 writer, ids in commit order (lock, max + 1), median of 3`,
      value: median(ordered),
      unit: 'events/s',
    },
    {
      name: `postgres: eventfold, ${processes} processes × 1 writer (expectNew), median of 3`,
      value: mine,
      unit: 'events/s',
    },
    { name: `postgres: ${processes} processes as a ratio of the raw driver`, value: mine / raw, unit: '×' },
    {
      name: 'postgres: one stream, 4 processes × 25 concurrent commands',
      value: hot.rate,
      unit: 'commands/s',
    },
    {
      name: 'postgres: one stream, 4 processes × 25 concurrent commands: failed',
      value: hot.failed,
      unit: 'commands',
    },
  ]
}
