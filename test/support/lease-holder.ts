// A child process for the lease tests: runs the shop system's followers with leases on two
// PostgreSQL schemas and reports on stdout, one JSON object a line, the leases it acquires, loses and
// releases. It stops on a "stop" line (or when stdin ends), then reports its followers' stats.
// Configuration: LEASE_HOLDER = {"url", "orders", "reservations", "leaseTtlMs", "pollMs"}.

import { createInterface } from 'node:readline'
import { createRunner } from 'eventfold/runners'
import type { Lease } from 'eventfold/store'
import { createPostgresRecorder, type PostgresRecorder } from 'eventfold/store/postgres'
import { createShop, shop } from '../../examples/shop/shop.js'

/** What the test process learns from a lease holder. */
export type HolderReport =
  | { readonly event: 'started'; readonly pid: number }
  | { readonly event: 'acquired' | 'lost' | 'released'; readonly lease: string }
  | { readonly event: 'error'; readonly follower: string; readonly error: string }
  | { readonly event: 'stats'; readonly stats: Record<string, { processed: number; skipped: number }> }

const config = JSON.parse(process.env.LEASE_HOLDER ?? '{}') as {
  url: string
  orders: string
  reservations: string
  leaseTtlMs: number
  pollMs: number
}

const report = (message: HolderReport): void => {
  process.stdout.write(`${JSON.stringify(message)}\n`)
}

/** Reports what becomes of the leases a recorder grants: acquired, lost (without release), released. */
const reported = (lease: Lease): Lease => {
  let releasing = false
  report({ event: 'acquired', lease: lease.name })
  void lease.lost.then(() => {
    if (!releasing) report({ event: 'lost', lease: lease.name })
  })
  return {
    name: lease.name,
    lost: lease.lost,
    release: async () => {
      releasing = true
      await lease.release()
      report({ event: 'released', lease: lease.name })
    },
  }
}

const recorder = (schema: string): PostgresRecorder => {
  const inner = createPostgresRecorder({ url: config.url, schema, max: 4, leaseTtlMs: config.leaseTtlMs })
  return {
    ...inner,
    acquireLease: async (name) => {
      const lease = await inner.acquireLease(name)
      return lease && reported(lease)
    },
  }
}

const parts = createShop({ orders: recorder(config.orders), reservations: recorder(config.reservations) })
const runner = createRunner(shop, parts, {
  onError: (error, follower) =>
    report({
      event: 'error',
      follower: `${follower.upstream} -> ${follower.downstream}`,
      error: String(error),
    }),
})
runner.start({ lease: true, pollMs: config.pollMs })
report({ event: 'started', pid: process.pid })

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  await runner.close()
  const stats = Object.fromEntries(
    runner.followers.map((f) => [`${f.upstream} -> ${f.downstream}`, f.stats()]),
  )
  report({ event: 'stats', stats })
  process.exit(0)
}
const lines = createInterface({ input: process.stdin })
lines.on('line', (line) => {
  if (line.trim() === 'stop') void stop()
})
lines.on('close', () => void stop())
