// rebuild and reencrypt interrupted (SIGINT, SIGKILL) and resumed, on PostgreSQL.

import { describe } from 'vitest'
import { postgresTarget } from '../support/cli.js'
import { skipPostgres } from '../support/postgres.js'
import { describeResume } from './resume.js'

describe.skipIf(skipPostgres)('the long jobs on PostgreSQL', () => describeResume(postgresTarget))
