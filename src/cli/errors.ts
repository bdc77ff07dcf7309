// The command line's own failures (besides the library's EventfoldErrors): each with a stable code,
// printed as `CODE: message`, and the exit code every outcome maps to.

import { CommanderError } from 'commander'
import { isEventfoldError } from '../codec/index.js'

/** The codes of the command line's own errors; the README lists them with the exit codes. */
export const CLI_ERROR_CODES = [
  'UsageError',
  'NotConfirmed',
  'ModuleNotFound',
  'ModuleFailed',
  'ExportNotFound',
  'StreamNotFound',
  'Interrupted',
] as const

/** A code of the command line's own errors: one of CLI_ERROR_CODES. */
export type CliErrorCode = (typeof CLI_ERROR_CODES)[number]

/** A failure of the command line itself: a module it cannot load, an export it cannot find, a refusal, an interruption. */
export class CliError extends Error {
  override readonly name: string = 'CliError'
  readonly code: CliErrorCode

  constructor(code: CliErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options)
    this.code = code
  }
}

/** True for a CliError, with the given code if one is passed. */
export const isCliError = (error: unknown, code?: CliErrorCode): error is CliError =>
  error instanceof CliError && (code === undefined || error.code === code)

/** Exit codes: 0 done, 1 failed (a typed error), 2 bad usage (UsageError too), 130 interrupted (its work is kept). */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const

/** The exit code each of the command line's own errors gives. */
export const CLI_ERROR_EXITS: Readonly<Record<CliErrorCode, number>> = {
  UsageError: EXIT.usage,
  NotConfirmed: EXIT.failed,
  ModuleNotFound: EXIT.failed,
  ModuleFailed: EXIT.failed,
  ExportNotFound: EXIT.failed,
  StreamNotFound: EXIT.failed,
  Interrupted: EXIT.interrupted,
}

/**
 * What to print for a failure and the exit code it gives. Commander has printed its own usage
 * errors already; help and version output are not failures.
 */
export const failure = (error: unknown): { readonly message?: string; readonly code: number } => {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version')
      return { code: EXIT.ok }
    return { code: EXIT.usage }
  }
  if (isCliError(error)) return { message: error.message, code: CLI_ERROR_EXITS[error.code] }
  if (isEventfoldError(error)) return { message: error.message, code: EXIT.failed }
  return {
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    code: EXIT.failed,
  }
}
