// A to-do list: a list decider and many item deciders, composed by name, stored with io-ts.
// Event type names and payload shapes are a storage contract: change them through upcasters.

import { composeCodecs, manyCodec } from 'eventfold/codec'
import { fromIoTs } from 'eventfold/codec/io-ts'
import {
  type ComposedCommand,
  type ComposedEvent,
  compose,
  type Decider,
  many,
  reject,
} from 'eventfold/decide'
import * as t from 'io-ts'

// The list itself: a title, and closed once archived.
type ListCommand = { readonly type: 'Rename'; readonly title: string } | { readonly type: 'Archive' }
type ListEvent = { readonly type: 'Renamed'; readonly title: string } | { readonly type: 'Archived' }
type ListState = { readonly title: string; readonly archived: boolean }

const list: Decider<ListCommand, ListState, ListEvent, 'ListArchived'> = {
  initialState: { title: '', archived: false },
  decide: (command, state) => {
    if (state.archived) return reject('ListArchived')
    switch (command.type) {
      case 'Rename':
        return state.title === command.title ? [] : [{ type: 'Renamed', title: command.title }]
      case 'Archive':
        return [{ type: 'Archived' }]
    }
  },
  evolve: (state, event) => {
    switch (event.type) {
      case 'Renamed':
        return { ...state, title: event.title }
      case 'Archived':
        return { ...state, archived: true }
    }
  },
  isTerminal: (state) => state.archived,
}

// One item of the list: added once, then done.
type ItemCommand = { readonly type: 'Add'; readonly text: string } | { readonly type: 'Complete' }
type ItemEvent = { readonly type: 'Added'; readonly text: string } | { readonly type: 'Completed' }
type ItemState = { readonly text: string; readonly done: boolean } | null

const item: Decider<ItemCommand, ItemState, ItemEvent, 'NoSuchItem' | 'ItemExists'> = {
  initialState: null,
  decide: (command, state) => {
    switch (command.type) {
      case 'Add':
        return state === null ? [{ type: 'Added', text: command.text }] : reject('ItemExists')
      case 'Complete':
        if (state === null) return reject('NoSuchItem')
        return state.done ? [] : [{ type: 'Completed' }]
    }
  },
  evolve: (state, event) => {
    switch (event.type) {
      case 'Added':
        return { text: event.text, done: false }
      case 'Completed':
        return state === null ? state : { ...state, done: true }
    }
  },
}

const parts = { list, items: many(item) }

/** The to-do list: `{ part: 'list', command }`, or `{ part: 'items', command: { id, value } }` for one item. */
export const todo = compose(parts)
export type TodoCommand = ComposedCommand<typeof parts>
export type TodoEvent = ComposedEvent<typeof parts>
export type TodoState = typeof todo.initialState

/** The stored events of a to-do list, one flat union validated by io-ts: `list.Renamed`, `items.Added`, … */
export const todoEvents = composeCodecs({
  list: fromIoTs({ Renamed: t.type({ title: t.string }), Archived: t.type({}) }),
  items: manyCodec(fromIoTs({ Added: t.type({ text: t.string }), Completed: t.type({}) })),
})
