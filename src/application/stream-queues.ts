// Turns per stream: commands for one stream run one after another in this process, so that they
// never conflict with each other (those of other processes still meet optimistic concurrency).

/** Runs tasks in turn per key; tasks of different keys run concurrently. */
export interface StreamQueues {
  run<T>(key: string, task: () => Promise<T>): Promise<T>
}

/** Creates an empty set of queues; a key's queue is dropped when its last task ends. */
export const createStreamQueues = (): StreamQueues => {
  const tails = new Map<string, Promise<void>>()
  return {
    run: <T>(key: string, task: () => Promise<T>): Promise<T> => {
      const previous = tails.get(key)
      const result = previous ? previous.then(task) : task()
      const tail = result.then(
        () => undefined,
        () => undefined,
      )
      tails.set(key, tail)
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key)
      })
      return result
    },
  }
}
