// Option parsing shared by the commands: whole numbers, repeatable options, the --app option, and
// writing results (a line of text, or JSON for scripts).

import { type Command, InvalidArgumentError, Option } from 'commander'
import { toJson } from './show.js'

/** A parser of whole numbers >= `min` for an option (a usage error otherwise). */
export const whole =
  (min: number) =>
  (value: string): number => {
    const n = Number(value)
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min)
      throw new InvalidArgumentError(`must be a whole number >= ${min}`)
    return n
  }

/** Collects a repeatable option's values. */
export const collect = (value: string, previous: readonly string[] = []): readonly string[] => [
  ...previous,
  value,
]

/** Adds the options every command has: --app and --json. */
export const withApp = (command: Command): Command =>
  command
    .requiredOption(
      '--app <name>',
      'the application, by the name it has in code (it names the tables; <NAME>_ prefixes its own variables)',
    )
    .option('--json', 'print JSON for scripts')

/** Adds --module (repeatable); `required`: at least one, or a usage error. */
export const withModule = (command: Command, what: string, required = false): Command =>
  command.addOption(
    new Option(
      '--module <path>',
      `a module of the application that exports ${what} (repeatable; .ts needs NODE_OPTIONS='--import tsx')`,
    )
      .argParser(collect)
      .makeOptionMandatory(required),
  )

/** Writes one line to stdout. */
export const say = (line: string): void => {
  process.stdout.write(`${line}\n`)
}

/** Writes a value as one line of JSON to stdout. */
export const sayJson = (value: unknown): void => {
  process.stdout.write(`${toJson(value)}\n`)
}
