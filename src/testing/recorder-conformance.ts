// The conformance suite every application recorder passes: three lines run it in any test runner —
//   for (const c of recorderConformance(createMyRecorder)) it(c.name, c.run)

import { deepStrictEqual, equal, ok } from 'node:assert/strict'
import type { Recorder, StoredEvent } from '../store/index.js'
import {
  type ConformanceCase,
  storedEvent as ev,
  type RecorderFactory,
  rejectsWith,
  withRecorder,
} from './conformance.js'
import { trackingChecks } from './tracking-conformance.js'

const plain = (events: readonly StoredEvent[]) =>
  events.map(({ streamId, version, type, schemaVersion, data }) => ({
    streamId,
    version,
    type,
    schemaVersion,
    data: [...data],
  }))

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

const versions = (events: readonly StoredEvent[]) => events.map((e) => e.version)

/** The checks of an application/process recorder: events, OCC, atomic batches, notifications, tracking. */
export const recorderConformance = (factory: RecorderFactory<Recorder>): readonly ConformanceCase[] => {
  const check = withRecorder(factory)
  return [
    check('an empty insert records nothing and returns no ids', async (r) => {
      deepStrictEqual(await r.insertEvents([]), [])
      equal(await r.maxNotificationId(), 0)
    }),
    check('a stream never written reads as empty', async (r) => {
      deepStrictEqual(await r.selectEvents('nobody'), [])
      deepStrictEqual(await r.selectNotifications(1, 10), [])
    }),
    check('events read back exactly as written', async (r) => {
      const events = [ev('s1', 1, 'Started', { a: 'ü' }), ev('s1', 2, 'Stopped', [1, 2])]
      deepStrictEqual(await r.insertEvents(events), [1, 2])
      deepStrictEqual(plain(await r.selectEvents('s1')), plain(events))
      deepStrictEqual(
        (await r.selectEvents('s1')).map((e) => e.id),
        [1, 2],
      )
    }),
    check('every event gets a unique UUID v7 event id, the same in its stream and in the log', async (r) => {
      await r.insertEvents([ev('s1', 1), ev('s2', 1)])
      await r.insertEvents([ev('s1', 2)])
      const inLog = (await r.selectNotifications(1, 10)).map((n) => n.eventId)
      const inStreams = [...(await r.selectEvents('s1')), ...(await r.selectEvents('s2'))]
      equal(new Set(inLog).size, 3)
      for (const id of inLog) ok(UUID_V7.test(String(id)), `${id} is a UUID v7`)
      deepStrictEqual(new Set(inStreams.map((e) => e.eventId)), new Set(inLog))
    }),
    check('an event id given is kept; one stored already fails the whole batch', async (r) => {
      const id = '01890a5d-ac96-774b-bcce-b302099a8057'
      await r.insertEvents([{ ...ev('s1', 1), eventId: id }])
      equal((await r.selectEvents('s1'))[0]?.eventId, id)
      const error = await rejectsWith('ConcurrencyError', () =>
        r.insertEvents([ev('s2', 1), { ...ev('s3', 1), eventId: id }]),
      )
      equal((error.context as { eventId?: string }).eventId, id)
      equal(await r.maxNotificationId(), 1)
      await rejectsWith('InvalidArgument', () => r.insertEvents([{ ...ev('s4', 1), eventId: 'not-a-uuid' }]))
      equal(await r.maxNotificationId(), 1)
    }),
    check(
      'metadata reads back as written, in its stream and in the log; each event has a record time',
      async (r) => {
        const metadata = {
          correlationId: 'c-1',
          causationId: 'e-0',
          actor: 'ada',
          n: 1,
          nested: { a: [1, 'ü', null] },
        }
        await r.insertEvents([{ ...ev('s1', 1), metadata }])
        await r.insertEvents([ev('s1', 2)])
        await r.insertEvents([{ ...ev('s2', 1), metadata }, ev('s2', 2)])
        deepStrictEqual(
          (await r.selectEvents('s2')).map((e) => e.metadata),
          [metadata, undefined],
        )
        for (const events of [await r.selectEvents('s1'), await r.selectNotifications(1, 10)]) {
          deepStrictEqual(
            events.slice(0, 2).map((e) => e.metadata),
            [metadata, undefined],
          )
        }
        for (const n of await r.selectNotifications(1, 10))
          ok(
            n.recordedAt instanceof Date && Number.isFinite(n.recordedAt.getTime()),
            'recordedAt is a valid Date',
          )
      },
    ),
    check('bad metadata is refused with a typed error and nothing is stored', async (r) => {
      const cycle: Record<string, unknown> = {}
      cycle.self = cycle
      const bad: unknown[] = [
        [],
        'text',
        { correlationId: 7 },
        { f: () => 1 },
        { when: new Date() },
        { n: Number.NaN },
        { nul: 'a\u0000b' }, // PostgreSQL's jsonb could not keep these: no store takes them
        { 'k\u0000': 1 },
        { lone: '\ud800' },
        cycle,
      ]
      for (const metadata of bad)
        await rejectsWith('InvalidArgument', () =>
          r.insertEvents([{ ...ev('s1', 1), metadata: metadata as Record<string, never> }]),
        )
      await rejectsWith('PayloadTooLarge', () =>
        r.insertEvents([{ ...ev('s1', 1), metadata: { big: 'x'.repeat(5000) } }]),
      )
      equal(await r.maxNotificationId(), 0)
    }),
    check('a version that exists fails with ConcurrencyError naming stream and version', async (r) => {
      await r.insertEvents([ev('s1', 1)])
      const error = await rejectsWith('ConcurrencyError', () => r.insertEvents([ev('s1', 1, 'Other')]))
      deepStrictEqual(
        [(error.context as { streamId: string }).streamId, (error.context as { version: number }).version],
        ['s1', 1],
      )
      deepStrictEqual(versions(await r.selectEvents('s1')), [1])
      equal((await r.selectEvents('s1'))[0]?.type, 'Happened')
    }),
    check('a batch across streams is atomic when one of them conflicts', async (r) => {
      await r.insertEvents([ev('b', 1)])
      await rejectsWith('ConcurrencyError', () =>
        r.insertEvents([ev('a', 1), ev('a', 2), ev('b', 1), ev('c', 1)]),
      )
      deepStrictEqual(await r.selectEvents('a'), [])
      deepStrictEqual(await r.selectEvents('c'), [])
      equal(await r.maxNotificationId(), 1)
      deepStrictEqual(await r.insertEvents([ev('a', 1), ev('c', 1)]), [2, 3])
    }),
    check('the same (stream, version) twice in one batch is a ConcurrencyError', async (r) => {
      await rejectsWith('ConcurrencyError', () => r.insertEvents([ev('s', 1), ev('s', 1)]))
      equal(await r.maxNotificationId(), 0)
    }),
    check('selectEvents honours after, upTo, backwards and limit', async (r) => {
      await r.insertEvents([1, 2, 3, 4, 5].map((v) => ev('s', v)))
      deepStrictEqual(versions(await r.selectEvents('s', { after: 2 })), [3, 4, 5])
      deepStrictEqual(versions(await r.selectEvents('s', { upTo: 2 })), [1, 2])
      deepStrictEqual(versions(await r.selectEvents('s', { after: 1, upTo: 4 })), [2, 3, 4])
      deepStrictEqual(versions(await r.selectEvents('s', { backwards: true })), [5, 4, 3, 2, 1])
      deepStrictEqual(versions(await r.selectEvents('s', { backwards: true, limit: 2 })), [5, 4])
      deepStrictEqual(versions(await r.selectEvents('s', { backwards: true, upTo: 3, limit: 2 })), [3, 2])
      deepStrictEqual(versions(await r.selectEvents('s', { after: 1, limit: 2 })), [2, 3])
      deepStrictEqual(versions(await r.selectEvents('s', { after: 5 })), [])
      deepStrictEqual(versions(await r.selectEvents('s', { limit: 0 })), [])
    }),
    check('notification ids are 1, 2, 3 … in commit order, across streams', async (r) => {
      deepStrictEqual(await r.insertEvents([ev('a', 1), ev('b', 1)]), [1, 2])
      deepStrictEqual(await r.insertEvents([ev('a', 2)]), [3])
      const log = await r.selectNotifications(1, 10)
      deepStrictEqual(
        log.map((n) => [n.id, n.streamId, n.version]),
        [
          [1, 'a', 1],
          [2, 'b', 1],
          [3, 'a', 2],
        ],
      )
      equal(await r.maxNotificationId(), 3)
    }),
    check('notification pages honour start, limit, stop and types', async (r) => {
      await r.insertEvents([1, 2, 3, 4, 5, 6].map((v) => ev('s', v, v % 2 ? 'Odd' : 'Even')))
      deepStrictEqual(
        (await r.selectNotifications(2, 3)).map((n) => n.id),
        [2, 3, 4],
      )
      deepStrictEqual(
        (await r.selectNotifications(5, 10)).map((n) => n.id),
        [5, 6],
      )
      deepStrictEqual(
        (await r.selectNotifications(7, 10)).map((n) => n.id),
        [],
      )
      deepStrictEqual(
        (await r.selectNotifications(1, 10, { stop: 3 })).map((n) => n.id),
        [1, 2, 3],
      )
      deepStrictEqual(
        (await r.selectNotifications(1, 2, { types: ['Even'] })).map((n) => n.id),
        [2, 4],
      )
      deepStrictEqual(
        (await r.selectNotifications(3, 10, { types: ['Odd'], stop: 5 })).map((n) => n.id),
        [3, 5],
      )
      deepStrictEqual(
        (await r.selectNotifications(1, 10, { types: [] })).map((n) => n.id),
        [],
      )
      deepStrictEqual(
        (await r.selectNotifications(1, 0)).map((n) => n.id),
        [],
      )
    }),
    ...trackingChecks(check),
    check('concurrent writers lose nothing and duplicate nothing', async (r) => {
      const writers = 8
      const perWriter = 25
      const results = await Promise.allSettled(
        Array.from({ length: writers }, async (_, w) => {
          for (let v = 1; v <= perWriter; v++) {
            await r.insertEvents([ev(`own-${w}`, v)])
            await r.insertEvents([ev('shared', v + w * 1000)]).catch(() => undefined)
            await r.insertEvents([ev('contended', v)]).catch(() => undefined)
          }
        }),
      )
      ok(results.every((result) => result.status === 'fulfilled'))
      for (let w = 0; w < writers; w++)
        deepStrictEqual(
          versions(await r.selectEvents(`own-${w}`)),
          Array.from({ length: perWriter }, (_, i) => i + 1),
        )
      equal((await r.selectEvents('shared')).length, writers * perWriter)
      deepStrictEqual(
        versions(await r.selectEvents('contended')),
        Array.from({ length: perWriter }, (_, i) => i + 1),
      )
      const log = await r.selectNotifications(1, 10_000)
      const total = writers * perWriter * 2 + perWriter
      deepStrictEqual(
        log.map((n) => n.id),
        Array.from({ length: total }, (_, i) => i + 1),
      )
    }),
    check('stored bytes cannot be altered through the objects passed in or handed out', async (r) => {
      const event = ev('s', 1)
      await r.insertEvents([event])
      event.data.fill(0)
      const [read] = await r.selectEvents('s')
      read?.data.fill(0)
      const [again] = await r.selectEvents('s')
      deepStrictEqual(JSON.parse(new TextDecoder().decode(again?.data)), { version: 1 })
    }),
    check('hostile stream ids and types round-trip exactly', async (r) => {
      const names = [
        "'; drop table events; --",
        '%_\\%',
        '"quoted"',
        'emoji 🐕‍🦺',
        'x'.repeat(1000),
        'tab\tnew\nline',
      ]
      for (const name of names) await r.insertEvents([ev(name, 1, name.slice(0, 200))])
      for (const name of names)
        deepStrictEqual(
          (await r.selectEvents(name)).map((e) => [e.streamId, e.type]),
          [[name, name.slice(0, 200)]],
        )
      deepStrictEqual(await r.selectEvents('%'), [])
    }),
    check('bad stream ids, types and versions are typed errors and nothing is stored', async (r) => {
      await rejectsWith('InvalidStreamId', () => r.insertEvents([ev('ok', 1), ev('nul\u0000', 1)]))
      await rejectsWith('InvalidStreamId', () => r.insertEvents([ev('lone \ud800', 1)]))
      await rejectsWith('InvalidStreamId', () => r.insertEvents([ev('', 1)]))
      await rejectsWith('InvalidStreamId', () => r.insertEvents([ev('🐕'.repeat(300), 1)]))
      await rejectsWith('InvalidEventType', () => r.insertEvents([ev('ok', 1, 'bad\u0000')]))
      await rejectsWith('InvalidVersion', () => r.insertEvents([ev('ok', 0)]))
      await rejectsWith('InvalidVersion', () => r.insertEvents([ev('ok', 1.5)]))
      await rejectsWith('InvalidStreamId', () => r.selectEvents('nul\u0000'))
      await rejectsWith('InvalidArgument', () => r.selectNotifications(0, 10))
      equal(await r.maxNotificationId(), 0)
    }),
    check('snapshots: the latest at or below a version, replaced at the same version', async (r) => {
      equal(await r.selectSnapshot('s'), undefined)
      await r.insertSnapshot(ev('s', 2, 'State', { at: 2 }))
      await r.insertSnapshot(ev('s', 5, 'State', { at: 5 }))
      equal((await r.selectSnapshot('s'))?.version, 5)
      equal((await r.selectSnapshot('s', 4))?.version, 2)
      equal((await r.selectSnapshot('s', 1))?.version, undefined)
      await r.insertSnapshot({ ...ev('s', 5, 'State2', { at: 'five' }), schemaVersion: 2 })
      const latest = await r.selectSnapshot('s', 5)
      deepStrictEqual(
        [latest?.type, latest?.schemaVersion, JSON.parse(new TextDecoder().decode(latest?.data))],
        ['State2', 2, { at: 'five' }],
      )
      equal(await r.selectSnapshot('other'), undefined)
      equal(await r.maxNotificationId(), 0)
    }),
    check('subscribers are woken after a commit, and not after unsubscribing', async (r) => {
      let calls = 0
      let woken: () => void = () => {}
      const wake = new Promise<void>((resolve) => {
        woken = resolve
      })
      const unsubscribe = await r.subscribe(() => {
        calls += 1
        woken()
      })
      await r.insertEvents([ev('s', 1)])
      await Promise.race([
        wake,
        new Promise((_, reject) => setTimeout(() => reject(new Error('no wake-up within 10 s')), 10_000)),
      ])
      ok(calls >= 1)
      await unsubscribe()
    }),
    check(
      'data keys: stored once (racing writers agree), selected, replaced, deleted for ever',
      async (r) => {
        const [a, b] = [Uint8Array.of(1, 2, 3), Uint8Array.of(9, 9)]
        deepStrictEqual([...(await r.insertDataKey('subject-1', a))], [1, 2, 3])
        deepStrictEqual([...(await r.insertDataKey('subject-1', b))], [1, 2, 3])
        const found = await r.selectDataKeys(['subject-1', 'nobody'])
        deepStrictEqual([...found.keys()], ['subject-1'])
        await r.replaceDataKey('subject-1', b)
        deepStrictEqual([...((await r.selectDataKeys(['subject-1'])).get('subject-1') ?? [])], [9, 9])
        await rejectsWith('InvalidArgument', () => r.replaceDataKey('nobody', a))
        await r.deleteDataKey('subject-1')
        await r.deleteDataKey('nobody')
        equal((await r.selectDataKeys(['subject-1'])).size, 0)
      },
    ),
    check('replacing event data keeps everything else, and is all or nothing', async (r) => {
      await r.insertEvents([ev('s', 1, 'A', { n: 1 }), ev('s', 2, 'B', { n: 2 }), ev('t', 1, 'C', { n: 3 })])
      const data = new TextEncoder().encode('{"n":"two"}')
      await r.replaceEventData([{ streamId: 's', version: 2, data }])
      const log = await r.selectNotifications(1, 10)
      deepStrictEqual(
        log.map((n) => [n.id, n.streamId, n.version, n.type, new TextDecoder().decode(n.data)]),
        [
          [1, 's', 1, 'A', '{"n":1}'],
          [2, 's', 2, 'B', '{"n":"two"}'],
          [3, 't', 1, 'C', '{"n":3}'],
        ],
      )
      await rejectsWith('InvalidArgument', () =>
        r.replaceEventData([
          { streamId: 't', version: 1, data },
          { streamId: 't', version: 9, data },
        ]),
      )
      equal(new TextDecoder().decode((await r.selectEvents('t'))[0]?.data), '{"n":3}')
    }),
    check('a lease has one holder at a time, and can be taken again once released', async (r) => {
      const lease = await r.acquireLease('follower a')
      ok(lease)
      equal(await r.acquireLease('follower a'), undefined)
      const other = await r.acquireLease('follower b')
      ok(other)
      await lease.release()
      const again = await r.acquireLease('follower a')
      ok(again)
      await again.release()
      await other.release()
    }),
    check('a closed recorder refuses work with RecorderClosed', async (r) => {
      await r.close()
      await rejectsWith('RecorderClosed', () => r.insertEvents([ev('s', 1)]))
      await rejectsWith('RecorderClosed', () => r.selectNotifications(1, 1))
    }),
  ]
}
