// Work done only while holding a lease: acquire it (retrying transient failures), work until the
// signal aborts or the lease is lost, release it, and try again — what keeps one instance of a
// follower or a projection active across processes.

import { EventfoldError } from '../codec/index.js'
import { grantsLeases, isTransient, type Lease } from '../store/index.js'
import { backoffMs, sleep } from './follower.js'

/** Releases a lease; a transient failure is ignored, as the lease then ends by its time to live. */
const release = (lease: Lease): Promise<void> =>
  lease.release().catch((error: unknown) => {
    if (!isTransient(error)) throw error
  })

/**
 * Runs `work` whenever the lease `name` of `grantor` is held, until `signal` aborts: `work` gets a
 * signal that also aborts when the lease is lost; the lease is released when `work` returns (at
 * once when `signal` had aborted while it was being acquired). `what` names the work in errors.
 */
export const whileLeased = async (
  grantor: object | undefined,
  name: string,
  what: string,
  signal: AbortSignal,
  pollMs: number,
  work: (signal: AbortSignal) => Promise<void>,
): Promise<void> => {
  if (!grantor || !grantsLeases(grantor))
    throw new EventfoldError('InvalidConfiguration', `the store of ${what} grants no leases`)
  let failures = 0
  while (!signal.aborted) {
    let lease: Lease | undefined
    try {
      lease = await grantor.acquireLease(name)
      failures = 0
    } catch (error) {
      if (!isTransient(error)) throw error
      await sleep(backoffMs(failures++), signal)
      continue
    }
    if (!lease) {
      await sleep(pollMs, signal)
      continue
    }
    const lost = new AbortController()
    void lease.lost.then(() => lost.abort())
    try {
      await work(AbortSignal.any([signal, lost.signal]))
    } finally {
      await release(lease)
    }
  }
}
