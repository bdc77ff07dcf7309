// The raw-driver baseline of the multi-process benchmark: one process, single-row insert
// transactions into a table shaped like eventfold's (notification ids from a sequence, no read of
// the stream first: a new stream, as eventfold's writers declare with expectNew), reporting
// as test/support/writer-process.ts does.

import { createInterface } from 'node:readline'
import postgres from 'postgres'

const env = process.env
const sql = postgres(env.DATABASE_URL ?? '', { max: 2, onnotice: () => {} })
const table = sql(env.RAW_TABLE ?? 'bench_raw')
const name = env.WRITER_NAME ?? 'w'
const report = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`)
const input = createInterface({ input: process.stdin })
report({ ready: true })
await new Promise<void>((resolve) => input.once('line', () => resolve()))
const data = Buffer.from('{"trick":"roll over"}')
const ordered = env.RAW_ORDERED === '1'
for (let i = 0; i < Number(env.WRITER_COUNT ?? 100); i++) {
  if (ordered)
    // The same guarantee as eventfold's (ids gap-free, visible in commit order): a lock, then max + 1.
    await sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtext(${env.RAW_TABLE ?? 'bench_raw'}))`
      await tx`insert into ${table} (notification_id, stream_id, version, type, schema_version, data)
        values ((select coalesce(max(notification_id), 0) + 1 from ${table}), ${`${name}-${i}`}, 1, 'Opened', 1, ${data})`
    })
  else
    await sql`insert into ${table} (stream_id, version, type, schema_version, data)
      values (${`${name}-${i}`}, 1, 'Opened', 1, ${data})`
  report({ ok: true, at: Date.now() })
}
report({ done: true })
await sql.end()
input.close()
process.stdin.destroy()
