// `eventfold migrate`: takes an application's tables to this release's schema (configured from the
// environment, as the application is), or prints the DDL.

import type { Command } from 'commander'
import { migrate } from '../application/index.js'
import { EventfoldError } from '../codec/index.js'
import { say, sayJson, withApp } from './options.js'

interface MigrateOptions {
  readonly app: string
  readonly print?: boolean
  readonly grant?: string
  readonly json?: boolean
}

/** Adds `migrate` to the program. */
export const migrateCommand = (program: Command): Command =>
  withApp(
    program
      .command('migrate')
      .description(
        'create or upgrade the tables of an application (the store comes from EVENTFOLD_PERSISTENCE, DATABASE_URL, … as for the application)',
      ),
  )
    .option('--print', 'print the statements instead of running them (for PostgreSQL: one idempotent script)')
    .option(
      '--grant <role>',
      'a PostgreSQL role to grant the tables to (a role that may not create anything)',
    )
    .action(async (options: MigrateOptions) => {
      const result = await migrate({
        name: options.app,
        print: options.print === true,
        ...(options.grant === undefined ? {} : { role: options.grant }),
      })
      if (result.persistence === 'memory')
        // Likely a missing variable, and in a deployment script a silent success would hide it.
        throw new EventfoldError(
          'InvalidConfiguration',
          `${options.app}: EVENTFOLD_PERSISTENCE says memory (the default), which has no tables to migrate: ` +
            "set EVENTFOLD_PERSISTENCE=postgres (or sqlite) and the rest of the application's environment",
        )
      if (options.json) sayJson(result)
      else if (options.print) say(result.statements.join(';\n'))
      else
        say(
          result.applied
            ? `${options.app}: ${result.persistence} schema migrated from version ${result.from} to ${result.to}`
            : `${options.app}: ${result.persistence} schema is current (version ${result.to})`,
        )
    })
