// A child process for the durable projection tests: runs the ledger projection over the bank's log on
// PostgreSQL or a SQLite file, and reports on stdout, one JSON object a line, each batch's commit as
// it is sent and once it is done, and each lease it tries for, gets or loses. It stops on a "stop"
// line (or when stdin ends) — unless a test's SIGKILL finds it first, wherever it is.
// Configuration: PROJECTION_PROCESS = {"store": "postgres", "url", "schema", "leaseTtlMs"?} or
// {"store": "sqlite", "path"}, with "batchSize", "pollMs" and "lease".

import { createInterface } from 'node:readline'
import { isEventfoldError } from 'eventfold/codec'
import { createDocumentProjection, type ProjectionStore } from 'eventfold/runners'
import type { Lease } from 'eventfold/store'
import { createPostgresRecorder, type PostgresRecorder } from 'eventfold/store/postgres'
import { createSqliteRecorder, type SqliteRecorder } from 'eventfold/store/sqlite'
import { bank, ledger } from './ledger.js'

/** What a projection process reports. */
export type ProjectionReport =
  | { readonly e: 'started'; readonly pid: number }
  | { readonly e: 'commit' | 'committed'; readonly from: number; readonly to: number }
  | { readonly e: 'lease'; readonly got: boolean }
  | { readonly e: 'lost' }
  | { readonly e: 'error'; readonly error: string }
  | { readonly e: 'stopped' }

/** How a projection process is configured. */
export type ProjectionProcessConfig = (
  | {
      readonly store: 'postgres'
      readonly url: string
      readonly schema: string
      readonly leaseTtlMs?: number
      /** Its connections' application_name, by which a test sees them end after a kill. */
      readonly applicationName?: string
    }
  | { readonly store: 'sqlite'; readonly path: string }
) & { readonly batchSize: number; readonly pollMs: number; readonly lease: boolean }

const config = JSON.parse(process.env.PROJECTION_PROCESS ?? '{}') as ProjectionProcessConfig

const report = (message: ProjectionReport): void => {
  // Synchronous on a pipe (Linux): a line is out before the next step begins.
  process.stdout.write(`${JSON.stringify(message)}\n`)
}

const recorder: PostgresRecorder | SqliteRecorder =
  config.store === 'postgres'
    ? createPostgresRecorder({
        url: config.url,
        schema: config.schema,
        ...(config.applicationName ? { applicationName: config.applicationName } : {}),
        max: 3,
        ...(config.leaseTtlMs ? { leaseTtlMs: config.leaseTtlMs } : {}),
      })
    : createSqliteRecorder({ path: config.path })

/** The recorder as the projection's store, reporting commits and leases. */
const store: ProjectionStore = {
  ...recorder,
  commitProjection: async (projection, batch) => {
    report({ e: 'commit', from: batch.from, to: batch.to })
    await recorder.commitProjection(projection, batch)
    report({ e: 'committed', from: batch.from, to: batch.to })
  },
  acquireLease: async (name: string): Promise<Lease | undefined> => {
    const lease = await recorder.acquireLease(name)
    report({ e: 'lease', got: lease !== undefined })
    if (!lease) return undefined
    let releasing = false
    void lease.lost.then(() => releasing || report({ e: 'lost' }))
    return {
      ...lease,
      release: () => {
        releasing = true
        return lease.release()
      },
    }
  },
}

const app = bank(recorder)
const projection = createDocumentProjection({
  source: app,
  projection: ledger(),
  store,
  batchSize: config.batchSize,
})
const controller = new AbortController()
const running = projection
  .run(controller.signal, { pollMs: config.pollMs, lease: config.lease })
  .catch((error) => {
    report({ e: 'error', error: isEventfoldError(error) ? `${error.code}: ${error.message}` : String(error) })
    process.exit(1)
  })
report({ e: 'started', pid: process.pid })

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  controller.abort()
  await running
  await app.close()
  report({ e: 'stopped' })
  process.exit(0)
}
const lines = createInterface({ input: process.stdin })
lines.on('line', (line) => {
  if (line.trim() === 'stop') void stop()
})
lines.on('close', () => void stop())
