// `eventfold tail`: prints an application's log — decoded with its aggregates when given its
// module, raw otherwise — filtered by type and stream, and with --follow keeps printing new commits.

import type { Command } from 'commander'
import { createNotificationLog, follow, type NotificationLog } from '../log/index.js'
import type { Notification } from '../store/index.js'
import { onInterrupt } from './interrupt.js'
import { aggregatesOf, loadModules } from './module.js'
import { collect, say, sayJson, whole, withApp, withModule } from './options.js'
import { decodingViewer, lineOf, rawViewer, type Viewer } from './show.js'
import { type Store, withStore } from './store.js'

interface TailOptions {
  readonly app: string
  readonly module?: readonly string[]
  readonly from?: number
  readonly last?: number
  readonly type?: readonly string[]
  readonly stream?: string
  readonly follow?: boolean
  readonly json?: boolean
  readonly batchSize: number
  readonly poll: number
}

/** The viewer the options ask for: decoding when modules are given, raw otherwise. */
export const viewerFor = async (store: Store, modules: readonly string[]): Promise<Viewer> =>
  modules.length > 0 ? decodingViewer(store, aggregatesOf(await loadModules(modules))) : rawViewer(store)

/** Adds `tail` to the program. */
export const tailCommand = (program: Command): Command =>
  withModule(
    withApp(program.command('tail').description("print an application's log, oldest first")),
    'its aggregates (to decode events; raw without)',
  )
    .option('--from <id>', 'start at this notification id (default 1)', whole(1))
    .option('--last <n>', 'start <n> notifications before the end of the log', whole(0))
    .option('--type <type>', 'only events of this stored type (repeatable)', collect)
    .option('--stream <id>', 'only events of this stream (<aggregate>-<id>)')
    .option('--follow', 'keep printing new events as they are committed, until Ctrl-C')
    .option('--batch-size <n>', 'notifications per read', whole(1), 500)
    .option(
      '--poll <ms>',
      'with --follow, read at least this often (commits elsewhere may not wake it)',
      whole(10),
      1000,
    )
    .action((options: TailOptions) =>
      withStore(options.app, async (store) => {
        const viewer = await viewerFor(store, options.module ?? [])
        const print = async (notifications: readonly Notification[]) => {
          const wanted =
            options.stream === undefined
              ? notifications
              : notifications.filter((n) => n.streamId === options.stream)
          for (const shown of await viewer(wanted))
            if (options.json) sayJson(shown)
            else say(lineOf(shown))
        }
        const log = createNotificationLog(store.recorder)
        const after =
          options.last === undefined
            ? (options.from ?? 1) - 1
            : Math.max(0, (await log.maxId()) - options.last)
        const types = options.type ? { types: options.type } : {}
        if (options.follow) await following(log, after, options, types, print)
        else await upToHead(log, after, options.batchSize, types, print)
      }),
    )

/** Prints what the log holds now, from `after`. */
const upToHead = async (
  log: NotificationLog,
  after: number,
  batchSize: number,
  types: { readonly types?: readonly string[] },
  print: (notifications: readonly Notification[]) => Promise<void>,
): Promise<void> => {
  const stop = await log.maxId()
  for (let position = after; position < stop; ) {
    const page = await log.select(position + 1, batchSize, { stop, ...types })
    await print(page)
    if (page.length < batchSize) return
    position = page.at(-1)?.id ?? stop
  }
}

/** Prints from `after` on, woken by commits, until SIGINT or SIGTERM. */
const following = async (
  log: NotificationLog,
  after: number,
  options: TailOptions,
  types: { readonly types?: readonly string[] },
  print: (notifications: readonly Notification[]) => Promise<void>,
): Promise<void> => {
  const interruption = onInterrupt()
  try {
    const reading = { after, batchSize: options.batchSize, pollMs: options.poll, signal: interruption.signal }
    for await (const batch of follow(log, { ...reading, ...types })) await print(batch.notifications)
  } finally {
    interruption.dispose()
  }
}
