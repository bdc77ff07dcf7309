// Every command of the command line as a child process on PostgreSQL (a fresh schema).

import { describe } from 'vitest'
import { postgresTarget } from '../support/cli.js'
import { skipPostgres } from '../support/postgres.js'
import { describeCommands } from './commands.js'

describe.skipIf(skipPostgres)('the commands on PostgreSQL', () => describeCommands(postgresTarget))
