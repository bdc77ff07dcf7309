// rebuild and reencrypt interrupted (SIGINT, SIGKILL) and resumed, on a SQLite file.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe } from 'vitest'
import { sqliteTarget } from '../support/cli.js'
import { describeResume } from './resume.js'

const dir = mkdtempSync(join(tmpdir(), 'eventfold-cli-resume-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('the long jobs on SQLite', () => describeResume(() => sqliteTarget(dir)))
