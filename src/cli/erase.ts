// `eventfold erase`: crypto-shredding — deletes a data subject's key, so that every event and
// snapshot encrypted with it can never be read again. It cannot be undone: it asks first.

import { createInterface } from 'node:readline/promises'
import type { Command } from 'commander'
import { application } from '../application/index.js'
import { CliError } from './errors.js'
import { say, sayJson, withApp } from './options.js'
import { withStore } from './store.js'

interface EraseOptions {
  readonly app: string
  readonly yes?: boolean
  readonly json?: boolean
}

/** Asks on the terminal; true when the subject is typed back. */
const confirm = async (app: string, subject: string): Promise<boolean> => {
  const terminal = createInterface({ input: process.stdin, output: process.stderr })
  try {
    const answer = await terminal.question(
      `Erase data subject "${subject}" of ${app}? Its events can never be read again. Type the subject to confirm: `,
    )
    return answer.trim() === subject
  } finally {
    terminal.close()
  }
}

/** Adds `erase` to the program. */
export const eraseCommand = (program: Command): Command =>
  withApp(
    program
      .command('erase')
      .description(
        "crypto-shredding: delete a data subject's key, so that its events and snapshots can never be read",
      )
      .argument('<subject>', "the data subject, as the aggregate's subjectOf names it"),
  )
    .option('--yes', 'do not ask (it cannot be undone)')
    .action(async (subject: string, options: EraseOptions) => {
      if (!options.yes) {
        if (!process.stdin.isTTY)
          throw new CliError('UsageError', 'erase cannot be undone: pass --yes to confirm')
        if (!(await confirm(options.app, subject)))
          throw new CliError('NotConfirmed', `"${subject}" was not typed back: nothing erased`)
      }
      await withStore(options.app, async (store) => {
        const { recorder, mapper } = store
        const found = (await recorder.selectDataKeys([subject])).has(subject)
        await application({ name: options.app, aggregates: [], recorder, mapper }).erase(subject)
        if (options.json) sayJson({ app: options.app, subject, erased: found })
        else
          say(
            found
              ? `${options.app}: erased data subject "${subject}": its events and snapshots can no longer be read`
              : `${options.app}: data subject "${subject}" has no key (never written, or erased already): nothing to erase`,
          )
      })
    })
