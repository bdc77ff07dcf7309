// The conformance suite every projection recorder passes (memory, SQLite, PostgreSQL, yours):
//   for (const c of projectionConformance(createMyRecorder)) it(c.name, c.run)

import { deepStrictEqual, equal, ok } from 'node:assert/strict'
import type { JsonValue } from '../codec/index.js'
import type { DocumentChange, ProjectionRecorder, StoredDocument } from '../store/index.js'
import { type ConformanceCase, type RecorderFactory, rejectsWith, withRecorder } from './conformance.js'

const doc = (key: string, data: JsonValue, fields?: Record<string, string>): StoredDocument => ({
  key,
  type: 'Doc',
  schemaVersion: 1,
  data,
  ...(fields ? { fields } : {}),
})
const put = (key: string, data: JsonValue, fields?: Record<string, string>): DocumentChange => ({
  _tag: 'Put',
  document: doc(key, data, fields),
})
const del = (key: string): DocumentChange => ({ _tag: 'Delete', key })
const v1 = { name: 'orders', version: 1 }
const v2 = { name: 'orders', version: 2 }
const keysOf = (read: { readonly documents: readonly StoredDocument[] } | undefined) =>
  read?.documents.map((d) => d.key)

/** The checks of a projection recorder: positions, atomic batches, exactly once, reads, versions. */
export const projectionConformance = (
  factory: RecorderFactory<ProjectionRecorder & { close(): Promise<void> }>,
): readonly ConformanceCase[] => {
  const check = withRecorder(factory)
  return [
    check(
      'a new version is registered at position 0, not ready; registering again changes nothing',
      async (r) => {
        const status = await r.registerProjection(v1)
        deepStrictEqual([status.name, status.version, status.position, status.ready], ['orders', 1, 0, false])
        await r.commitProjection(v1, { from: 0, to: 3 })
        equal((await r.registerProjection(v1)).position, 3)
        deepStrictEqual(
          (await r.selectProjections('orders')).map((s) => [s.version, s.position]),
          [[1, 3]],
        )
        deepStrictEqual(await r.selectProjections('nothing'), [])
        await r.registerProjection({ name: 'archive', version: 2 })
        deepStrictEqual(
          (await r.selectProjections()).map((s) => [s.name, s.version]),
          [
            ['archive', 2],
            ['orders', 1],
          ],
        )
      },
    ),
    check('documents, deletions and the position are committed together', async (r) => {
      await r.registerProjection(v1)
      await r.commitProjection(v1, { from: 0, to: 2, changes: [put('a', { n: 1 }), put('b', { n: 'ü' })] })
      await r.commitProjection(v1, { from: 2, to: 5, changes: [put('a', { n: 2 }), del('b'), del('never')] })
      const found = await r.selectDocuments(v1, ['a', 'b', 'c'])
      deepStrictEqual([...found.keys()], ['a'])
      deepStrictEqual(found.get('a'), doc('a', { n: 2 }))
      equal((await r.selectProjections('orders'))[0]?.position, 5)
    }),
    check('a batch from a position that moved fails with TrackingConflict and stores nothing', async (r) => {
      await r.registerProjection(v1)
      await r.commitProjection(v1, { from: 0, to: 2, changes: [put('a', 1)] })
      await rejectsWith('TrackingConflict', () =>
        r.commitProjection(v1, { from: 0, to: 3, changes: [put('a', 9)] }),
      )
      await rejectsWith('TrackingConflict', () =>
        r.commitProjection(v1, { from: 1, to: 3, changes: [put('z', 9)] }),
      )
      deepStrictEqual((await r.selectDocuments(v1, ['a']))?.get('a')?.data, 1)
      equal((await r.selectDocuments(v1, ['z'])).size, 0)
      equal((await r.selectProjections('orders'))[0]?.position, 2)
    }),
    check('a batch of an unregistered version fails with TrackingConflict', async (r) => {
      await rejectsWith('TrackingConflict', () => r.commitProjection(v1, { from: 0, to: 1 }))
    }),
    check('bad batches are typed errors and store nothing', async (r) => {
      await r.registerProjection(v1)
      await rejectsWith('InvalidArgument', () => r.commitProjection(v1, { from: 2, to: 1 }))
      await rejectsWith('InvalidArgument', () =>
        r.commitProjection(v1, { from: 0, to: 1, changes: [put('', 1)] }),
      )
      await rejectsWith('InvalidArgument', () =>
        r.commitProjection(v1, { from: 0, to: 1, changes: [put('ok', 1), put('a\u0000b', 1)] }),
      )
      await rejectsWith('InvalidArgument', () =>
        r.commitProjection(v1, {
          from: 0,
          to: 1,
          deadLetters: [{ notificationId: 7, streamId: 's', version: 1, code: 'X', message: 'x' }],
        }),
      )
      const twice = { notificationId: 1, streamId: 's', version: 1, code: 'X', message: 'x' }
      await rejectsWith('InvalidArgument', () =>
        r.commitProjection(v1, { from: 0, to: 1, deadLetters: [twice, twice] }),
      )
      await rejectsWith('InvalidArgument', () => r.registerProjection({ name: '', version: 1 }))
      await rejectsWith('InvalidArgument', () => r.registerProjection({ name: 'x', version: 0 }))
      equal((await r.selectDocuments(v1, ['ok'])).size, 0)
      equal((await r.selectProjections('orders'))[0]?.position, 0)
    }),
    check('racing batches from one position: exactly one commits', async (r) => {
      await r.registerProjection(v1)
      const results = await Promise.allSettled(
        [1, 2, 3, 4].map((n) => r.commitProjection(v1, { from: 0, to: n, changes: [put('k', n)] })),
      )
      equal(results.filter((x) => x.status === 'fulfilled').length, 1)
      const winner = results.findIndex((x) => x.status === 'fulfilled') + 1
      equal((await r.selectProjections('orders'))[0]?.position, winner)
      deepStrictEqual((await r.selectDocuments(v1, ['k'])).get('k')?.data, winner)
    }),
    check('reads: by keys, all in key order with paging, and by an indexed field', async (r) => {
      await r.registerProjection(v1)
      await r.commitProjection(v1, {
        from: 0,
        to: 4,
        changes: [
          put('c', { n: 3 }, { colour: 'red' }),
          put('a', { n: 1 }, { colour: 'red', size: 'L' }),
          put('b', { n: 2 }, { colour: 'blue' }),
          put('d', { n: 4 }),
        ],
      })
      deepStrictEqual(keysOf(await r.readDocuments('orders', 1, { keys: ['b', 'x'] })), ['b'])
      deepStrictEqual(keysOf(await r.readDocuments('orders', 1, {})), ['a', 'b', 'c', 'd'])
      deepStrictEqual(keysOf(await r.readDocuments('orders', 1, { after: 'a', limit: 2 })), ['b', 'c'])
      // Keys are in the order of their UTF-8 bytes (code points): U+FFFD before U+1F600.
      await r.commitProjection(v1, { from: 4, to: 4, changes: [put('\u{1F600}', 1), put('\uFFFD', 2)] })
      deepStrictEqual(keysOf(await r.readDocuments('orders', 1, { after: 'd' })), ['\uFFFD', '\u{1F600}'])
      await r.commitProjection(v1, { from: 4, to: 4, changes: [del('\u{1F600}'), del('\uFFFD')] })
      deepStrictEqual(
        keysOf(await r.readDocuments('orders', 1, { where: { field: 'colour', value: 'red' } })),
        ['a', 'c'],
      )
      deepStrictEqual(keysOf(await r.readDocuments('orders', 1, { where: { field: 'size', value: 'L' } })), [
        'a',
      ])
      // A document's fields are replaced with it.
      await r.commitProjection(v1, { from: 4, to: 5, changes: [put('a', { n: 1 }, { colour: 'blue' })] })
      deepStrictEqual(
        keysOf(await r.readDocuments('orders', 1, { where: { field: 'colour', value: 'red' } })),
        ['c'],
      )
      deepStrictEqual(
        keysOf(await r.readDocuments('orders', 1, { where: { field: 'size', value: 'L' } })),
        [],
      )
      equal(await r.readDocuments('nothing', 1, {}), undefined)
    }),
    check('the newest ready version serves; the first serves while it builds', async (r) => {
      await r.registerProjection(v1)
      await r.commitProjection(v1, { from: 0, to: 1, changes: [put('k', 'one')] })
      deepStrictEqual((await r.readDocuments('orders', 1, { keys: ['k'] }))?.documents[0]?.data, 'one')
      await r.markReady(v1)
      await r.registerProjection(v2)
      await r.commitProjection(v2, { from: 0, to: 1, changes: [put('k', 'two')] })
      // v2 is building: readers of v1 and v2 alike read v1.
      equal((await r.readDocuments('orders', 2, { keys: ['k'] }))?.version, 1)
      await r.markReady(v2)
      deepStrictEqual((await r.readDocuments('orders', 2, { keys: ['k'] }))?.documents[0]?.data, 'two')
      // A reader of version 1 (older code) goes on reading version 1.
      equal((await r.readDocuments('orders', 1, { keys: ['k'] }))?.version, 1)
      deepStrictEqual(
        (await r.selectProjections('orders')).map((s) => [s.version, s.ready]),
        [
          [1, true],
          [2, true],
        ],
      )
      await r.dropProjection(v1)
      deepStrictEqual(
        (await r.selectProjections('orders')).map((s) => s.version),
        [2],
      )
      equal(await r.readDocuments('orders', 1, { keys: ['k'] }), undefined)
      equal((await r.selectDocuments(v1, ['k'])).size, 0)
    }),
    check('dead letters are kept with the batch, in notification order', async (r) => {
      await r.registerProjection(v1)
      const letter = { notificationId: 2, streamId: 'dog-1', version: 2, code: 'DecodeError', message: 'bad' }
      await r.commitProjection(v1, { from: 0, to: 3, deadLetters: [letter] })
      await r.commitProjection(v1, { from: 3, to: 4, deadLetters: [{ ...letter, notificationId: 4 }] })
      const letters = await r.selectDeadLetters(v1)
      deepStrictEqual(
        letters.map(({ recordedAt: _, ...rest }) => rest),
        [letter, { ...letter, notificationId: 4 }],
      )
      ok(letters.every((l) => l.recordedAt instanceof Date))
      deepStrictEqual(await r.selectDeadLetters(v2), [])
    }),
    check('versions and names are independent', async (r) => {
      const other = { name: 'other', version: 1 }
      await r.registerProjection(v1)
      await r.registerProjection(other)
      await r.commitProjection(v1, { from: 0, to: 1, changes: [put('k', 'orders')] })
      await r.commitProjection(other, { from: 0, to: 7, changes: [put('k', 'other')] })
      deepStrictEqual((await r.selectDocuments(v1, ['k'])).get('k')?.data, 'orders')
      deepStrictEqual((await r.selectDocuments(other, ['k'])).get('k')?.data, 'other')
      equal((await r.selectProjections('orders'))[0]?.position, 1)
    }),
  ]
}
