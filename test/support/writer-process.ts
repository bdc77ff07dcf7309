// A writer process for multi-process tests and benchmarks: an application on PostgreSQL executing
// deposits, reporting each outcome as a JSON line on stdout.
//   WRITER_MODE=hot     WRITER_COUNT commands, WRITER_CONCURRENCY at a time, all on one account
//   WRITER_MODE=spread  WRITER_COUNT commands one at a time, each on a new account (open)
//   WRITER_MODE=loop    one command at a time on its own accounts, until stdin closes
// It reports {ready} and starts when it reads "go" on stdin, so that processes start together.

import { createInterface } from 'node:readline'
import { application } from 'eventfold/application'
import { isEventfoldError } from 'eventfold/codec'
import { createPostgresRecorder } from 'eventfold/store/postgres'
import { accounts } from './instances-model.js'

const env = process.env
const name = env.WRITER_NAME ?? `w${process.pid}`
const app = application({
  name: 'bank',
  aggregates: [accounts],
  recorder: createPostgresRecorder({
    url: env.DATABASE_URL ?? '',
    schema: env.WRITER_SCHEMA ?? 'public',
    prefix: 'bank_',
    applicationName: env.WRITER_APP ?? 'eventfold-writer',
    max: 2,
  }),
})

const report = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`)

/** Runs one command and reports it: ok with the time, or the error's code. */
const attempt = async (action: () => Promise<unknown>): Promise<boolean> => {
  try {
    await action()
    report({ ok: true, at: Date.now() })
    return true
  } catch (error) {
    report({ error: isEventfoldError(error) ? error.code : String(error), at: Date.now() })
    return false
  }
}

const input = createInterface({ input: process.stdin })
let open = true
input.on('close', () => {
  open = false
})
report({ ready: true })
await new Promise<void>((resolve) => input.once('line', () => resolve()))

const count = Number(env.WRITER_COUNT ?? 100)
const mode = env.WRITER_MODE ?? 'spread'
if (mode === 'hot') {
  await app.execute(accounts, 'hot', { type: 'Open' }).catch(() => undefined)
  const concurrency = Number(env.WRITER_CONCURRENCY ?? 25)
  let left = count
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) await attempt(() => app.execute(accounts, 'hot', { type: 'Deposit', amount: 1 }))
    }),
  )
} else if (mode === 'spread') {
  for (let i = 0; i < count; i++)
    await attempt(() => app.execute(accounts, `${name}-${i}`, { type: 'Open' }, { expectNew: true }))
} else {
  for (let i = 0; open; i++) {
    const command = i < 50 ? ({ type: 'Open' } as const) : ({ type: 'Deposit', amount: 1 } as const)
    await attempt(() => app.execute(accounts, `${name}-${i % 50}`, command))
  }
}
report({ done: true })
await app.close()
input.close()
process.stdin.destroy()
