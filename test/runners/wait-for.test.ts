// waitFor costs nothing in proportion to a projection's version number.

import { application, type EntryOf } from 'eventfold/application'
import { jsonState } from 'eventfold/codec'
import { documentProjection } from 'eventfold/process'
import { createDocumentProjection } from 'eventfold/runners'
import { createMemoryRecorder } from 'eventfold/store'
import { expect, it } from 'vitest'
import { dogs } from '../../examples/dog-school/dog-school.js'

type Entry = EntryOf<typeof dogs>

it('waitFor on a projection whose version is large (a date such as 20240101) costs nothing in proportion to it', async () => {
  const app = application({ name: 'school', aggregates: [dogs], recorder: createMemoryRecorder() })
  await app.execute(dogs, 'fido', { type: 'RegisterDog', name: 'fido' })
  const projection = createDocumentProjection({
    source: app,
    projection: documentProjection({
      name: 'names',
      version: 20_240_101, // a date: it ran a process out of heap when waitFor registered every version below it
      codec: jsonState<{ n: number }>('N'),
      key: (entry: Entry) => entry.notification.streamId,
      evolve: () => ({ n: 1 }),
    }),
  })
  await projection.catchUp()
  const heap = process.memoryUsage().heapUsed
  const started = performance.now()
  await projection.waitFor(1)
  const took = performance.now() - started
  const grew = (process.memoryUsage().heapUsed - heap) / 2 ** 20
  console.log(
    `waitFor took ${took.toFixed(0)} ms; heap grew ${grew.toFixed(0)} MiB (kept: the wake-up map keeps an empty set per version)`,
  )
  expect(took).toBeLessThan(100)
}, 120_000)
