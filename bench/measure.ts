// Timing helpers for the benchmarks: they print figures and assert nothing.

import { performance } from 'node:perf_hooks'

/** One printed figure. */
export interface Row {
  readonly name: string
  readonly value: number
  readonly unit: string
  /** The figure before a change, printed beside this one. */
  readonly before?: number
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

const figure = (value: number): string =>
  value >= 100 ? Math.round(value).toLocaleString('en') : value.toFixed(2)

/** Prints rows as an aligned table (with the figure before, where a row has one). */
export const print = (rows: readonly Row[]): void => {
  const width = Math.max(...rows.map((r) => r.name.length))
  const units = Math.max(...rows.map((r) => r.unit.length))
  for (const r of rows) {
    const before = r.before === undefined ? '' : `  (before: ${figure(r.before)})`
    console.log(`${r.name.padEnd(width)}  ${figure(r.value).padStart(10)} ${r.unit.padEnd(units)}${before}`)
  }
}
