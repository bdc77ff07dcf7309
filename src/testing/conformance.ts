// The shared shape of conformance suites: named checks over a recorder factory, runnable by any test runner.

import { fail } from 'node:assert/strict'
import { type ErrorCode, isEventfoldError } from '../codec/index.js'
import type { StoredEvent } from '../store/index.js'

/** One named check of a conformance suite; `run` rejects when the recorder does not conform. */
export interface ConformanceCase {
  /** What the check checks. */
  readonly name: string
  /** Runs the check against a fresh recorder; rejects when the recorder does not conform. */
  readonly run: () => Promise<void>
}

/** Makes a fresh, empty recorder for one check; `close()` is called when the check ends. */
export type RecorderFactory<R> = () => R | Promise<R>

const encoder = new TextEncoder()

/** A stored event for tests, with JSON data. */
export const storedEvent = (
  streamId: string,
  version: number,
  type = 'Happened',
  data: unknown = { version },
): StoredEvent => ({
  streamId,
  version,
  type,
  schemaVersion: 1,
  data: encoder.encode(JSON.stringify(data)),
})

/** Asserts that `action` rejects with an EventfoldError of this code, and returns the error. */
export const rejectsWith = async (
  code: ErrorCode,
  action: () => Promise<unknown>,
): Promise<Error & { context: object }> => {
  try {
    await action()
  } catch (error) {
    if (isEventfoldError(error, code)) return error
    fail(`expected an EventfoldError with code ${code}, got ${String(error)}`)
  }
  fail(`expected an EventfoldError with code ${code}, but nothing was thrown`)
}

/** Builds cases that each get a fresh recorder and close it afterwards. */
export const withRecorder =
  <
    R extends {
      /** Closes the recorder when its check ends. */
      close(): Promise<void>
    },
  >(
    factory: RecorderFactory<R>,
  ) =>
  (name: string, check: (recorder: R) => Promise<void>): ConformanceCase => ({
    name,
    run: async () => {
      const recorder = await factory()
      try {
        await check(recorder)
      } finally {
        await recorder.close()
      }
    },
  })
