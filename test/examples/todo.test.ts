import { aggregate, application } from 'eventfold/application'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type TodoCommand, todo, todoEvents } from '../../examples/todo/todo.js'
import { checkCodecRoundTrip, checkInvariant, checkNoMutation, given } from '../../src/testing/index.js'

const lists = aggregate({ name: 'todo', decider: todo, codec: todoEvents })

describe('the to-do example (compose + many + io-ts)', () => {
  it('stores flat io-ts events and folds them back into the composed state', async () => {
    const app = application({ name: 'todos', aggregates: [lists] })
    const commands: TodoCommand[] = [
      { part: 'list', command: { type: 'Rename', title: 'Groceries' } },
      { part: 'items', command: { id: 'a', value: { type: 'Add', text: 'milk' } } },
      { part: 'items', command: { id: 'b', value: { type: 'Add', text: 'bread' } } },
      { part: 'items', command: { id: 'a', value: { type: 'Complete' } } },
      { part: 'list', command: { type: 'Archive' } },
    ]
    for (const command of commands) expect((await app.execute(lists, 'home', command))._tag).toBe('Right')

    const { state, version } = await app.get(lists, 'home')
    expect(version).toBe(5)
    expect(state.list).toEqual({ title: 'Groceries', archived: true })
    expect([...state.items]).toEqual([
      ['a', { text: 'milk', done: true }],
      ['b', { text: 'bread', done: false }],
    ])
    expect((await app.log.select(1, 10)).map((n) => n.type)).toEqual([
      'list.Renamed',
      'items.Added',
      'items.Added',
      'items.Completed',
      'list.Archived',
    ])
    expect(
      await app.execute(lists, 'home', { part: 'list', command: { type: 'Rename', title: 'x' } }),
    ).toEqual({
      _tag: 'Left',
      left: 'ListArchived',
    })
  })

  it('routes item commands to their own item only', () => {
    const milk = { part: 'items', event: { id: 'a', value: { type: 'Added', text: 'milk' } } } as const
    given(todo, [milk])
      .when({ part: 'items', command: { id: 'a', value: { type: 'Add', text: 'again' } } })
      .thenRejects('ItemExists')
    given(todo, [milk])
      .when({ part: 'items', command: { id: 'b', value: { type: 'Complete' } } })
      .thenRejects('NoSuchItem')
  })

  const ids = fc.constantFrom('a', 'b', 'c')
  const text = fc.string({ maxLength: 5 })
  const commands: fc.Arbitrary<TodoCommand> = fc.oneof(
    text.map((title): TodoCommand => ({ part: 'list', command: { type: 'Rename', title } })),
    fc.constant<TodoCommand>({ part: 'list', command: { type: 'Archive' } }),
    fc
      .tuple(ids, text)
      .map(([id, text]): TodoCommand => ({ part: 'items', command: { id, value: { type: 'Add', text } } })),
    ids.map((id): TodoCommand => ({ part: 'items', command: { id, value: { type: 'Complete' } } })),
  )

  it('never holds an item that was not added (invariant), mutates nothing, round-trips its events', () => {
    checkInvariant(todo, commands, (state) => [...state.items.values()].every((item) => item !== null))
    checkNoMutation(todo, commands)
    checkCodecRoundTrip(todo, todoEvents, commands)
  })
})
