// `eventfold rebuild`: catches up a projection version exported by the application's module, beside
// the versions that serve readers, with progress. Its position is committed with each batch, so an
// interrupted rebuild (Ctrl-C, a kill, a crash) resumes where it stopped, applying nothing twice.

import type { Command } from 'commander'
import { application, type LogEntry } from '../application/index.js'
import { createNotificationLog, type NotificationLog } from '../log/index.js'
import { createDocumentProjection, createSqlProjection, type ProjectionRunner } from '../runners/index.js'
import type { Notification } from '../store/index.js'
import { CliError, isCliError } from './errors.js'
import { type BatchGate, batchGate, onInterrupt } from './interrupt.js'
import { aggregatesOf, loadModules, type ProjectionDefinition, projectionNamed } from './module.js'
import { say, sayJson, whole, withApp, withModule } from './options.js'
import { createProgress, type Progress } from './progress.js'
import { type Store, withStore } from './store.js'

interface RebuildOptions {
  readonly app: string
  readonly module: readonly string[]
  readonly projection: string
  readonly dropOlder?: boolean
  readonly deadLetter?: boolean
  readonly batchSize: number
  readonly pause: number
  readonly progress: boolean
  readonly json?: boolean
}

/** The stored position of a version (0 before it is registered). */
const positionOf = async (store: Store, name: string, version: number): Promise<number> =>
  (await store.recorder.selectProjections(name)).find((s) => s.version === version)?.position ?? 0

/** The runner of a definition, reading `log` and decoding with the module's aggregates. */
const runnerOf = (
  store: Store,
  projection: ProjectionDefinition,
  log: NotificationLog,
  decode: (notifications: readonly Notification[]) => Promise<readonly LogEntry[]>,
  options: RebuildOptions,
): ProjectionRunner => {
  const source = { name: store.app, log, decode }
  const common = {
    source,
    store: store.recorder,
    batchSize: options.batchSize,
    poison: options.deadLetter ? ('dead-letter' as const) : ('stop' as const),
  }
  return projection._tag === 'Document'
    ? createDocumentProjection({ ...common, projection: projection.definition })
    : createSqlProjection({ ...common, projection: projection.definition })
}

/** The log, reporting each read's start as progress and passing the gate before it. */
const watchedLog = (log: NotificationLog, progress: Progress, gate: BatchGate): NotificationLog => ({
  ...log,
  select: async (start, limit, options) => {
    progress.update(start - 1) // everything before `start` is committed
    await gate.wait()
    return log.select(start, limit, options)
  },
})

/** Adds `rebuild` to the program. */
export const rebuildCommand = (program: Command): Command =>
  withModule(
    withApp(
      program
        .command('rebuild')
        .description(
          'catch up a projection version (built beside the older ones, which serve readers until it is ready), with progress; interrupt and run again to resume',
        ),
    ),
    'its aggregates and the projection',
    true,
  )
    .requiredOption(
      '--projection <export>',
      'the name under which the module exports the projection definition',
    )
    .option(
      '--drop-older',
      "once it is ready, drop the older versions' documents, positions and dead letters",
    )
    .option(
      '--dead-letter',
      'keep entries the projection cannot apply as dead letters (default: stop at the first)',
    )
    .option('--batch-size <n>', 'notifications per transaction', whole(1), 500)
    .option(
      '--pause <ms>',
      'wait this long between batches, to spare a database that serves traffic',
      whole(0),
      0,
    )
    .option('--no-progress', 'report no progress on stderr')
    .action((options: RebuildOptions) =>
      withStore(options.app, async (store) => {
        const module = await loadModules(options.module)
        const projection = projectionNamed(module, options.projection)
        const { name, version } = projection.definition
        const aggregates = aggregatesOf(module)
        const { app, recorder, mapper } = store
        const decoder = application({ name: app, aggregates, recorder, mapper, cacheSize: 0 })
        const head = await recorder.maxNotificationId()
        const start = await positionOf(store, name, version)
        const label = `${name} v${version}`
        const progress = createProgress({
          label,
          unit: 'notifications',
          total: head,
          done: start,
          enabled: options.progress,
        })
        const interruption = onInterrupt()
        let applied: number
        try {
          const stop = () => new CliError('Interrupted', label)
          const log = watchedLog(
            createNotificationLog(recorder),
            progress,
            batchGate(interruption.signal, options.pause, stop),
          )
          const runner = runnerOf(store, projection, log, decoder.decode, options)
          applied = await runner.catchUp()
          progress.update(await positionOf(store, name, version))
        } catch (error) {
          if (!isCliError(error, 'Interrupted')) throw error
          const at = await positionOf(store, name, version)
          progress.update(at)
          throw new CliError(
            'Interrupted',
            `${label} stopped at notification ${at} of ${head}; its position is stored: run the same command again to resume`,
          )
        } finally {
          progress.stop()
          interruption.dispose()
        }
        const versions = await recorder.selectProjections(name)
        const current = versions.find((s) => s.version === version)
        const dropped = []
        if (options.dropOlder)
          for (const older of versions.filter((s) => s.version < version)) {
            await recorder.dropProjection({ name, version: older.version })
            dropped.push(older.version)
          }
        const deadLetters = (await recorder.selectDeadLetters({ name, version })).length
        const result = {
          projection: name,
          version,
          kind: projection._tag === 'Document' ? 'document' : 'sql',
          applied,
          position: current?.position ?? 0,
          ready: current?.ready ?? false,
          deadLetters,
          dropped,
        }
        if (options.json) return sayJson(result)
        say(
          `${label}: ready at notification ${result.position} (${applied} applied by this run, ${deadLetters} dead letters)`,
        )
        if (dropped.length > 0)
          say(
            `dropped ${dropped.map((v) => `v${v}`).join(', ')}` +
              (projection._tag === 'Sql'
                ? ' (their positions and dead letters: their tables are yours to drop)'
                : ''),
          )
      }),
    )
