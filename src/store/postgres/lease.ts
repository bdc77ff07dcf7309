// Leases across processes, in a table: a holder's row expires after a time to live unless it renews
// it. A holder that stops renewing (frozen, cut off) loses its lease, and another takes over; the
// server's clock decides expiry, so the processes' clocks need not agree. Works through poolers.

import type postgres from 'postgres'
import { newEventId } from '../event-id.js'
import type { Lease } from '../lease.js'
import type { Names } from './schema.js'

/** Runs a query, retrying transient failures, with errors translated. */
type Run = <T>(action: () => Promise<T>) => Promise<T>

/** Creates the lease grantor of a recorder; `releaseAll` ends every lease it holds (on close). */
export const createPostgresLeases = (sql: postgres.Sql, names: Names, run: Run, ttlMs: number) => {
  const held = new Set<() => Promise<void>>()
  const interval = `${ttlMs} milliseconds`

  const acquireLease = async (name: string): Promise<Lease | undefined> => {
    const holder = newEventId()
    const sent = performance.now()
    const rows = await run(
      () => sql`
        insert into ${sql.unsafe(names.leases)} (name, holder, expires_at)
        values (${name}, ${holder}, now() + ${interval}::interval)
        on conflict (name) do update set holder = excluded.holder, expires_at = excluded.expires_at
        where ${sql.unsafe(names.leases)}.expires_at < now() or ${sql.unsafe(names.leases)}.holder = excluded.holder
        returning holder`,
    )
    // A retry after a lost reply finds its own row (same holder): the lease is still granted.
    if (rows.length === 0) return undefined
    // The lease is surely ours until ttl after the request was sent (the server counts from later).
    let deadline = sent + ttlMs
    let markLost: () => void = () => {}
    const lost = new Promise<void>((resolve) => {
      markLost = resolve
    })
    let released = false
    /** Stops renewing; `lost` settles only when the lease ends without `release`. */
    const end = () => {
      clearInterval(heartbeat)
      held.delete(release)
      if (!released) markLost()
    }
    const renew = async () => {
      if (released) return
      const asked = performance.now()
      if (asked >= deadline) return end() // frozen or cut off past the time to live: someone may hold it now
      try {
        const renewed = await sql`
          update ${sql.unsafe(names.leases)} set expires_at = now() + ${interval}::interval
          where name = ${name} and holder = ${holder}`
        if (renewed.count === 1) deadline = asked + ttlMs
        else end() // another holder took it (this one was frozen past its time)
      } catch {
        // A failed renewal is retried at the next beat; past the deadline the lease is given up.
      }
      if (!released && performance.now() >= deadline) end()
    }
    const heartbeat = setInterval(() => void renew(), Math.max(50, Math.floor(ttlMs / 4)))
    heartbeat.unref()
    const release = async (): Promise<void> => {
      if (released) return
      released = true
      end()
      await sql`delete from ${sql.unsafe(names.leases)} where name = ${name} and holder = ${holder}`.catch(
        () => undefined,
      )
    }
    held.add(release)
    return { name, lost, release }
  }

  return {
    acquireLease,
    releaseAll: async (): Promise<void> => {
      for (const release of [...held]) await release()
    },
  }
}
