// Type-level tests of codecs, checked by `tsc -p tsconfig.json` (npm run typecheck): a codec must
// cover its decider's events, and schema codecs type events without a payload as `{ type }`.

import { aggregate } from 'eventfold/application'
import { type Codec, type EventOf, jsonCodec } from 'eventfold/codec'
import { fromIoTs } from 'eventfold/codec/io-ts'
import { fromZod } from 'eventfold/codec/zod'
import type { Decider } from 'eventfold/decide'
import { right } from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { describe, expect, expectTypeOf, it } from 'vitest'
import * as z from 'zod'

type Started = { readonly type: 'Started'; readonly at: number }
type Stopped = { readonly type: 'Stopped' }
type ClockEvent = Started | Stopped

/** A clock that starts and stops: two event types, one of them without a payload. */
const clock: Decider<'start' | 'stop', boolean, ClockEvent> = {
  initialState: false,
  decide: (command, running) =>
    command === 'start'
      ? running
        ? []
        : [{ type: 'Started', at: 0 }]
      : running
        ? [{ type: 'Stopped' }]
        : [],
  evolve: (_, event) => event.type === 'Started',
}

describe('a codec and its decider', () => {
  it('a codec of some events is not a codec of more events', () => {
    expectTypeOf<Codec<Started>>().not.toExtend<Codec<ClockEvent>>()
    expectTypeOf<Codec<ClockEvent>>().not.toExtend<Codec<Started>>()
    expectTypeOf<Codec<ClockEvent>>().toExtend<Codec<Started | Stopped>>()
  })

  it('aggregate() refuses a codec that misses one of the decider’s event types', () => {
    const startedOnly = jsonCodec<Started>({ Started: true })
    const zodStartedOnly = fromZod({ Started: z.object({ at: z.number() }) })
    const ioTsStartedOnly = fromIoTs({ Started: t.type({ at: t.number }) })
    // @ts-expect-error the codec cannot store Stopped
    aggregate({ name: 'clock', decider: clock, codec: startedOnly })
    // @ts-expect-error the codec cannot store Stopped
    aggregate({ name: 'clock', decider: clock, codec: zodStartedOnly })
    // @ts-expect-error the codec cannot store Stopped
    aggregate({ name: 'clock', decider: clock, codec: ioTsStartedOnly })
  })

  it('aggregate() takes a codec that covers every event type, whichever way it was built', () => {
    const clocks = [
      aggregate({
        name: 'clock',
        decider: clock,
        codec: jsonCodec<ClockEvent>({ Started: true, Stopped: true }),
      }),
      aggregate({
        name: 'clock',
        decider: clock,
        codec: fromZod({ Started: z.object({ at: z.number() }), Stopped: z.object({}) }),
      }),
      aggregate({
        name: 'clock',
        decider: clock,
        codec: fromIoTs({ Started: t.type({ at: t.number }), Stopped: t.type({}) }),
      }),
    ]
    for (const { codec } of clocks) {
      expectTypeOf(codec.encode).parameter(0).toEqualTypeOf<ClockEvent>()
      expect(codec.decode(codec.encode({ type: 'Stopped' }))).toEqual(right({ type: 'Stopped' }))
    }
  })
})

describe('events without a payload', () => {
  it('fromZod({ Tick: z.object({}) }) types its event as { type: "Tick" }', () => {
    const ticks = fromZod({ Tick: z.object({}), Tock: z.strictObject({}) })
    expectTypeOf<{ type: 'Tick' }>().toExtend<EventOf<typeof ticks>>()
    expectTypeOf<{ type: 'Tock' }>().toExtend<EventOf<typeof ticks>>()
    expectTypeOf<EventOf<typeof ticks>>().toExtend<{ readonly type: 'Tick' | 'Tock' }>()
    expect(ticks.decode(ticks.encode({ type: 'Tick' }))).toEqual(right({ type: 'Tick' }))
  })

  it('fromIoTs({ Tick: t.type({}) }) types its event as { type: "Tick" }, and so does a record payload', () => {
    const ticks = fromIoTs({ Tick: t.type({}), Tallied: t.record(t.string, t.number) })
    expectTypeOf<{ type: 'Tick' }>().toExtend<EventOf<typeof ticks>>()
    expectTypeOf<{ type: 'Tallied' }>().toExtend<EventOf<typeof ticks>>()
    expect(ticks.decode(ticks.encode({ type: 'Tick' }))).toEqual(right({ type: 'Tick' }))
  })

  it('keeps the payload’s own properties, optional ones included', () => {
    const codec = fromZod({
      Noted: z.object({ text: z.string(), by: z.string().optional() }),
      Tagged: z.looseObject({ tag: z.string() }),
    })
    expectTypeOf<EventOf<typeof codec>>().toExtend<
      | { readonly type: 'Noted'; text: string; by?: string | undefined }
      | { readonly type: 'Tagged'; tag: string; [key: string]: unknown }
    >()
    // @ts-expect-error text is required
    expect(() => codec.encode({ type: 'Noted' })).toThrow(/EncodeError/)
    // @ts-expect-error tag is a string
    expect(() => codec.encode({ type: 'Tagged', tag: 1 })).toThrow(/EncodeError/)
    expect(codec.encode({ type: 'Tagged', tag: 'x', more: 1 }).data).toEqual({ tag: 'x', more: 1 })
  })
})
