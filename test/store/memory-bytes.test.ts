// Stored bytes are the recorder's own: what is passed in or handed out (a Node Buffer's slice is a view) never aliases them.

import { createMemoryRecorder } from 'eventfold/store'
import { describe, expect, it } from 'vitest'

describe('memory recorder copies bytes in and out', () => {
  for (const size of [1000, 20_000]) {
    it(`a Buffer of ${size} bytes passed in is copied (a caller's later write changes nothing)`, async () => {
      const recorder = createMemoryRecorder()
      const data = Buffer.alloc(size, 1)
      await recorder.insertEvents([{ streamId: 's', version: 1, type: 'T', schemaVersion: 1, data }])
      data.fill(2)
      const [read] = await recorder.selectEvents('s')
      expect(read?.data[0]).toBe(1)
    })
    it(`reads of a ${size}-byte Buffer event are copies (a reader's write changes nothing stored)`, async () => {
      const recorder = createMemoryRecorder()
      const data = Buffer.alloc(size, 1)
      await recorder.insertEvents([{ streamId: 's', version: 1, type: 'T', schemaVersion: 1, data }])
      const [first] = await recorder.selectEvents('s')
      first?.data.fill(3)
      const [again] = await recorder.selectNotifications(1, 1)
      expect(again?.data[0]).toBe(1)
    })
  }
})

import { randomBytes } from 'node:crypto'
import { createKeyring, createMapper } from 'eventfold/store'

describe('an encrypted event over 16 KiB in the memory recorder', () => {
  it('cannot be altered through a notification a reader got', async () => {
    const mapper = createMapper({ keyring: createKeyring(randomBytes(32)) })
    const recorder = createMemoryRecorder()
    const stored = mapper.toStored('s', 1, {
      type: 'T',
      schemaVersion: 1,
      data: { text: 'x'.repeat(20_000) },
    })
    expect(Buffer.isBuffer(stored.data)).toBe(true)
    await recorder.insertEvents([stored])
    const [read] = await recorder.selectNotifications(1, 1)
    read?.data.fill(0, 10, 20) // a reader scribbles on its own copy (it thinks)
    const [again] = await recorder.selectNotifications(1, 1)
    expect(() => mapper.toEncoded(again as never)).not.toThrow()
  })
})
