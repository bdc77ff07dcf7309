// Group commit: appends that arrive while a write is in flight go out together in the next one.

/** Microtask turns a write waits for more callers before it takes its group. */
const JOIN_TURNS = 32

/** One caller's atomic batch, waiting to be written. */
export interface Pending<T, R> {
  readonly item: T
  readonly size: number
  readonly resolve: (result: R) => void
  readonly reject: (error: unknown) => void
}

/** Submits batches; `idle()` resolves when nothing is waiting or in flight. */
export interface GroupCommit<T, R> {
  submit(item: T, size: number): Promise<R>
  idle(): Promise<void>
}

/**
 * Creates a group committer. `write` gets the waiting batches in arrival order and settles each one;
 * at most `writers` writes are in flight, each with at most `maxSize` units (a batch larger than
 * that goes alone). A write lets a few microtask turns pass before it takes its group, so that
 * callers woken together (by the previous write, say) go out together.
 */
export const createGroupCommit = <T, R>(
  write: (group: readonly Pending<T, R>[]) => Promise<void>,
  options: {
    readonly writers: number
    readonly maxSize: number
    /** After this long a write stops counting against `writers`: the batches behind it go out on their own. */
    readonly stallMs?: number
    /** After this long the callers of a write still in flight are given up on with `timedOut()`. */
    readonly deadlineMs?: number
    readonly timedOut?: () => unknown
  },
): GroupCommit<T, R> => {
  const queue: Pending<T, R>[] = []
  let inFlight = 0
  // Writes in flight for longer than stallMs (a connection that hangs, say) stop counting against
  // `writers`, so that the appends queued behind them go out on another connection.
  let stalled = 0
  let whenIdle: (() => void) | undefined
  let idlePromise: Promise<void> | undefined

  const take = (): Pending<T, R>[] => {
    const group: Pending<T, R>[] = []
    let size = 0
    while (queue.length > 0) {
      const next = queue[0] as Pending<T, R>
      if (group.length > 0 && size + next.size > options.maxSize) break
      group.push(next)
      size += next.size
      queue.shift()
    }
    return group
  }

  /** A few microtask turns, which cost a lone caller next to nothing. */
  const letJoin = async (): Promise<void> => {
    for (let turn = 0; turn < JOIN_TURNS; turn++) await undefined
  }

  const drain = async (): Promise<void> => {
    inFlight += 1
    try {
      // Let callers that are already on their way (woken together by the last write, say) join this
      // group — and, after each write, the callers it just settled: without that, the batches that
      // queued during the write would go out alone, and writers that fell out of step (one read
      // first, say) would stay in two halves that take turns, each commit carrying half of them.
      for (;;) {
        await letJoin()
        const group = take()
        if (group.length === 0) break
        let stall: ReturnType<typeof setTimeout> | undefined
        let isStalled = false
        if (options.stallMs !== undefined) {
          stall = setTimeout(() => {
            isStalled = true
            stalled += 1
            if (queue.length > 0 && inFlight - stalled < options.writers) void drain()
          }, options.stallMs)
          stall.unref?.()
        }
        // A write with no answer (a connection cut off without a word) must not hold its callers for
        // ever: they are told its outcome is unknown, and settling them later changes nothing.
        const deadline =
          options.deadlineMs === undefined
            ? undefined
            : setTimeout(() => {
                const error = options.timedOut?.() ?? new Error('no reply')
                for (const pending of group) pending.reject(error)
              }, options.deadlineMs)
        deadline?.unref?.()
        try {
          await write(group)
        } catch (error) {
          for (const pending of group) pending.reject(error)
        } finally {
          clearTimeout(stall)
          clearTimeout(deadline)
          if (isStalled) stalled -= 1
        }
        if (isStalled) break
      }
    } finally {
      inFlight -= 1
      if (inFlight === 0 && queue.length === 0) {
        whenIdle?.()
        whenIdle = undefined
        idlePromise = undefined
      }
    }
  }

  return {
    submit: (item, size) =>
      new Promise<R>((resolve, reject) => {
        queue.push({ item, size, resolve, reject })
        if (inFlight - stalled < options.writers) void drain()
      }),
    idle: () => {
      if (inFlight === 0 && queue.length === 0) return Promise.resolve()
      idlePromise ??= new Promise<void>((resolve) => {
        whenIdle = resolve
      })
      return idlePromise
    },
  }
}
