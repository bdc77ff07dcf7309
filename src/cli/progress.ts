// Progress of a long job on stderr: a bar with the rate and ETA on a terminal (cli-progress), plain
// lines otherwise (logs, CI) — one when it has moved, at most once a second, and the last at the end —
// nothing with --no-progress.

import { Presets, SingleBar } from 'cli-progress'

/** Reports how far a job has come: `done` of `total` units. */
export interface Progress {
  /** Moves to `done`; `total` grows when the job finds more to do than it knew. */
  update(done: number, total?: number): void
  /** Ends the report (the bar stays on screen, at its last value). */
  stop(): void
}

/** How to report: where to, and whether the stream is a terminal. */
export interface ProgressOptions {
  readonly label: string
  readonly unit: string
  readonly total: number
  readonly done?: number
  /** False: report nothing. */
  readonly enabled?: boolean
  readonly stream?: NodeJS.WriteStream
  /** The least time between two plain lines, the last one aside (default 1,000 ms). */
  readonly everyMs?: number
}

/** Seconds as "1h02m", "3m05s" or "12s". */
export const formatSeconds = (seconds: number): string => {
  const s = Math.max(0, Math.round(seconds))
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${s}s`
}

/** Starts reporting the progress of a job. */
export const createProgress = (options: ProgressOptions): Progress => {
  const stream = options.stream ?? process.stderr
  if (options.enabled === false) return { update: () => {}, stop: () => {} }
  return stream.isTTY ? barProgress(options, stream) : lineProgress(options, stream)
}

const barProgress = (options: ProgressOptions, stream: NodeJS.WriteStream): Progress => {
  const bar = new SingleBar(
    {
      format: `${options.label} |{bar}| {percentage}% | {value}/{total} ${options.unit} | {rate}/s | ETA {eta_formatted}`,
      stream,
      hideCursor: true,
      etaBuffer: 50,
      fps: 10,
      barsize: 30,
    },
    Presets.shades_classic,
  )
  const start = Date.now()
  const first = options.done ?? 0
  const rate = (done: number) => {
    const seconds = (Date.now() - start) / 1000
    return seconds > 0 ? Math.round((done - first) / seconds) : 0
  }
  bar.start(Math.max(options.total, first), first, { rate: 0 })
  let total = Math.max(options.total, first)
  return {
    update: (done, more) => {
      if (more !== undefined && more > total) {
        total = more
        bar.setTotal(total)
      }
      bar.update(done, { rate: rate(done) })
    },
    stop: () => bar.stop(),
  }
}

const lineProgress = (options: ProgressOptions, stream: NodeJS.WriteStream): Progress => {
  const everyMs = options.everyMs ?? 1000
  const start = Date.now()
  const first = options.done ?? 0
  let total = Math.max(options.total, first)
  let done = first
  let last = 0
  let written = '' // the count of the last line: a line that would repeat it is not written
  const write = () => {
    if (`${done}/${total}` === written) return
    written = `${done}/${total}`
    last = Date.now()
    const seconds = (last - start) / 1000
    const rate = seconds > 0 ? (done - first) / seconds : 0
    const percent = total === 0 ? 100 : Math.floor((done / total) * 100)
    const eta = rate > 0 ? `, ETA ${formatSeconds((total - done) / rate)}` : ''
    stream.write(
      `${options.label}: ${done}/${total} ${options.unit} (${percent}%)` +
        (seconds >= 1 ? `, ${Math.round(rate)}/s${eta}` : '') +
        '\n',
    )
  }
  write()
  return {
    update: (value, more) => {
      done = value
      if (more !== undefined) total = Math.max(total, more)
      total = Math.max(total, done)
      if (Date.now() - last >= everyMs) write()
    },
    stop: () => write(),
  }
}
