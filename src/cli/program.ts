// The `eventfold` program: its commands, with usage errors reported (and thrown) rather than exiting.

import { Command } from 'commander'
import { eraseCommand } from './erase.js'
import { lagCommand } from './lag.js'
import { migrateCommand } from './migrate.js'
import { rebuildCommand } from './rebuild.js'
import { reencryptCommand } from './reencrypt.js'
import { streamCommand } from './stream.js'
import { tailCommand } from './tail.js'

/** Builds the program; `parseAsync` rejects with a CommanderError on bad usage, help or version. */
export const createProgram = (version: string): Command => {
  const program = new Command('eventfold')
    .description(
      'Operate the stores of eventfold applications, configured from the environment as the applications are ' +
        '(EVENTFOLD_PERSISTENCE, DATABASE_URL, EVENTFOLD_SQLITE_PATH, EVENTFOLD_CIPHER_KEY, … and <APP>_ overrides).\n' +
        'Exit codes: 0 done, 1 failed (printed as CODE: message), 2 bad usage, 130 interrupted (work done is kept).',
    )
    .version(version)
    .exitOverride()
    .showHelpAfterError(true)
    .configureHelp({ styleTitle: (title) => title.toLowerCase() })
  for (const add of [
    migrateCommand,
    tailCommand,
    streamCommand,
    lagCommand,
    rebuildCommand,
    reencryptCommand,
    eraseCommand,
  ])
    add(program)
  return program
}
