import { createNotificationLog, parseSection, readBatch } from 'eventfold/log'
import { createMemoryRecorder } from 'eventfold/store'
import { describe, expect, it } from 'vitest'
import { storedEvent } from '../../src/testing/index.js'
import { followWhileWriting } from '../support/log-checks.js'

describe('following the log (memory recorder)', () => {
  it('delivers every event once, in id order, while a writer appends; woken without polling', async () => {
    const recorder = createMemoryRecorder()
    // A poll interval longer than the test: only wake-ups can keep the reader going.
    const seen = await followWhileWriting(recorder, recorder, 60, 600_000)
    expect(seen).toEqual(Array.from({ length: 60 }, (_, i) => i + 1))
  })

  it('filters by type and still moves its position past the rest', async () => {
    const recorder = createMemoryRecorder()
    await recorder.insertEvents([1, 2, 3, 4, 5].map((v) => storedEvent('s', v, v === 2 ? 'Rare' : 'Common')))
    const log = createNotificationLog(recorder)
    const first = await readBatch(log, 0, { types: ['Rare'], batchSize: 10 })
    expect(first.notifications.map((n) => n.id)).toEqual([2])
    expect(first.position).toBe(5)
    expect(await readBatch(log, first.position, { types: ['Rare'] })).toEqual({
      notifications: [],
      position: 5,
    })
    const full = await readBatch(log, 0, { types: ['Common'], batchSize: 2 })
    expect([full.notifications.map((n) => n.id), full.position]).toEqual([[1, 3], 3])
  })
})

describe('log sections', () => {
  it('reads "first,last" sections and names the next one when full', async () => {
    const recorder = createMemoryRecorder()
    await recorder.insertEvents([1, 2, 3, 4, 5].map((v) => storedEvent('s', v)))
    const log = createNotificationLog(recorder)
    const first = await log.section('1,3')
    expect([first.items.map((n) => n.id), first.next]).toEqual([[1, 2, 3], '4,6'])
    const second = await log.section(first.next ?? '')
    expect([second.items.map((n) => n.id), second.next]).toEqual([[4, 5], undefined])
  })

  it('refuses malformed section ids with a typed error', () => {
    for (const bad of ['', '0,5', '5,4', '1,20000', 'a,b', '1,2,3', ' 1,2']) {
      expect(() => parseSection(bad)).toThrow(/InvalidArgument/)
    }
    expect(parseSection('11,20')).toEqual({ first: 11, last: 20 })
  })
})
