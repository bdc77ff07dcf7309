// Checks of log readers shared by the memory and PostgreSQL suites.

import { type Batch, createNotificationLog, follow } from 'eventfold/log'
import type { Recorder } from 'eventfold/store'
import { expect } from 'vitest'
import { storedEvent } from '../../src/testing/index.js'

/** Follows a log while `writer` appends `count` events in small steps; returns the ids read. */
export const followWhileWriting = async (
  reader: Recorder,
  writer: Recorder,
  count: number,
  pollMs: number,
): Promise<number[]> => {
  const controller = new AbortController()
  const seen: number[] = []
  const following = (async () => {
    for await (const batch of follow(createNotificationLog(reader), {
      batchSize: 7,
      pollMs,
      signal: controller.signal,
    })) {
      seen.push(...batch.notifications.map((n) => n.id))
      expect(batch.position).toBe(seen.at(-1))
      if (seen.length >= count) controller.abort()
    }
  })()
  for (let i = 0; i < count; i += 3) {
    await writer.insertEvents(
      [0, 1, 2]
        .filter((j) => i + j < count)
        .map((j) => storedEvent(`s${(i + j) % 5}`, Math.floor((i + j) / 5) + 1)),
    )
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
  await following
  return seen
}

/** Collects the batches of a log that is not being written, until caught up. */
export const drain = async (
  recorder: Recorder,
  options: { readonly types?: readonly string[]; readonly after?: number },
) => {
  const controller = new AbortController()
  const batches: Batch[] = []
  const max = await recorder.maxNotificationId()
  for await (const batch of follow(createNotificationLog(recorder), {
    ...options,
    batchSize: 2,
    pollMs: 5,
    signal: controller.signal,
  })) {
    batches.push(batch)
    if (batch.position >= max) controller.abort()
  }
  return batches
}
