// Golden fixtures: rows stored by releases 1, 2 and 3 (plain, compressed, encrypted with the
// fixture key, snapshots included) are read by the current code (version 4) on every recorder.

import { readFileSync } from 'node:fs'
import { aggregate, application } from 'eventfold/application'
import { createKeyring, createMapper, parseKey, type Recorder, type StoredEvent } from 'eventfold/store'
import { describe, expect, it } from 'vitest'
import {
  FIXTURE_KEY,
  type KennelDog,
  kennelDog,
  kennelDogs,
  kennelDogsNoSnapshots,
} from '../fixtures/kennel.js'

// Folds nothing but what follows the registration: it can only load the dog from a snapshot.
const snapshotOnly = aggregate({
  ...kennelDogs,
  decider: {
    ...kennelDog,
    evolve: (state, event) => {
      if (event.type === 'DogRegistered')
        throw new Error('replayed from the start: the snapshot was not used')
      return kennelDog.evolve(state, event)
    },
  },
})

import { recorderKinds } from '../support/recorders.js'

interface FixtureRow extends Omit<StoredEvent, 'data'> {
  readonly kind: 'event' | 'snapshot'
  readonly data: string
}

const load = async (recorder: Recorder, file: string): Promise<void> => {
  const rows = JSON.parse(
    readFileSync(new URL(`../fixtures/${file}`, import.meta.url), 'utf8'),
  ) as FixtureRow[]
  for (const { kind, data, ...row } of rows) {
    const stored = { ...row, data: new Uint8Array(Buffer.from(data, 'base64')) }
    if (kind === 'event') await recorder.insertEvents([stored])
    else await recorder.insertSnapshot(stored)
  }
}

const sit = { name: 'sit', difficulty: 1 }
const expected: Record<number, { atTwo: KennelDog; now: KennelDog }> = {
  1: {
    atTwo: { name: 'Rex', breed: null, born: null, tricks: [sit] },
    now: { name: 'Rex', breed: null, born: null, tricks: [sit, { name: 'fetch', difficulty: 1 }] },
  },
  2: {
    atTwo: { name: 'Rex', breed: 'Collie', born: null, tricks: [sit] },
    now: { name: 'Rex', breed: 'Collie', born: null, tricks: [sit, { name: 'fetch', difficulty: 2 }] },
  },
  3: {
    atTwo: { name: 'Rex', breed: 'Collie', born: null, tricks: [sit] },
    now: { name: 'Rex', breed: 'Collie', born: null, tricks: [sit, { name: 'fetch', difficulty: 2 }] },
  },
}

const mappers = {
  plain: () => createMapper(),
  compressed: () => createMapper(),
  encrypted: () => createMapper({ keyring: createKeyring(parseKey(FIXTURE_KEY)) }),
}

for (const kind of recorderKinds) {
  describe.skipIf(kind.skip)(`golden fixtures on the ${kind.name} recorder`, () => {
    for (const release of [1, 2, 3]) {
      for (const [variant, mapper] of Object.entries(mappers)) {
        it(`reads release ${release}, ${variant}, to the expected state — from snapshots and from events alone`, async () => {
          const recorder = kind.create()
          await load(recorder, `v${release}-${variant}.json`)
          const warnings: string[] = []
          const options = {
            name: 'kennel',
            recorder,
            mapper: mapper(),
            cacheSize: 0,
            onWarning: (w: Error) => warnings.push(w.message),
          }
          const withSnapshots = application({ ...options, aggregates: [kennelDogs] })
          const eventsOnly = application({ ...options, aggregates: [kennelDogsNoSnapshots] })
          const want = expected[release]
          expect(await withSnapshots.get(kennelDogs, 'rex')).toEqual({ state: want?.now, version: 3 })
          expect(await withSnapshots.get(kennelDogs, 'rex', { version: 2 })).toEqual({
            state: want?.atTwo,
            version: 2,
          })
          expect(await eventsOnly.get(kennelDogsNoSnapshots, 'rex')).toEqual({ state: want?.now, version: 3 })
          expect(await eventsOnly.get(kennelDogsNoSnapshots, 'rex', { version: 2 })).toEqual({
            state: want?.atTwo,
            version: 2,
          })
          const fromSnapshot = application({ ...options, aggregates: [snapshotOnly] })
          expect(await fromSnapshot.get(snapshotOnly, 'rex')).toEqual({ state: want?.now, version: 3 })
          expect(warnings).toEqual([])
          // Rows of earlier releases carry no metadata: they read back without it, as decoded log entries.
          const entries = await eventsOnly.read(1, 10)
          expect(entries.map((e) => [e._tag, e.notification.metadata])).toEqual([
            ['Event', undefined],
            ['Event', undefined],
            ['Event', undefined],
          ])
          await recorder.close()
        })
      }
    }

    it('refuses the encrypted fixtures without the fixture key, with a typed error', async () => {
      const recorder = kind.create()
      await load(recorder, 'v2-encrypted.json')
      const app = application({ name: 'kennel', aggregates: [kennelDogsNoSnapshots], recorder, cacheSize: 0 })
      await expect(app.get(kennelDogsNoSnapshots, 'rex')).rejects.toMatchObject({
        code: 'DecryptionError',
        context: { streamId: 'dog-rex', version: 1 },
      })
      await recorder.close()
    })
  })
}
