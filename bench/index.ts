// `npm run bench`: prints throughput and latency figures; it asserts nothing.
// PostgreSQL figures need DATABASE_URL (eval "$(npm run -s db:up)").

import { createKeyring, createMapper, generateKey, parseKey } from 'eventfold/store'
import { coldStart } from './cold-start.js'
import { coreBenchmarks } from './core.js'
import { importCosts } from './import.js'
import { print, type Row } from './measure.js'
import { dogSchoolWorkload, loadLongStream } from './memory.js'
import { postgresBenchmarks } from './postgres.js'
import { processBenchmarks } from './processes.js'
import { projectionBenchmarks } from './projections.js'
import { sqliteBenchmarks } from './sqlite.js'

console.log(`eventfold benchmarks — node ${process.version}, ${new Date().toISOString()}`)
// BENCH=core runs the core-path rows alone (BENCH_LONG=0 leaves out the 1,000,000-event stream).
if (process.env.BENCH === 'core') {
  print(await coreBenchmarks(process.env.DATABASE_URL))
  process.exit(0)
}
// BENCH=projections runs the read-side rows alone.
if (process.env.BENCH === 'projections') {
  const url = process.env.DATABASE_URL
  if (!url) throw new Error('the projection benchmarks need DATABASE_URL')
  print(await projectionBenchmarks(url))
  process.exit(0)
}
const rows: Row[] = [...importCosts(), ...(await coldStart(process.env.DATABASE_URL))]
await dogSchoolWorkload(1_000) // warm-up
const plain = await dogSchoolWorkload()
rows.push(plain)
const keyring = createKeyring(parseKey(generateKey()))
const sealed = await dogSchoolWorkload(
  10_000,
  createMapper({ keyring, compression: 'gzip' }),
  ', AES-GCM + gzip',
)
rows.push(sealed, {
  name: 'memory: AES-GCM + gzip as a ratio of plain',
  value: sealed.value / plain.value,
  unit: '×',
})
rows.push(...(await loadLongStream()))
rows.push(...(await coreBenchmarks(process.env.DATABASE_URL)))
rows.push(...(await sqliteBenchmarks()))
const url = process.env.DATABASE_URL
if (url)
  rows.push(
    ...(await postgresBenchmarks(url)),
    ...(await processBenchmarks(url)),
    ...(await projectionBenchmarks(url)),
  )
else console.log('(PostgreSQL benchmarks skipped: set DATABASE_URL, e.g. eval "$(npm run -s db:up)")')
print(rows)
