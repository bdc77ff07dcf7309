// `rebuild` and `reencrypt` stopped mid-run — by SIGINT (they stop after the batch in hand) or
// SIGKILL (the batch in hand rolls back) — and run again: nothing lost, nothing done twice.

import { createKeyring, createMapper, generateKey, type Notification, parseKey } from 'eventfold/store'
import { describe, expect, it } from 'vitest'
import { eventfold, seedDogs, startEventfold, type Target, type TestRecorder, until } from '../support/cli.js'

const KENNEL = 'test/cli/fixtures/kennel.ts'

/** How many TrickAdded events name each trick among the notifications up to `upTo`. */
const tricksUpTo = async (recorder: TestRecorder, upTo: number): Promise<Record<string, number>> => {
  const counts: Record<string, number> = {}
  const added = await recorder.selectNotifications(1, 10_000, { stop: upTo, types: ['TrickAdded'] })
  for (const n of added) {
    const { trick } = JSON.parse(Buffer.from(n.data).toString()) as { trick: string }
    counts[trick] = (counts[trick] ?? 0) + 1
  }
  return counts
}

/** The trick counts that version 1 of the projection holds. */
const countsHeld = async (recorder: TestRecorder): Promise<Record<string, number>> => {
  const documents = await recorder.selectDocuments({ name: 'trick_counts', version: 1 }, ['sit', 'beg'])
  return Object.fromEntries([...documents].map(([key, d]) => [key, (d.data as { count: number }).count]))
}

/** Runs the interruption suite against fresh stores of `target()`. */
export const describeResume = (target: () => Target): void => {
  describe.each(['SIGINT', 'SIGKILL'] as const)('interrupted by %s and run again', (signal) => {
    it('rebuild applies every notification once', async () => {
      const t = target()
      const kennel = t.recorder('kennel')
      await seedDogs(kennel, { count: 200, tricks: ['sit', 'beg'] }) // 600 notifications
      const args = ['rebuild', '--app', 'kennel', '--module', KENNEL, '--projection', 'trickCounts']
      const position = async () => (await kennel.selectProjections('trick_counts'))[0]?.position ?? 0
      const first = startEventfold([...args, '--batch-size', '20', '--pause', '40'], t.env)
      await until(async () => (await position()) > 0)
      first.child.kill(signal)
      const exit = await first.exited
      const stopped = await position()
      expect(stopped).toBeGreaterThan(0)
      expect(stopped).toBeLessThan(600)
      if (signal === 'SIGINT') {
        expect(exit).toEqual({ code: 130, signal: null })
        expect(first.err()).toMatch(
          new RegExp(
            `Interrupted: trick_counts v1 stopped at notification ${stopped} of 600; its position is stored`,
          ),
        )
      } else expect(exit.signal).toBe('SIGKILL')
      // What is stored is exactly the notifications up to the position, each applied once.
      expect(await countsHeld(kennel)).toEqual(await tricksUpTo(kennel, stopped))

      const second = eventfold([...args, '--batch-size', '50', '--json'], t.env)
      expect(second.code).toBe(0)
      expect(JSON.parse(second.out)).toMatchObject({ applied: 600 - stopped, position: 600, ready: true })
      expect(await countsHeld(kennel)).toEqual({ sit: 200, beg: 200 })
      await kennel.close()
      t.cleanup()
    })

    it('reencrypt re-encrypts every event once; the new key alone then reads them all', async () => {
      const t = target()
      const [keyA, keyB] = [generateKey(), generateKey()]
      const kennel = t.recorder('kennel')
      const underA = createMapper({ keyring: createKeyring(parseKey(keyA)) })
      await seedDogs(kennel, { count: 150, tricks: ['sit'], mapper: underA }) // 300 notifications
      const rotated = createMapper({ keyring: createKeyring(parseKey(keyB), [parseKey(keyA)]) })
      const isCurrent = (n: Notification) => rotated.reseal(n) === undefined
      const underB = async () => (await kennel.selectNotifications(1, 1000)).filter(isCurrent).length
      const env = { ...t.env, EVENTFOLD_CIPHER_KEY: keyB, EVENTFOLD_CIPHER_OLD_KEYS: keyA }
      const first = startEventfold(
        ['reencrypt', '--app', 'kennel', '--batch-size', '10', '--pause', '40'],
        env,
      )
      await until(async () => (await underB()) > 0)
      first.child.kill(signal)
      const exit = await first.exited
      const done = await underB()
      expect(done).toBeGreaterThan(0)
      expect(done).toBeLessThan(300)
      if (signal === 'SIGINT') {
        expect(exit).toEqual({ code: 130, signal: null })
        expect(first.err()).toMatch(new RegExp(`Interrupted: .* having re-encrypted ${done} events;`))
      } else expect(exit.signal).toBe('SIGKILL')

      const second = eventfold(['reencrypt', '--app', 'kennel', '--json'], env)
      expect(second.code).toBe(0)
      expect(JSON.parse(second.out)).toMatchObject({ events: 300 - done, scanned: 300 })
      expect(await underB()).toBe(300)
      const onlyB = { ...t.env, EVENTFOLD_CIPHER_KEY: keyB }
      const read = eventfold(['tail', '--app', 'kennel', '--module', KENNEL, '--json'], onlyB)
      const entries = read.out
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { error?: string; event?: unknown })
      expect(entries).toHaveLength(300)
      expect(entries.filter((e) => e.error !== undefined)).toEqual([])
      expect(entries[0]?.event).toEqual({ type: 'DogRegistered', name: 'Dog d0' })
      await kennel.close()
      t.cleanup()
    })
  })
}
