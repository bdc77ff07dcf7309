// A ledger of the accounts model for the durable projection tests: one document per account with
// the number of entries applied to it, their stream versions in order and the sum deposited; the
// fold of a whole log that every run must end at; and a writer that keeps appending deposits.

import { type Application, application, type EntryOf, instruction } from 'eventfold/application'
import { jsonState } from 'eventfold/codec'
import { type DocumentProjection, documentProjection } from 'eventfold/process'
import type { Recorder } from 'eventfold/store'
import { accounts } from './instances-model.js'

/** An entry of the bank's log. */
export type LedgerEntry = EntryOf<typeof accounts>

/** One account's document: `deposits` only in version 2. */
export interface LedgerDocument {
  readonly n: number
  readonly versions: readonly number[]
  readonly sum: number
  readonly deposits?: number
}

/** Version 1 counts entries, lists their versions and sums deposits; version 2 also counts deposits. */
export const ledger = (version: 1 | 2 = 1): DocumentProjection<LedgerDocument, LedgerEntry> =>
  documentProjection({
    name: 'ledger',
    version,
    codec: jsonState<LedgerDocument>('Ledger'),
    key: (entry: LedgerEntry) => entry.notification.streamId,
    evolve: (document: LedgerDocument | undefined, entry) => {
      const current = document ?? { n: 0, versions: [], sum: 0 }
      const amount = entry._tag === 'Event' && entry.event.type === 'Deposited' ? entry.event.amount : 0
      const next = {
        n: current.n + 1,
        versions: [...current.versions, entry.notification.version],
        sum: current.sum + amount,
      }
      if (version === 1) return next
      return { ...next, deposits: (current.deposits ?? 0) + (amount > 0 ? 1 : 0) }
    },
  })

/** The bank application over `recorder`. */
export const bank = (recorder: Recorder) => application({ name: 'bank', aggregates: [accounts], recorder })

/** Every entry of the log, in order. */
export const readLog = async (app: Application): Promise<LedgerEntry[]> => {
  const entries: LedgerEntry[] = []
  for (;;) {
    const page = (await app.read((entries.at(-1)?.notification.id ?? 0) + 1, 1000)) as LedgerEntry[]
    if (page.length === 0) return entries
    entries.push(...page)
  }
}

/** The documents a projection holds after folding `entries` from nothing, by key. */
export const fold = <D>(projection: DocumentProjection<D, LedgerEntry>, entries: readonly LedgerEntry[]) => {
  const documents = new Map<string, D>()
  for (const entry of entries)
    for (const key of projection.keys(entry)) {
      const next = projection.evolve(documents.get(key), entry, key)
      if (next === undefined) documents.delete(key)
      else documents.set(key, next)
    }
  return documents
}

/** The account ids a ledger test writes to. */
export const accountIds = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => `a${String(i).padStart(2, '0')}`)

/** Opens the accounts, then appends `rounds` deposits to each, one transaction a round. */
export const seed = async (app: ReturnType<typeof bank>, ids: readonly string[], rounds: number) => {
  await app.executeAll(ids.map((id) => instruction(accounts, id, { type: 'Open' })))
  for (let round = 0; round < rounds; round++)
    await app.executeAll(
      ids.map((id, i) => instruction(accounts, id, { type: 'Deposit', amount: ((round * 7 + i) % 13) + 1 })),
    )
}

/**
 * Appends deposits of random amounts to `perRound` random accounts, one transaction a round, with
 * `pauseMs` between rounds, until `stop` — which resolves to the number of events appended.
 */
export const startWriting = (
  app: ReturnType<typeof bank>,
  ids: readonly string[],
  options: { readonly perRound: number; readonly pauseMs: number },
) => {
  let stopped = false
  let appended = 0
  const writing = (async () => {
    while (!stopped) {
      const chosen = Array.from(
        { length: options.perRound },
        () => ids[Math.floor(Math.random() * ids.length)],
      )
      const done = await app.executeAll(
        chosen.map((id) =>
          instruction(accounts, id ?? 'a00', {
            type: 'Deposit',
            amount: 1 + Math.floor(Math.random() * 100),
          }),
        ),
      )
      appended += done.notificationIds.length
      await new Promise((resolve) => setTimeout(resolve, options.pauseMs))
    }
  })()
  return {
    /** Events appended so far. */
    appended: () => appended,
    stop: async (): Promise<number> => {
      stopped = true
      await writing
      return appended
    },
  }
}
