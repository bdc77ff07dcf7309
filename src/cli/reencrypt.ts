// `eventfold reencrypt`: after a key rotation (EVENTFOLD_CIPHER_KEY the new key,
// EVENTFOLD_CIPHER_OLD_KEYS the ones it replaces), moves every event, latest snapshot and data key
// to the new key, with progress. Each page is rewritten in one transaction and a run skips what is
// under the new key already, so an interrupted run resumes without rewriting anything twice.

import type { Command } from 'commander'
import { EventfoldError, isEventfoldError } from '../codec/index.js'
import { type Recorder, reencrypt } from '../store/index.js'
import { CliError, isCliError } from './errors.js'
import { type BatchGate, batchGate, onInterrupt } from './interrupt.js'
import { say, sayJson, whole, withApp } from './options.js'
import { createProgress } from './progress.js'
import { withStore } from './store.js'

interface ReencryptOptions {
  readonly app: string
  readonly batchSize: number
  readonly pause: number
  readonly progress: boolean
  readonly json?: boolean
}

/** What the job has done so far, as its recorder sees it. */
interface Tally {
  /** Every notification up to this one has been re-encrypted (if it needed it). */
  position: number
  events: number
  readonly streams: Set<string>
  snapshots: number
}

/** Told of the job's reads: a page of events from `start`, then the latest snapshot of each stream. */
interface Watcher {
  page(position: number): void
  snapshot(read: number, streams: number): void
}

/** The recorder, counting what the job reads and rewrites and passing the gate before each read. */
const watched = (recorder: Recorder, tally: Tally, watcher: Watcher, gate: BatchGate): Recorder => ({
  ...recorder,
  selectNotifications: async (start, limit, options) => {
    tally.position = start - 1
    watcher.page(start - 1)
    await gate.wait()
    const page = await recorder.selectNotifications(start, limit, options)
    for (const n of page) tally.streams.add(n.streamId)
    return page
  },
  replaceEventData: async (rows) => {
    await recorder.replaceEventData(rows)
    tally.events += rows.length
  },
  selectSnapshot: async (streamId, upTo) => {
    watcher.snapshot(tally.snapshots++, tally.streams.size)
    gate.check()
    return recorder.selectSnapshot(streamId, upTo)
  },
})

/** Progress of the two phases: notifications, then streams (whose number the first phase finds). */
const phases = (app: string, head: number, enabled: boolean): Watcher & { stop(): void } => {
  let bar = createProgress({ label: `${app} events`, unit: 'notifications', total: head, enabled })
  let snapshots = false
  return {
    page: (position) => bar.update(position),
    snapshot: (read, streams) => {
      if (!snapshots) {
        snapshots = true
        bar.update(head)
        bar.stop()
        bar = createProgress({ label: `${app} snapshots`, unit: 'streams', total: streams, enabled })
      }
      bar.update(read, streams)
    },
    stop: () => bar.stop(),
  }
}

/** Adds `reencrypt` to the program. */
export const reencryptCommand = (program: Command): Command =>
  withApp(
    program
      .command('reencrypt')
      .description(
        'after a key rotation, re-encrypt events, latest snapshots and data keys under EVENTFOLD_CIPHER_KEY (reading with EVENTFOLD_CIPHER_OLD_KEYS); plaintext ones too; interrupt and run again to resume',
      ),
  )
    .option('--batch-size <n>', 'events per transaction', whole(1), 500)
    .option(
      '--pause <ms>',
      'wait this long between pages, to spare a database that serves traffic',
      whole(0),
      0,
    )
    .option('--no-progress', 'report no progress on stderr')
    .action((options: ReencryptOptions) =>
      withStore(
        options.app,
        async (store) => {
          if (!store.mapper.encrypts)
            throw new EventfoldError(
              'InvalidConfiguration',
              `${options.app}: reencrypt needs the new key in EVENTFOLD_CIPHER_KEY (and the old ones in EVENTFOLD_CIPHER_OLD_KEYS)`,
            )
          const head = await store.recorder.maxNotificationId()
          const tally: Tally = { position: 0, events: 0, streams: new Set(), snapshots: 0 }
          const progress = phases(options.app, head, options.progress)
          const interruption = onInterrupt()
          const gate = batchGate(
            interruption.signal,
            options.pause,
            () => new CliError('Interrupted', 'reencrypt'),
          )
          try {
            const report = await reencrypt(watched(store.recorder, tally, progress, gate), store.mapper, {
              pageSize: options.batchSize,
            })
            const result = { app: options.app, ...report, scanned: Math.max(tally.position, head) }
            progress.snapshot(tally.streams.size, tally.streams.size)
            progress.stop()
            if (options.json) return sayJson(result)
            say(
              `${options.app}: re-encrypted ${report.events} events, ${report.snapshots} snapshots and ` +
                `${report.dataKeys} data keys (${result.scanned} notifications scanned)`,
            )
          } catch (error) {
            progress.stop()
            if (isEventfoldError(error, 'DecryptionError'))
              throw new EventfoldError(
                'DecryptionError',
                `${error.message.replace(/^DecryptionError: /, '')} (EVENTFOLD_CIPHER_OLD_KEYS must hold every key the store was written with)`,
                error.context,
                { cause: error },
              )
            if (!isCliError(error, 'Interrupted')) throw error
            throw new CliError(
              'Interrupted',
              `${options.app}: reencrypt stopped after notification ${tally.position} of ${head}, having re-encrypted ` +
                `${tally.events} events; run the same command again to go on (what is under the new key is skipped)`,
            )
          } finally {
            interruption.dispose()
          }
        },
        { mapper: (options) => ({ ...options, acceptPlaintext: true }) },
      ),
    )
