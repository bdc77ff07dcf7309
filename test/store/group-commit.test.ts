import { describe, expect, it } from 'vitest'
import { createGroupCommit } from '../../src/store/postgres/group-commit.js'

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('group commit', () => {
  it('sends the callers a write settled together with those that queued during it', async () => {
    const sizes: number[] = []
    const commit = createGroupCommit<number, number>(
      async (group) => {
        sizes.push(group.length)
        await pause(5)
        for (const pending of group) pending.resolve(pending.item)
      },
      { writers: 1, maxSize: 100 },
    )
    // A writer does some work between its appends (an application's command takes a dozen turns).
    const writer = async () => {
      for (let i = 0; i < 5; i++) {
        await commit.submit(i, 1)
        for (let turn = 0; turn < 12; turn++) await undefined
      }
    }
    // Four writers start; four more arrive while the first write is in flight.
    await Promise.all([
      ...Array.from({ length: 4 }, writer),
      pause(1).then(() => Promise.all(Array.from({ length: 4 }, writer))),
    ])
    expect(sizes).toEqual([4, 8, 8, 8, 8, 4])
    await commit.idle()
  })

  it('keeps at most maxSize units in a group, and a larger batch alone', async () => {
    const sizes: number[] = []
    const commit = createGroupCommit<number, number>(
      async (group) => {
        sizes.push(group.reduce((sum, p) => sum + p.size, 0))
        for (const pending of group) pending.resolve(pending.item)
      },
      { writers: 1, maxSize: 10 },
    )
    await Promise.all([4, 4, 4, 12, 1].map((size) => commit.submit(size, size)))
    expect(sizes).toEqual([8, 4, 12, 1])
  })
})
