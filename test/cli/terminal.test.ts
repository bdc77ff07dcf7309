// The command line as a person sees it in a real terminal (tmux), whose screen is read while a
// command runs and after it ends: rebuild's progress bar, erase's question. Skips without tmux.

import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { cliArgs, root, seedDogs, sqliteTarget, until } from '../support/cli.js'

const hasTmux = spawnSync('tmux', ['-V']).status === 0
const socket = `eventfold-cli-test-${process.pid}`
const dir = mkdtempSync(join(tmpdir(), 'eventfold-cli-tty-'))
const tmux = (...args: string[]): string =>
  execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' })
afterAll(() => {
  if (hasTmux) spawnSync('tmux', ['-L', socket, 'kill-server'])
  rmSync(dir, { recursive: true, force: true })
})

const quote = (word: string): string => `'${word.replaceAll("'", `'\\''`)}'`

/** A new terminal (a tmux session) 120 columns wide: a shell in the repository's root. */
const terminal = (session: string) => {
  tmux('-f', '/dev/null', 'new-session', '-d', '-s', session, '-x', '120', '-y', '12', '-c', root)
  return {
    /** Types `args` as a command line, with only `env`, then prints its exit code. */
    type: (args: readonly string[], env: Record<string, string>) => run(session, args, env),
    /** Types keys, then Enter. */
    answer: (keys: string) => tmux('send-keys', '-t', session, keys, 'Enter'),
    /** What the screen shows, wrapped lines joined. */
    screen: () => tmux('capture-pane', '-p', '-J', '-t', session),
  }
}

const run = (session: string, args: readonly string[], env: Record<string, string>): void => {
  const command = [
    'env',
    '-i',
    ...Object.entries({ PATH: process.env.PATH ?? '', TERM: 'xterm-256color', ...env }).map(
      ([name, value]) => `${name}=${value}`,
    ),
    process.execPath,
    ...cliArgs(args),
  ]
  tmux('send-keys', '-t', session, `${command.map(quote).join(' ')}; echo "exit=$?"`, 'Enter')
}

describe.skipIf(!hasTmux)('in a terminal', () => {
  it('rebuild draws a bar with the rate and ETA on stderr, then prints the result', async () => {
    const target = sqliteTarget(dir)
    const kennel = target.recorder('kennel')
    await seedDogs(kennel, { count: 100, tricks: ['sit', 'beg'] }) // 300 notifications
    await kennel.close()
    const { type, screen } = terminal('rebuild')
    const args = ['rebuild', '--app', 'kennel', '--module', 'test/cli/fixtures/kennel.ts']
    type([...args, '--projection', 'trickCounts', '--batch-size', '10', '--pause', '60'], target.env)
    const bar = /trick_counts v1 \|[█░]{30}\| (\d+)% \| (\d+)\/300 notifications \| \d+\/s \| ETA \S+/
    await until(async () => Number(bar.exec(screen())?.[2] ?? 0) > 0)
    const during = bar.exec(screen())
    expect(Number(during?.[2])).toBeLessThan(300) // caught mid-run
    await until(async () => /exit=\d+/.test(screen()))
    const after = screen()
    expect(after).toMatch(/trick_counts v1 \|█{30}\| 100% \| 300\/300 notifications/)
    expect(after).toMatch(
      /trick_counts v1: ready at notification 300 \(300 applied by this run, 0 dead letters\)\nexit=0/,
    )
  }, 60_000)

  it('erase asks, and erases nothing unless the subject is typed back: NotConfirmed, exit 1', async () => {
    const { type, answer, screen } = terminal('erase')
    type(['erase', '--app', 'kennel', 'd1'], sqliteTarget(dir).env) // asked before the store is opened
    await until(async () => /Type the subject to confirm:/.test(screen()))
    answer('d2')
    await until(async () => /exit=\d+/.test(screen()))
    expect(screen()).toMatch(/\nNotConfirmed: "d1" was not typed back: nothing erased\nexit=1\n/)
  }, 30_000)
})
