// Starts writer processes (writer-process.ts) and collects what they report.

import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

/** One reported outcome: a success, an error code, or the end. */
export interface Line {
  readonly ok?: true
  readonly error?: string
  readonly done?: true
  readonly ready?: true
  readonly at?: number
}

/** A running writer process and what it has reported so far. */
export interface Writer {
  readonly child: ChildProcess
  readonly lines: Line[]
  readonly done: Promise<void>
}

const writerScript = fileURLToPath(new URL('./writer-process.ts', import.meta.url))
const root = fileURLToPath(new URL('../..', import.meta.url))

/** Spawns `count` writers with `env`; they start together on `go()`, and `stop()` closes their input. */
export const startWriters = (count: number, env: Record<string, string>, script = writerScript) => {
  const writers: Writer[] = Array.from({ length: count }, (_, i) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: root,
      env: { ...process.env, WRITER_NAME: `w${i}`, ...env },
      stdio: ['pipe', 'pipe', 'inherit'],
    })
    const lines: Line[] = []
    createInterface({ input: child.stdout as NonNullable<typeof child.stdout> }).on('line', (line) =>
      lines.push(JSON.parse(line) as Line),
    )
    const done = new Promise<void>((resolve, reject) => {
      child.on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`writer ${i} exited with ${code}`)),
      )
    })
    return { child, lines, done }
  })
  return {
    writers,
    /** Resolves when every writer is ready to go (imports done, connected lazily on the first command). */
    ready: async () => {
      while (!writers.every((w) => w.lines.some((l) => l.ready)))
        await new Promise((resolve) => setTimeout(resolve, 10))
    },
    go: () => {
      for (const w of writers) w.child.stdin?.write('go\n')
    },
    stop: () => {
      for (const w of writers) w.child.stdin?.end()
    },
    kill: () => {
      for (const w of writers) w.child.kill('SIGKILL')
    },
    all: async () => {
      await Promise.all(writers.map((w) => w.done))
      return writers.flatMap((w) => w.lines)
    },
  }
}
