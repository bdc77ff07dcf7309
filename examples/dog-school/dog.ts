// The dog of the Python eventsourcing library's dog-school example, as a decider with a zod codec.
// Event type names and payload shapes are a storage contract: change them through upcasters.

import type { EventOf } from 'eventfold/codec'
import { fromZod } from 'eventfold/codec/zod'
import { type Decider, reject } from 'eventfold/decide'
import * as z from 'zod'

/** How dog events are stored and validated. */
export const dogEvents = fromZod({
  DogRegistered: z.object({ name: z.string().min(1) }),
  TrickAdded: z.object({ trick: z.string().min(1) }),
})

export type DogEvent = EventOf<typeof dogEvents>

export type DogCommand =
  | { readonly type: 'RegisterDog'; readonly name: string }
  | { readonly type: 'AddTrick'; readonly trick: string }

/** A dog before it is registered is `null`. */
export type DogState = { readonly name: string; readonly tricks: readonly string[] } | null

export type DogRejection =
  | { readonly type: 'DogAlreadyRegistered' }
  | { readonly type: 'DogNotRegistered' }
  | { readonly type: 'EmptyName' }
  | { readonly type: 'EmptyTrick' }

/** Registering names the dog once; adding a trick it knows already changes nothing (idempotent). */
export const dog: Decider<DogCommand, DogState, DogEvent, DogRejection> = {
  initialState: null,
  decide: (command, state) => {
    switch (command.type) {
      case 'RegisterDog':
        if (state !== null) return reject({ type: 'DogAlreadyRegistered' })
        if (command.name.trim() === '') return reject({ type: 'EmptyName' })
        return [{ type: 'DogRegistered', name: command.name }]
      case 'AddTrick':
        if (state === null) return reject({ type: 'DogNotRegistered' })
        if (command.trick.trim() === '') return reject({ type: 'EmptyTrick' })
        return state.tricks.includes(command.trick) ? [] : [{ type: 'TrickAdded', trick: command.trick }]
    }
  },
  evolve: (state, event) => {
    switch (event.type) {
      case 'DogRegistered':
        return { name: event.name, tricks: [] }
      case 'TrickAdded':
        return state === null ? state : { name: state.name, tricks: [...state.tricks, event.trick] }
    }
  },
}
