// aggregate(): a spec without a codec or a working decider (from plain JavaScript, or behind a
// cast) is refused at construction with InvalidConfiguration naming the aggregate.

import { aggregate, application } from 'eventfold/application'
import { EventfoldError, isEventfoldError, isRight } from 'eventfold/codec'
import { describe, expect, it } from 'vitest'
import { dog, dogEvents } from '../../examples/dog-school/dog.js'

/** Calls aggregate() as plain JavaScript would: with whatever object it is given. */
const fromJavaScript = (spec: object) => aggregate(spec as Parameters<typeof aggregate>[0])

/** The error aggregate() throws for `spec`, checked to be InvalidConfiguration naming the aggregate. */
const refusal = (spec: object, name: string): EventfoldError => {
  let thrown: unknown
  try {
    fromJavaScript(spec)
  } catch (error) {
    thrown = error
  }
  expect(thrown).toBeInstanceOf(EventfoldError)
  if (!isEventfoldError(thrown, 'InvalidConfiguration'))
    throw new Error(`not InvalidConfiguration: ${thrown}`)
  expect(thrown.message).toContain(`aggregate "${name}"`)
  expect(thrown.context).toMatchObject({ aggregate: name })
  return thrown
}

describe('aggregate', () => {
  it('refuses a spec without a codec at construction, not with a TypeError at the first append', () => {
    expect(refusal({ name: 'dog', decider: dog }, 'dog').message).toMatch(/codec/)
    expect(refusal({ name: 'pet', decider: dog, codec: null }, 'pet').message).toMatch(/codec/)
  })

  it('refuses a codec without encode, decode or its list of types', () => {
    const { encode, decode, types } = dogEvents
    for (const codec of [
      { decode, types },
      { encode, types },
      { encode, decode },
      { encode: 1, decode, types },
    ])
      expect(refusal({ name: 'dog', decider: dog, codec }, 'dog').message).toMatch(/codec/)
  })

  it('refuses a missing decider, or one without decide or evolve functions', () => {
    const { decide, evolve, initialState } = dog
    for (const decider of [
      undefined,
      {},
      { evolve, initialState },
      { decide, initialState },
      { decide: 1, evolve },
    ])
      expect(refusal({ name: 'dog', decider, codec: dogEvents }, 'dog').message).toMatch(/decider/)
  })

  it('refuses a name that is not a string, and a bad snapshotEvery, naming the aggregate', () => {
    expect(() => fromJavaScript({ decider: dog, codec: dogEvents })).toThrow(
      /^InvalidConfiguration: aggregate undefined: name must be a string/,
    )
    expect(() => fromJavaScript({ name: 'dog-x', decider: dog, codec: dogEvents })).toThrow(
      /InvalidConfiguration/,
    )
    expect(refusal({ name: 'dog', decider: dog, codec: dogEvents, snapshotEvery: 0 }, 'dog').message).toMatch(
      /snapshotEvery/,
    )
  })

  it('accepts a complete spec, whose aggregate then stores and reads events', async () => {
    const dogs = fromJavaScript({ name: 'dog', decider: dog, codec: dogEvents })
    const app = application({ name: 'school', aggregates: [dogs] })
    expect(isRight(await app.execute(dogs, 'fido', { type: 'RegisterDog', name: 'Fido' }))).toBe(true)
    expect(await app.get(dogs, 'fido')).toEqual({ state: { name: 'Fido', tricks: [] }, version: 1 })
    await app.close()
  })
})
