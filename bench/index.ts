// `npm run bench`: prints throughput and latency figures; it asserts nothing.
// PostgreSQL figures need DATABASE_URL (eval "$(npm run -s db:up)").

import { print, type Row } from './measure.js'
import { dogSchoolWorkload, loadLongStream } from './memory.js'
import { postgresBenchmarks } from './postgres.js'
import { sqliteBenchmarks } from './sqlite.js'

console.log(`eventfold benchmarks — node ${process.version}, ${new Date().toISOString()}`)
const rows: Row[] = []
await dogSchoolWorkload(1_000) // warm-up
rows.push(await dogSchoolWorkload())
rows.push(...(await loadLongStream()))
rows.push(...(await sqliteBenchmarks()))
const url = process.env.DATABASE_URL
if (url) rows.push(...(await postgresBenchmarks(url)))
else console.log('(PostgreSQL benchmarks skipped: set DATABASE_URL, e.g. eval "$(npm run -s db:up)")')
print(rows)
