import { aggregate, application } from 'eventfold/application'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type TodoCommand, todo, todoEvents } from '../../examples/todo/todo.js'
import { checkCodecRoundTrip, checkInvariant, checkNoMutation, given } from '../../src/testing/index.js'

const lists = aggregate({ name: 'todo', decider: todo, codec: todoEvents })

describe('the to-do example (combine + many + io-ts)', () => {
  it('stores flat io-ts events and folds them back into the combined state', async () => {
    const app = application({ name: 'todos', aggregates: [lists] })
    const commands: TodoCommand[] = [
      { type: 'RenameList', title: 'Groceries' },
      { type: 'AddItem', itemId: 'a', text: 'milk' },
      { type: 'AddItem', itemId: 'b', text: 'bread' },
      { type: 'CompleteItem', itemId: 'a' },
      { type: 'ArchiveList' },
    ]
    for (const command of commands) expect((await app.execute(lists, 'home', command))._tag).toBe('Right')

    const { state, version } = await app.get(lists, 'home')
    expect(version).toBe(5)
    expect(state.left).toEqual({ title: 'Groceries', archived: true })
    expect([...state.right]).toEqual([
      ['a', { text: 'milk', done: true }],
      ['b', { text: 'bread', done: false }],
    ])
    expect((await app.log.select(1, 10)).map((n) => n.type)).toEqual([
      'ListRenamed',
      'ItemAdded',
      'ItemAdded',
      'ItemCompleted',
      'ListArchived',
    ])
    expect(await app.execute(lists, 'home', { type: 'RenameList', title: 'x' })).toEqual({
      _tag: 'Left',
      left: 'ListArchived',
    })
  })

  it('routes item commands to their own item only', () => {
    given(todo, [{ type: 'ItemAdded', itemId: 'a', text: 'milk' }])
      .when({ type: 'AddItem', itemId: 'a', text: 'again' })
      .thenRejects('ItemExists')
    given(todo, [{ type: 'ItemAdded', itemId: 'a', text: 'milk' }])
      .when({ type: 'CompleteItem', itemId: 'b' })
      .thenRejects('NoSuchItem')
  })

  const ids = fc.constantFrom('a', 'b', 'c')
  const commands: fc.Arbitrary<TodoCommand> = fc.oneof(
    fc.string({ maxLength: 5 }).map((title) => ({ type: 'RenameList' as const, title })),
    fc.constant({ type: 'ArchiveList' as const }),
    fc
      .tuple(ids, fc.string({ maxLength: 5 }))
      .map(([itemId, text]) => ({ type: 'AddItem' as const, itemId, text })),
    ids.map((itemId) => ({ type: 'CompleteItem' as const, itemId })),
  )

  it('never holds an item that was not added (invariant), mutates nothing, round-trips its events', () => {
    checkInvariant(todo, commands, (state) => [...state.right.values()].every((item) => item !== null))
    checkNoMutation(todo, commands)
    checkCodecRoundTrip(todo, todoEvents, commands)
  })
})
