// Leases: at most one holder of a name at a time — one active instance of a follower across the
// processes that run a system. The memory and SQLite recorders lease within their process;
// PostgreSQL leases across processes with a session advisory lock.

/** A held lease; `lost` settles if it ends without `release` (its connection died, say). */
export interface Lease {
  readonly name: string
  readonly lost: Promise<void>
  /** Gives the lease up, so that another holder may take it at once. */
  release(): Promise<void>
}

/** Grants leases by name. */
export interface LeaseRecorder {
  /** The lease, or undefined when another holder has it. */
  acquireLease(name: string): Promise<Lease | undefined>
}

/** Leases held in this process. */
export const createLocalLeases = (): LeaseRecorder => {
  const held = new Set<string>()
  return {
    acquireLease: async (name) => {
      if (held.has(name)) return undefined
      held.add(name)
      let released = false
      return {
        name,
        lost: new Promise<void>(() => {}),
        release: async () => {
          if (released) return
          released = true
          held.delete(name)
        },
      }
    },
  }
}

/** True when a recorder grants leases. */
export const grantsLeases = <R extends object>(recorder: R): recorder is R & LeaseRecorder =>
  typeof (recorder as Partial<LeaseRecorder>).acquireLease === 'function'
