#!/usr/bin/env node
// The `eventfold` command line. `eventfold migrate --app <name>` takes an application's tables to
// this release's schema (configured from the environment, as the application is), or prints the DDL.

import { parseArgs } from 'node:util'
import { migrate } from '../application/index.js'
import { isEventfoldError } from '../codec/index.js'

const USAGE = `usage: eventfold migrate --app <name> [--print] [--grant <role>] [--json]

  migrate   create or upgrade the tables of application <name> (named as the application names
            them; the store comes from EVENTFOLD_PERSISTENCE, DATABASE_URL, … as for the application)
  --print   print the statements instead of running them (for PostgreSQL: one idempotent script)
  --grant   a PostgreSQL role to grant the tables to (a role that may not create anything)
  --json    print the result as JSON`

/** Exit codes: 0 done, 1 failed (a typed error, printed with its code), 2 bad usage. */
const run = async (argv: readonly string[]): Promise<number> => {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(argv)
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`)
    return 2
  }
  const { positionals, values } = parsed
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  if (positionals[0] !== 'migrate' || positionals.length !== 1 || values.app === undefined) {
    process.stderr.write(`${USAGE}\n`)
    return 2
  }
  const result = await migrate({
    name: values.app,
    print: values.print === true,
    ...(values.grant === undefined ? {} : { role: values.grant }),
  })
  if (result.persistence === 'memory') {
    // Likely a missing variable, and in a deployment script a silent success would hide it.
    process.stderr.write(
      `${values.app}: EVENTFOLD_PERSISTENCE says memory (the default), which has no tables to migrate: ` +
        "set EVENTFOLD_PERSISTENCE=postgres (or sqlite) and the rest of the application's environment\n",
    )
    return 1
  }
  if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`)
  else if (values.print) process.stdout.write(`${result.statements.join(';\n')}\n`)
  else
    process.stdout.write(
      result.applied
        ? `${values.app}: ${result.persistence} schema migrated from version ${result.from} to ${result.to}\n`
        : `${values.app}: ${result.persistence} schema is current (version ${result.to})\n`,
    )
  return 0
}

const parse = (argv: readonly string[]) =>
  parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      app: { type: 'string' },
      print: { type: 'boolean' },
      grant: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(
      isEventfoldError(error)
        ? `${error.message}\n`
        : `${error instanceof Error ? error.stack : String(error)}\n`,
    )
    process.exitCode = 1
  },
)
