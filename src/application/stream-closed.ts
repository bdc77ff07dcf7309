// The error of a command sent to a stream whose state is terminal: such a stream takes no more events.

import { EventfoldError } from '../codec/index.js'

/** Thrown for a command to a stream whose state is terminal (the decider's `isTerminal`). */
export const streamClosed = (streamId: string, version: number): EventfoldError =>
  new EventfoldError(
    'StreamClosed',
    `stream "${streamId}" is closed (its state is terminal at version ${version})`,
    {
      streamId,
      version,
    },
  )
