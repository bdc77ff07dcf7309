// stop() (or a lost lease) during a projection's catch-up takes effect after the batch in hand, not after the backlog.

import { application, type EntryOf } from 'eventfold/application'
import { jsonState } from 'eventfold/codec'
import { documentProjection } from 'eventfold/process'
import { createDocumentProjection } from 'eventfold/runners'
import { createMemoryRecorder } from 'eventfold/store'
import { expect, it } from 'vitest'
import { dogs } from '../../examples/dog-school/dog-school.js'

type Entry = EntryOf<typeof dogs>

it('stop() during catch-up stops after the batch in hand (not after the whole backlog)', async () => {
  const recorder = createMemoryRecorder()
  const app = application({ name: 'school', aggregates: [dogs], recorder })
  for (let i = 0; i < 200; i++) await app.execute(dogs, `d${i}`, { type: 'RegisterDog', name: `d${i}` })
  // The same store, each commit taking 5 ms (a remote database, say).
  const store = {
    ...recorder,
    commitProjection: async (...args: Parameters<typeof recorder.commitProjection>) => {
      await new Promise((resolve) => setTimeout(resolve, 5))
      return recorder.commitProjection(...args)
    },
  }
  const projection = createDocumentProjection({
    source: app,
    store,
    batchSize: 1,
    projection: documentProjection({
      name: 'count',
      version: 1,
      codec: jsonState<{ n: number }>('Count'),
      key: (entry: Entry) => entry.notification.streamId,
      evolve: (d: { n: number } | undefined) => ({ n: (d?.n ?? 0) + 1 }),
    }),
  })
  projection.start({ pollMs: 20 })
  await projection.waitFor(2, { timeoutMs: 5000, pollMs: 1 })
  const asked = Date.now()
  await projection.stop()
  const took = Date.now() - asked
  const { position } = await projection.lag()
  console.log(`stop() took ${took} ms; position at stop: ${position} of 200`)
  expect(position).toBeLessThan(10)
})
