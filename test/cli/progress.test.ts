// Progress as plain lines (no terminal): one when the count has moved, at most once a second, and
// the last at the end — never the same count twice, however slow the job is between its updates.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createProgress } from '../../src/cli/progress.js'

/** A stream that is not a terminal, keeping what is written. */
const capture = () => {
  const lines: string[] = []
  const stream = { isTTY: false, write: (text: string) => lines.push(text) } as unknown as NodeJS.WriteStream
  return { lines, stream }
}

const counts = (lines: readonly string[]) => lines.map((line) => /: (\d+\/\d+) /.exec(line)?.[1])

describe('progress on a stream that is not a terminal', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('writes no count twice when updates come seconds apart, nor again at the end', () => {
    const { lines, stream } = capture()
    const progress = createProgress({ label: 'p v1', unit: 'notifications', total: 16, stream })
    vi.advanceTimersByTime(1500) // a slow start: the first read comes late
    progress.update(0)
    vi.advanceTimersByTime(1500)
    progress.update(16)
    vi.advanceTimersByTime(1500)
    progress.update(16) // the stored position, read after the catch-up
    progress.stop()
    expect(counts(lines)).toEqual(['0/16', '16/16'])
  })

  it('writes at most once a second while it moves, and the last count at the end', () => {
    const { lines, stream } = capture()
    const progress = createProgress({ label: 'p v1', unit: 'notifications', total: 100, stream })
    for (let done = 10; done <= 100; done += 10) {
      vi.advanceTimersByTime(400)
      progress.update(done)
    }
    progress.stop()
    expect(counts(lines)).toEqual(['0/100', '30/100', '60/100', '90/100', '100/100'])
    expect(lines.at(-1)).toMatch(/^p v1: 100\/100 notifications \(100%\), 25\/s, ETA 0s\n$/)
  })
})
