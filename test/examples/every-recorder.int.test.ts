// The dog-school scenario and the to-do example, on the memory, SQLite and PostgreSQL recorders.

import { aggregate, application } from 'eventfold/application'
import { isRight } from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { createDogSchool, dogs } from '../../examples/dog-school/dog-school.js'
import { todo, todoEvents } from '../../examples/todo/todo.js'
import { recorderKinds } from '../support/recorders.js'

const lists = aggregate({ name: 'todo', decider: todo, codec: todoEvents })

for (const kind of recorderKinds) {
  describe.skipIf(kind.skip)(`examples on the ${kind.name} recorder`, () => {
    it('dog school: Fido learns two tricks; the log has ids 1, 2, 3', async () => {
      const school = createDogSchool({ recorder: kind.create() })
      const registered = await school.registerDog('Fido')
      if (!isRight(registered)) throw new Error('registration rejected')
      await school.addTrick(registered.right, 'roll over')
      await school.addTrick(registered.right, 'fetch ball')
      expect(await school.getDog(registered.right)).toEqual({
        name: 'Fido',
        tricks: ['roll over', 'fetch ball'],
      })
      const log = await school.app.log.select(1, 10)
      expect(log.map((n) => n.id)).toEqual([1, 2, 3])
      await school.close()
    })

    it('dog school: concurrent commands on one dog all land, with optimistic concurrency retries', async () => {
      const app = application({ name: 'dog_school', aggregates: [dogs], recorder: kind.create() })
      await app.execute(dogs, 'rex', { type: 'RegisterDog', name: 'Rex' })
      const tricks = Array.from({ length: 12 }, (_, i) => `trick ${i}`)
      const results = await Promise.all(
        tricks.map((trick) => app.execute(dogs, 'rex', { type: 'AddTrick', trick })),
      )
      expect(results.every(isRight)).toBe(true)
      const { state, version } = await app.get(dogs, 'rex')
      expect(version).toBe(13)
      expect([...(state?.tricks ?? [])].sort()).toEqual([...tricks].sort())
      expect((await app.log.select(1, 100)).map((n) => n.id)).toEqual(
        Array.from({ length: 13 }, (_, i) => i + 1),
      )
      await app.close()
    })

    it('dog school: a stream longer than one page loads whole, and at any version', async () => {
      const app = application({ name: 'dog_school', aggregates: [dogs], recorder: kind.create() })
      await app.execute(dogs, 'long', { type: 'RegisterDog', name: 'Long' })
      const batch = Array.from({ length: 2500 }, (_, i) => ({ type: 'TrickAdded' as const, trick: `t${i}` }))
      const mapperEvents = batch.map((e, i) => ({
        streamId: 'dog-long',
        version: i + 2,
        type: e.type,
        schemaVersion: 1,
        data: new TextEncoder().encode(JSON.stringify({ trick: e.trick })),
      }))
      await app.recorder.insertEvents(mapperEvents)
      const whole = await app.get(dogs, 'long')
      expect(whole.version).toBe(2501)
      expect(whole.state?.tricks.length).toBe(2500)
      expect((await app.get(dogs, 'long', { version: 1500 })).state?.tricks.at(-1)).toBe('t1498')
      await app.close()
    })

    it('to-do list (compose + many + io-ts) round-trips through the store', async () => {
      const app = application({ name: 'todos', aggregates: [lists], recorder: kind.create() })
      await app.execute(lists, 'home', { part: 'list', command: { type: 'Rename', title: 'Groceries 🛒' } })
      await app.execute(lists, 'home', {
        part: 'items',
        command: { id: 'a', value: { type: 'Add', text: "milk 'n' honey" } },
      })
      await app.execute(lists, 'home', { part: 'items', command: { id: 'a', value: { type: 'Complete' } } })
      const { state, version } = await app.get(lists, 'home')
      expect(version).toBe(3)
      expect(state.list.title).toBe('Groceries 🛒')
      expect(state.items.get('a')).toEqual({ text: "milk 'n' honey", done: true })
      await app.close()
    })
  })
}
