// Turns per stream: commands for one stream run one after another in this process, so that they
// never conflict with each other (those of other processes still meet optimistic concurrency).

/** Runs tasks in turn per key; tasks of different keys run concurrently. */
export interface StreamQueues {
  run<T>(key: string, task: () => Promise<T>): Promise<T>
}

/** Creates an empty set of queues; a key's queue is dropped when its last task ends. */
export const createStreamQueues = (): StreamQueues => {
  // The tasks waiting for each key that has one running (null: one running, none waiting yet).
  const waiting = new Map<string, (() => void)[] | null>()
  const next = (key: string): void => {
    const start = waiting.get(key)?.shift()
    if (start) start()
    else waiting.delete(key)
  }
  const runNow = async <T>(key: string, task: () => Promise<T>): Promise<T> => {
    try {
      return await task()
    } finally {
      next(key)
    }
  }
  return {
    run: <T>(key: string, task: () => Promise<T>): Promise<T> => {
      let queue = waiting.get(key)
      if (queue === undefined) {
        waiting.set(key, null)
        return runNow(key, task)
      }
      if (queue === null) {
        queue = []
        waiting.set(key, queue)
      }
      const waiters = queue
      return new Promise<T>((resolve, reject) => {
        waiters.push(() => {
          runNow(key, task).then(resolve, reject)
        })
      })
    },
  }
}
