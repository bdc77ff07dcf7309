import { createMemoryRecorder } from 'eventfold/store'
import { describe, expect, it } from 'vitest'
import { recorderConformance } from '../../src/testing/index.js'

describe('memory recorder conformance', () => {
  for (const c of recorderConformance(createMemoryRecorder)) it(c.name, c.run)
})

describe('memory recorder bytes', () => {
  it('keeps the bytes of every event apart, across its shared blocks and beside events of their own', async () => {
    const recorder = createMemoryRecorder()
    const sizes = [0, 1, 100, 16 * 1024, 16 * 1024 + 1, 40_000, 64 * 1024, 70_000, 3, ...Array(300).fill(997)]
    const bytes = sizes.map((size, i) => Uint8Array.from({ length: size }, (_, k) => (i * 31 + k) % 251))
    const events = bytes.map((data, i) => ({
      streamId: 's',
      version: i + 1,
      type: 'Sized',
      schemaVersion: 1,
      data,
    }))
    await recorder.insertEvents(events.slice(0, 5))
    await recorder.insertEvents(events.slice(5))
    for (const data of bytes) data.fill(7)
    const read = await recorder.selectEvents('s')
    expect(read.map((e) => e.data.length)).toEqual(sizes)
    read.forEach((e, i) => {
      expect(e.data.every((b, k) => b === (i * 31 + k) % 251)).toBe(true)
      e.data.fill(9)
    })
    await recorder.replaceEventData([{ streamId: 's', version: 2, data: Uint8Array.of(1, 2, 3) }])
    const again = await recorder.selectNotifications(1, 1000)
    expect([...(again[1]?.data ?? [])]).toEqual([1, 2, 3])
    expect(again.map((e) => e.data.length)).toEqual(sizes.map((s, i) => (i === 1 ? 3 : s)))
    expect(again[300]?.data.every((b, k) => b === (300 * 31 + k) % 251)).toBe(true)
  })
})
