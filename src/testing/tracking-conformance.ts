// The tracking checks of the recorder conformance suite: what makes a process application's work
// exactly once — tracking rows written with the events, ranges of a batch, conflicts, the list.

import { deepStrictEqual, equal, ok } from 'node:assert/strict'
import type { Recorder, StoredEvent } from '../store/index.js'
import { type ConformanceCase, storedEvent as ev, rejectsWith } from './conformance.js'

const versions = (events: readonly StoredEvent[]) => events.map((e) => e.version)

/** The tracking checks, made with the suite's `check`. */
export const trackingChecks = (
  check: (name: string, run: (recorder: Recorder) => Promise<void>) => ConformanceCase,
): readonly ConformanceCase[] => [
  check('a tracking row is written with the events, and a repeated one records nothing', async (r) => {
    const tracking = { upstream: 'orders', notificationId: 7 }
    equal(await r.maxTrackingId('orders'), 0)
    await r.insertEvents([ev('x', 1)], { tracking })
    equal(await r.maxTrackingId('orders'), 7)
    ok(await r.hasTracking('orders', 7))
    ok(!(await r.hasTracking('orders', 6)))
    await rejectsWith('TrackingConflict', () => r.insertEvents([ev('x', 2)], { tracking }))
    deepStrictEqual(versions(await r.selectEvents('x')), [1])
    await r.insertEvents([], { tracking: { upstream: 'orders', notificationId: 9 } })
    equal(await r.maxTrackingId('orders'), 9)
    equal(await r.maxTrackingId('other'), 0)
    await r.insertEvents([], { tracking: { upstream: 'accounts', notificationId: 3 } })
    deepStrictEqual(await r.selectTrackers(), [
      { upstream: 'accounts', notificationId: 3 },
      { upstream: 'orders', notificationId: 9 },
    ])
  }),
  check(
    'a tracking with `after` records every notification of the batch; an overlapping one fails whole',
    async (r) => {
      await r.insertEvents([ev('x', 1)], { tracking: { upstream: 'orders', notificationId: 5, after: 2 } })
      for (const id of [3, 4, 5]) ok(await r.hasTracking('orders', id), `${id} is tracked`)
      ok(!(await r.hasTracking('orders', 2)))
      equal(await r.maxTrackingId('orders'), 5)
      await rejectsWith('TrackingConflict', () =>
        r.insertEvents([ev('x', 2)], { tracking: { upstream: 'orders', notificationId: 8, after: 4 } }),
      )
      await rejectsWith('TrackingConflict', () =>
        r.insertEvents([ev('x', 2)], { tracking: { upstream: 'orders', notificationId: 3, after: 0 } }),
      )
      deepStrictEqual(versions(await r.selectEvents('x')), [1])
      equal(await r.maxTrackingId('orders'), 5)
      await r.insertEvents([ev('x', 2)], { tracking: { upstream: 'orders', notificationId: 8, after: 5 } })
      ok(await r.hasTracking('orders', 6))
      equal(await r.maxTrackingId('orders'), 8)
      await rejectsWith('InvalidArgument', () =>
        r.insertEvents([], { tracking: { upstream: 'orders', notificationId: 9, after: 9 } }),
      )
      await rejectsWith('InvalidArgument', () =>
        r.insertEvents([], { tracking: { upstream: 'orders', notificationId: 20_001, after: 0 } }),
      )
    },
  ),
  check('a tracking row is not written when the events conflict', async (r) => {
    await r.insertEvents([ev('x', 1)])
    await rejectsWith('ConcurrencyError', () =>
      r.insertEvents([ev('x', 1)], { tracking: { upstream: 'u', notificationId: 1 } }),
    )
    ok(!(await r.hasTracking('u', 1)))
    equal(await r.maxTrackingId('u'), 0)
  }),
]
