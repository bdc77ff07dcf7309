// follow() under injected faults: a log whose reads fail now and then (a fault injection around the
// memory recorder's log, not a mock of a database) — transient failures pass, permanent ones stop it.

import { EventfoldError } from 'eventfold'
import { createNotificationLog, follow, type NotificationLog } from 'eventfold/log'
import { createMemoryRecorder } from 'eventfold/store'
import { describe, expect, it } from 'vitest'
import { storedEvent } from '../../src/testing/index.js'

/** A log whose next `failures.length` reads (select, maxId) throw the given errors, one each. */
const faulty = (log: NotificationLog, failures: EventfoldError[]): NotificationLog => {
  const next = <T>(read: () => Promise<T>): Promise<T> => {
    const failure = failures.shift()
    return failure ? Promise.reject(failure) : read()
  }
  return {
    ...log,
    select: (start, limit, options) => next(() => log.select(start, limit, options)),
    maxId: () => next(() => log.maxId()),
  }
}

const dropped = () => new EventfoldError('ConnectionError', 'injected: the connection dropped')

/** A recorder holding `count` events, and its log. */
const filled = async (count: number) => {
  const recorder = createMemoryRecorder()
  await recorder.insertEvents(Array.from({ length: count }, (_, i) => storedEvent('s', i + 1)))
  return createNotificationLog(recorder)
}

/** Follows until `count` ids were seen; returns them. */
const collect = async (log: NotificationLog, count: number, types?: readonly string[]) => {
  const stop = new AbortController()
  const seen: number[] = []
  for await (const batch of follow(log, {
    batchSize: 3,
    pollMs: 5,
    signal: stop.signal,
    ...(types ? { types } : {}),
  })) {
    seen.push(...batch.notifications.map((n) => n.id))
    if (seen.length >= count) stop.abort()
  }
  return seen
}

describe('follow() under faults', () => {
  it('rides out transient read failures and goes on from the same position, each id once', async () => {
    const log = await filled(10)
    const seen = await collect(faulty(log, [dropped(), dropped()]), 10)
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
  })

  it('rides out a transient failure in the middle, between batches', async () => {
    const failures: EventfoldError[] = []
    const log = faulty(await filled(9), failures)
    const stop = new AbortController()
    const seen: number[] = []
    for await (const batch of follow(log, { batchSize: 3, pollMs: 5, signal: stop.signal })) {
      seen.push(...batch.notifications.map((n) => n.id))
      failures.push(dropped(), new EventfoldError('LockTimeout', 'injected'))
      if (seen.length >= 9) stop.abort()
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])
  })

  it('rides out a transient failure of the type-filtered scan (maxId)', async () => {
    const log = await filled(4)
    expect(await collect(faulty(log, [dropped()]), 4, ['Happened'])).toEqual([1, 2, 3, 4])
  })

  it('ends with the typed error when retrying cannot cure it', async () => {
    const log = faulty(await filled(3), [dropped(), new EventfoldError('PermissionDenied', 'injected')])
    const failed = collect(log, 3).catch((error: unknown) => error)
    expect(await failed).toMatchObject({ code: 'PermissionDenied' })
    const login = new EventfoldError('ConnectionError', 'injected: login refused', { permanent: true })
    expect(await collect(faulty(await filled(1), [login]), 1).catch((e: unknown) => e)).toBe(login)
  })

  it('ends promptly when aborted while it waits to retry', async () => {
    const log = await filled(1)
    const failing: NotificationLog = { ...log, select: () => Promise.reject(dropped()) }
    const stop = new AbortController()
    const iterating = (async () => {
      for await (const _ of follow(failing, { signal: stop.signal })) throw new Error('nothing can be read')
      return 'ended'
    })()
    setTimeout(() => stop.abort(), 200)
    expect(await iterating).toBe('ended')
  })

  it('subscribes again after a transient failure to subscribe', async () => {
    const log = await filled(2)
    let refused = 1
    const flaky: NotificationLog = {
      ...log,
      subscribe: (listener) => (refused-- > 0 ? Promise.reject(dropped()) : log.subscribe(listener)),
    }
    expect(await collect(flaky, 2)).toEqual([1, 2])
  })
})
