// Leases across processes: a session advisory lock held on a connection reserved for it, checked
// by a heartbeat; the server releases it if the process or its connection dies.

import type postgres from 'postgres'
import type { Lease } from '../lease.js'
import type { Run } from './append.js'

const HEARTBEAT_MS = 5000

/** Creates the lease grantor of a recorder; `releaseAll` ends every lease it holds (on close). */
export const createPostgresLeases = (sql: postgres.Sql, namespace: string, run: Run) => {
  const held = new Set<() => Promise<void>>()

  const acquireLease = async (name: string): Promise<Lease | undefined> => {
    const key = `${namespace}/${name}`
    const connection = await run(() => sql.reserve())
    let granted = false
    try {
      const [row] = await run(
        () => connection<{ ok: boolean }[]>`select pg_try_advisory_lock(hashtextextended(${key}, 0)) as ok`,
      )
      granted = row?.ok === true
    } finally {
      if (!granted) connection.release()
    }
    if (!granted) return undefined
    let markLost: () => void = () => {}
    const lost = new Promise<void>((resolve) => {
      markLost = resolve
    })
    const heartbeat = setInterval(() => {
      connection`select 1`.catch(() => {
        clearInterval(heartbeat)
        markLost()
      })
    }, HEARTBEAT_MS)
    heartbeat.unref()
    let released = false
    const release = async (): Promise<void> => {
      if (released) return
      released = true
      held.delete(release)
      clearInterval(heartbeat)
      await connection`select pg_advisory_unlock(hashtextextended(${key}, 0))`.catch(() => undefined)
      connection.release()
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
