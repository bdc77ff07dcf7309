// Terminal states: a stream whose state is terminal takes no more commands — StreamClosed, on the
// instance that closed it and on any other; in a process application, a rejection, not a failure.

import { aggregate, application, instruction } from 'eventfold/application'
import { jsonCodec } from 'eventfold/codec'
import type { Decider } from 'eventfold/decide'
import { createMemoryRecorder } from 'eventfold/store'
import { describe, expect, it } from 'vitest'

type Command = { type: 'Comment'; text: string } | { type: 'Resolve' }
type Event = { type: 'Commented'; text: string } | { type: 'Resolved' }
type Ticket = { readonly comments: number; readonly resolved: boolean }

const ticket: Decider<Command, Ticket, Event> = {
  initialState: { comments: 0, resolved: false },
  decide: (command) =>
    command.type === 'Resolve' ? [{ type: 'Resolved' }] : [{ type: 'Commented', text: command.text }],
  evolve: (state, event) =>
    event.type === 'Resolved' ? { ...state, resolved: true } : { ...state, comments: state.comments + 1 },
  isTerminal: (state) => state.resolved,
}
const tickets = aggregate({
  name: 'ticket',
  decider: ticket,
  codec: jsonCodec<Event>({ Commented: true, Resolved: true }),
})

describe('a stream whose state is terminal', () => {
  it('refuses commands with StreamClosed, naming the stream and version, on every instance', async () => {
    const recorder = createMemoryRecorder()
    const [a, b] = [0, 1].map(() => application({ name: 'desk', aggregates: [tickets], recorder }))
    await a?.execute(tickets, 't1', { type: 'Comment', text: 'broken' })
    await b?.get(tickets, 't1') // b caches the open ticket
    await a?.execute(tickets, 't1', { type: 'Resolve' })
    for (const app of [a, b])
      await expect(app?.execute(tickets, 't1', { type: 'Comment', text: 'again' })).rejects.toMatchObject({
        code: 'StreamClosed',
        context: { streamId: 'ticket-t1', version: 2 },
      })
    expect(await a?.log.maxId()).toBe(2)
    expect((await b?.get(tickets, 't1'))?.state).toEqual({ comments: 1, resolved: true })
  })

  it('gives a process application a rejection for it, not a failure', async () => {
    const app = application({ name: 'desk', aggregates: [tickets] })
    await app.execute(tickets, 't1', { type: 'Resolve' })
    const { results } = await app.executeAll(
      [
        instruction(tickets, 't1', { type: 'Comment', text: 'late' }),
        instruction(tickets, 't2', { type: 'Resolve' }),
      ],
      { upstream: 'mail', notificationId: 1 },
    )
    expect(results.map((r) => r._tag)).toEqual(['Left', 'Right'])
    expect(results[0]?._tag === 'Left' && results[0].left).toMatchObject({ code: 'StreamClosed' })
    expect(await app.trackedUpTo('mail')).toBe(1)
  })
})
