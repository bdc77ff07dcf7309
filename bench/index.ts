// `npm run bench`: prints throughput and latency figures; it asserts nothing.

import { print, type Row } from './measure.js'
import { dogSchoolWorkload, loadLongStream } from './memory.js'

console.log(`eventfold benchmarks — node ${process.version}, ${new Date().toISOString()}`)
const rows: Row[] = []
await dogSchoolWorkload(1_000) // warm-up
rows.push(await dogSchoolWorkload())
rows.push(...(await loadLongStream()))
print(rows)
