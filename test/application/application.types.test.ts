// Type-level tests of the typed application: it knows its aggregates, and its log entries are a
// union discriminated by aggregate name. Checked by `tsc` (npm run typecheck); vitest runs them too.

import { aggregate, application, type EntryOf } from 'eventfold/application'
import { jsonCodec } from 'eventfold/codec'
import { createProjection } from 'eventfold/runners'
import { describe, expectTypeOf, it } from 'vitest'
import type { DogEvent } from '../../examples/dog-school/dog.js'
import { dogs } from '../../examples/dog-school/dog-school.js'

type CatEvent = { type: 'Meowed'; loud: boolean }
const cats = aggregate({
  name: 'cat',
  codec: jsonCodec<CatEvent>({ Meowed: true }),
  decider: {
    initialState: 0,
    decide: (loud: boolean) => [{ type: 'Meowed' as const, loud }],
    evolve: (n: number) => n + 1,
  },
})

describe('a typed application', () => {
  it('accepts only its own aggregates, with their own commands', async () => {
    const kennel = application({ name: 'kennel', aggregates: [dogs] })
    expectTypeOf(kennel.execute).toBeFunction()
    // @ts-expect-error the kennel holds no cats
    await kennel.execute(cats, 'c1', true).catch(() => undefined)
    // @ts-expect-error a dog's command, not a cat's
    await kennel.execute(dogs, 'd1', true).catch(() => undefined)
    // @ts-expect-error the kennel holds no cats
    await kennel.get(cats, 'c1').catch(() => undefined)
    await kennel.close()
  })

  it('gives log entries that narrow by aggregate name', async () => {
    const zoo = application({ name: 'zoo', aggregates: [dogs, cats] })
    await zoo.execute(cats, 'c1', true)
    const entries = await zoo.read(1, 10)
    expectTypeOf(entries[0]?.aggregate).toEqualTypeOf<'dog' | 'cat' | undefined>()
    for (const entry of entries) {
      if (entry._tag === 'Event' && entry.aggregate === 'dog')
        expectTypeOf(entry.event).toEqualTypeOf<DogEvent>()
      if (entry._tag === 'Event' && entry.aggregate === 'cat')
        expectTypeOf(entry.event).toEqualTypeOf<CatEvent>()
    }
    const loud = createProjection(zoo, {
      initialState: 0,
      evolve: (n, entry) => {
        expectTypeOf(entry).toEqualTypeOf<EntryOf<typeof dogs | typeof cats>>()
        return entry._tag === 'Event' && entry.aggregate === 'cat' && entry.event.loud ? n + 1 : n
      },
    })
    await loud.catchUp()
    expectTypeOf(loud.current().state).toEqualTypeOf<number>()
    await zoo.close()
  })
})
