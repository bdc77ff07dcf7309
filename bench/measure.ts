// Timing helpers for the benchmarks: they print figures and assert nothing.

import { performance } from 'node:perf_hooks'

/** One printed figure. */
export interface Row {
  readonly name: string
  readonly value: number
  readonly unit: string
}

/** Seconds taken by `action`. */
export const time = async (action: () => Promise<void>): Promise<number> => {
  const start = performance.now()
  await action()
  return (performance.now() - start) / 1000
}

/** The median of some numbers. */
export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

/** Prints rows as an aligned table. */
export const print = (rows: readonly Row[]): void => {
  const width = Math.max(...rows.map((r) => r.name.length))
  for (const r of rows) {
    const value = r.value >= 100 ? Math.round(r.value).toLocaleString('en') : r.value.toFixed(2)
    console.log(`${r.name.padEnd(width)}  ${value.padStart(10)} ${r.unit}`)
  }
}
