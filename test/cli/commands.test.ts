// Every command of the command line as a child process on a SQLite file, and what all commands
// share: usage errors (exit 2), typed failures (exit 1, `CODE: message`), help per command.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { CLI_ERROR_CODES, CliError, failure } from '../../src/cli/errors.js'
import { eventfold, sqliteTarget } from '../support/cli.js'
import { describeCommands } from './commands.js'

const dir = mkdtempSync(join(tmpdir(), 'eventfold-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('the commands on SQLite', () => describeCommands(() => sqliteTarget(dir)))

describe('usage and failures', () => {
  const sqlite = { EVENTFOLD_PERSISTENCE: 'sqlite', EVENTFOLD_SQLITE_PATH: join(dir, 'none.db') }

  it('prints help for the program and each command, exit 0', () => {
    expect(eventfold(['--help'], {})).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^usage: eventfold/),
    })
    for (const command of ['migrate', 'tail', 'stream', 'lag', 'rebuild', 'reencrypt', 'erase'])
      expect(eventfold([command, '--help'], {})).toMatchObject({
        code: 0,
        out: expect.stringMatching(new RegExp(`^usage: eventfold ${command} \\[options\\]`)),
      })
  })

  it('exits 2 on bad usage, with the message and the usage', () => {
    for (const args of [
      [],
      ['nope'],
      ['tail'],
      ['tail', '--app', 'kennel', '--from', '0'],
      ['tail', '--app', 'kennel', '--nope'],
      ['stream', '--app', 'kennel'],
      ['rebuild', '--app', 'kennel', '--module', 'x.js'],
      ['rebuild', '--app', 'kennel', '--projection', 'trickCounts'],
      ['tail', '--app', 'kennel', '--from', '3', '--last', '2'],
    ])
      expect([args, eventfold(args, sqlite)]).toMatchObject([
        args,
        { code: 2, err: expect.stringMatching(/usage: eventfold/) },
      ])
  })

  it('exits 1 with CODE: message on what it cannot do', () => {
    const cases: [readonly string[], Record<string, string>, RegExp][] = [
      [['tail', '--app', 'kennel'], {}, /^InvalidConfiguration: kennel: EVENTFOLD_PERSISTENCE says memory/],
      [
        ['tail', '--app', 'kennel'],
        sqlite,
        /^InvalidConfiguration: kennel: there is no SQLite database at .*none\.db/,
      ],
      [['lag', '--app', 'no-such'], sqlite, /^InvalidConfiguration: application name "no-such"/],
      [
        ['tail', '--app', 'kennel', '--module', 'test/cli/fixtures/missing.js'],
        sqlite,
        /^InvalidConfiguration/,
      ],
      [
        ['tail', '--app', 'kennel'],
        { EVENTFOLD_PERSISTENCE: 'postgres' },
        /^InvalidConfiguration: .*DATABASE_URL/,
      ],
    ]
    for (const [args, env, err] of cases)
      expect([args, eventfold(args, env)]).toMatchObject([args, { code: 1, err: expect.stringMatching(err) }])
  })
})

describe("the README's command line section", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
  const start = readme.indexOf('## The command line')
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1))
  const rows = [...section.matchAll(/^\| `([A-Z][A-Za-z]+)` +\| (\d+) +\| (.+?) +\|$/gm)]
  const codes = rows.map(([, code]) => code)
  const commands = [...section.matchAll(/^\| `([a-z]+)[ `]/gm)].map(([, command]) => command)

  it("lists the command line's own error codes, each once, and only those", () => {
    expect(codes).toEqual([...CLI_ERROR_CODES])
  })

  it('gives the exit code each of them exits with', () => {
    const exits = CLI_ERROR_CODES.map((code) => [code, failure(new CliError(code, 'x')).code])
    expect(rows.map(([, code, exit]) => [code, Number(exit)])).toEqual(exits)
  })

  it('describes every command', () => {
    expect(commands).toEqual(['migrate', 'tail', 'stream', 'lag', 'rebuild', 'reencrypt', 'erase'])
  })
})
