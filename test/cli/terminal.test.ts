// The progress bar as a person sees it: `eventfold rebuild` in a real terminal (tmux), whose
// screen is read while the rebuild runs and after it ends. Skips where tmux is not installed.

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

describe.skipIf(!hasTmux)('rebuild in a terminal', () => {
  it('draws a bar with the rate and ETA on stderr, then prints the result', async () => {
    const target = sqliteTarget(dir)
    const kennel = target.recorder('kennel')
    await seedDogs(kennel, { count: 100, tricks: ['sit', 'beg'] }) // 300 notifications
    await kennel.close()
    const env = Object.entries({ PATH: process.env.PATH ?? '', TERM: 'xterm-256color', ...target.env })
    const args = ['rebuild', '--app', 'kennel', '--module', 'test/cli/fixtures/kennel.ts']
    const command = [
      'env',
      '-i',
      ...env.map(([name, value]) => `${name}=${value}`),
      process.execPath,
      ...cliArgs([...args, '--projection', 'trickCounts', '--batch-size', '10', '--pause', '60']),
    ]
    tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'cli', '-x', '120', '-y', '12', '-c', root)
    tmux('send-keys', '-t', 'cli', `${command.map(quote).join(' ')}; echo "exit=$?"`, 'Enter')
    const screen = () => tmux('capture-pane', '-p', '-t', 'cli')
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
})
