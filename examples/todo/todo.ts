// A to-do list: a list decider and many item deciders, combined into one aggregate, stored with io-ts.
// Event type names and payload shapes are a storage contract: change them through upcasters.

import type { EventOf } from 'eventfold/codec'
import { fromIoTs } from 'eventfold/codec/io-ts'
import {
  type Addressed,
  combine,
  type Decider,
  many,
  mapCommands,
  mapEvents,
  reject,
  type Sum,
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

/** The stored events of a to-do list: one flat union, validated by io-ts. */
export const todoEvents = fromIoTs({
  ListRenamed: t.type({ title: t.string }),
  ListArchived: t.type({}),
  ItemAdded: t.type({ itemId: t.string, text: t.string }),
  ItemCompleted: t.type({ itemId: t.string }),
})
export type TodoEvent = EventOf<typeof todoEvents>

export type TodoCommand =
  | { readonly type: 'RenameList'; readonly title: string }
  | { readonly type: 'ArchiveList' }
  | { readonly type: 'AddItem'; readonly itemId: string; readonly text: string }
  | { readonly type: 'CompleteItem'; readonly itemId: string }

type Combined = Sum<ListEvent, Addressed<ItemEvent>>

const toStored = (event: Combined): TodoEvent => {
  if (event._tag === 'left') {
    const e = event.value
    return e.type === 'Renamed' ? { type: 'ListRenamed', title: e.title } : { type: 'ListArchived' }
  }
  const { id: itemId, value } = event.value
  return value.type === 'Added'
    ? { type: 'ItemAdded', itemId, text: value.text }
    : { type: 'ItemCompleted', itemId }
}

const fromStored = (event: TodoEvent): Combined => {
  switch (event.type) {
    case 'ListRenamed':
      return { _tag: 'left', value: { type: 'Renamed', title: event.title } }
    case 'ListArchived':
      return { _tag: 'left', value: { type: 'Archived' } }
    case 'ItemAdded':
      return { _tag: 'right', value: { id: event.itemId, value: { type: 'Added', text: event.text } } }
    case 'ItemCompleted':
      return { _tag: 'right', value: { id: event.itemId, value: { type: 'Completed' } } }
  }
}

const route = (command: TodoCommand): Sum<ListCommand, Addressed<ItemCommand>> => {
  switch (command.type) {
    case 'RenameList':
      return { _tag: 'left', value: { type: 'Rename', title: command.title } }
    case 'ArchiveList':
      return { _tag: 'left', value: { type: 'Archive' } }
    case 'AddItem':
      return { _tag: 'right', value: { id: command.itemId, value: { type: 'Add', text: command.text } } }
    case 'CompleteItem':
      return { _tag: 'right', value: { id: command.itemId, value: { type: 'Complete' } } }
  }
}

/** The to-do list: the list and its items combined, with flat commands and stored events. */
export const todo = mapCommands(
  mapEvents(combine(list, many(item)), { to: toStored, from: fromStored }),
  route,
)

export type TodoState = typeof todo.initialState
