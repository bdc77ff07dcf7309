// Model-based testing of recorders: random operation sequences run against the memory recorder
// (the model) and a recorder under test; every result, or error code, must be the same.

import { isEventfoldError } from 'eventfold/codec'
import { createMemoryRecorder, type Recorder, type StoredEvent } from 'eventfold/store'
import fc from 'fast-check'
import { expect } from 'vitest'

interface Pair {
  readonly model: Recorder
  readonly real: Recorder
}

type Outcome = { readonly ok: unknown } | { readonly error: string }

const outcome = async (action: () => Promise<unknown>): Promise<Outcome> => {
  try {
    return { ok: await action() }
  } catch (error) {
    if (isEventfoldError(error)) return { error: error.code }
    throw error
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/** Comparable form: bytes as arrays, numbers as numbers, generated event ids and record times as marks of what they are. */
const plain = (value: unknown): unknown =>
  JSON.parse(
    JSON.stringify(value, (key, v) =>
      v instanceof Uint8Array
        ? [...v]
        : key === 'eventId' && UUID.test(v)
          ? 'a UUID v7'
          : key === 'recordedAt' && typeof v === 'string' && !Number.isNaN(Date.parse(v))
            ? 'a time'
            : v,
    ),
  )

class Operation implements fc.AsyncCommand<Pair, Pair> {
  constructor(
    readonly label: string,
    readonly perform: (recorder: Recorder) => Promise<unknown>,
  ) {}
  check = (): boolean => true
  async run(_: Pair, { model, real }: Pair): Promise<void> {
    const expected = await outcome(() => this.perform(model))
    const actual = await outcome(() => this.perform(real))
    expect(plain(actual)).toEqual(plain(expected))
  }
  toString = (): string => this.label
}

const streams = fc.constantFrom('a', 'b', "c'; --", 'd 🐕')
const types = fc.constantFrom('Opened', 'Closed', 'Noted')
const event: fc.Arbitrary<StoredEvent> = fc
  .record({
    streamId: streams,
    version: fc.integer({ min: 1, max: 5 }),
    type: types,
    schemaVersion: fc.integer({ min: 1, max: 3 }),
    data: fc.uint8Array({ maxLength: 8 }),
  })
  .map((e) => ({ ...e }))
const tracking = fc.option(
  fc.record({ upstream: fc.constantFrom('up', 'down'), notificationId: fc.integer({ min: 1, max: 6 }) }),
  { nil: undefined },
)

const operations = [
  fc
    .tuple(fc.array(event, { maxLength: 4 }), tracking)
    .map(
      ([events, t]) =>
        new Operation(
          `insert ${events.map((e) => `${e.streamId}@${e.version}`).join(',')} ${t ? `track ${t.upstream}#${t.notificationId}` : ''}`,
          (r) => r.insertEvents(events, t ? { tracking: t } : {}),
        ),
    ),
  fc
    .record(
      {
        streamId: streams,
        after: fc.integer({ min: 0, max: 6 }),
        upTo: fc.integer({ min: 0, max: 6 }),
        backwards: fc.boolean(),
        limit: fc.integer({ min: 0, max: 6 }),
      },
      { requiredKeys: ['streamId'] },
    )
    .map(
      ({ streamId, ...options }) =>
        new Operation(`select ${streamId} ${JSON.stringify(options)}`, (r) =>
          r.selectEvents(streamId, options),
        ),
    ),
  fc
    .record({
      start: fc.integer({ min: 1, max: 12 }),
      limit: fc.integer({ min: 0, max: 12 }),
      stop: fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }),
      types: fc.option(fc.subarray(['Opened', 'Closed', 'Noted']), { nil: undefined }),
    })
    .map(({ start, limit, stop, types: only }) => {
      const options = {
        ...(stop === undefined ? {} : { stop }),
        ...(only === undefined ? {} : { types: only }),
      }
      return new Operation(`notifications ${start} ${limit} ${JSON.stringify(options)}`, (r) =>
        r.selectNotifications(start, limit, options),
      )
    }),
  fc.constant(new Operation('maxNotificationId', (r) => r.maxNotificationId())),
  fc.constantFrom('up', 'down').map((u) => new Operation(`maxTrackingId ${u}`, (r) => r.maxTrackingId(u))),
  fc
    .tuple(streams, fc.integer({ min: 1, max: 5 }), fc.uint8Array({ maxLength: 4 }))
    .map(
      ([s, v, data]) =>
        new Operation(`snapshot ${s}@${v}`, (r) =>
          r.insertSnapshot({ streamId: s, version: v, type: 'State', schemaVersion: 1, data }),
        ),
    ),
  fc
    .tuple(streams, fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }))
    .map(([s, upTo]) => new Operation(`latest snapshot ${s} ≤ ${upTo}`, (r) => r.selectSnapshot(s, upTo))),
]

/** Runs random operation sequences against the memory model and recorders from `factory`. */
export const checkAgainstModel = async (
  factory: () => Recorder | Promise<Recorder>,
  numRuns: number,
): Promise<void> => {
  await fc.assert(
    fc.asyncProperty(fc.commands(operations, { maxCommands: 25 }), async (commands) => {
      const pair = { model: createMemoryRecorder(), real: await factory() }
      try {
        await fc.asyncModelRun(() => ({ model: pair, real: pair }), commands)
      } finally {
        await pair.real.close()
      }
    }),
    { numRuns },
  )
}
