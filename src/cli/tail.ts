// `eventfold tail`: prints an application's log — decoded with its aggregates when given its
// module, raw otherwise — filtered by type and stream, and with --follow keeps printing new commits.

import { type Command, Option } from 'commander'
import { createNotificationLog, follow, MAX_PAGE, type NotificationLog } from '../log/index.js'
import type { Notification } from '../store/index.js'
import { onInterrupt } from './interrupt.js'
import { aggregatesOf, loadModules } from './module.js'
import { collect, say, sayJson, whole, withApp, withModule } from './options.js'
import { decodingViewer, lineOf, noStream, rawViewer, type Viewer } from './show.js'
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
    .addOption(
      new Option('--from <id>', 'start at this notification id (default 1)')
        .argParser(whole(1))
        .conflicts('last'),
    )
    .option(
      '--last <n>',
      'instead of --from: start with the last <n> events shown (those of --stream and --type, if given)',
      whole(0),
    )
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
        if (
          options.stream !== undefined &&
          (await store.recorder.selectEvents(options.stream, { limit: 1 })).length === 0
        )
          process.stderr.write(
            `${noStream(options.app, options.stream)}: ${options.follow ? 'none yet, following' : 'nothing to show'}\n`,
          )
        const log = createNotificationLog(store.recorder)
        const after =
          options.last === undefined
            ? (options.from ?? 1) - 1
            : await beforeLast(store, log, await log.maxId(), options.last, options)
        const types = options.type ? { types: options.type } : {}
        if (options.follow) await following(log, after, options, types, print)
        else await upToHead(log, after, options.batchSize, types, print)
      }),
    )

/**
 * The notification id just before the last `n` that tail shows up to `head`: of the stream and
 * the types asked for, if any (0 when there are fewer).
 */
const beforeLast = async (
  store: Store,
  log: NotificationLog,
  head: number,
  n: number,
  options: TailOptions,
): Promise<number> => {
  if (n === 0) return head
  const types = options.type && new Set(options.type)
  const ids: number[] = [] // of the matching notifications, newest first
  if (options.stream !== undefined)
    // The stream's events, newest first, in pages: far fewer than the log's notifications.
    for (let upTo = Number.MAX_SAFE_INTEGER; ids.length < n; ) {
      const page = await store.recorder.selectEvents(options.stream, {
        upTo,
        backwards: true,
        limit: options.batchSize,
      })
      for (const e of page) if (e.id <= head && (!types || types.has(e.type))) ids.push(e.id)
      const oldest = page.at(-1)?.version ?? 1
      if (page.length < options.batchSize || oldest <= 1) break
      upTo = oldest - 1
    }
  else if (!types) return Math.max(0, head - n)
  // The log backwards in windows (growing, for rare types), each read of those types only.
  else
    for (let stop = head, size = options.batchSize; stop > 0 && ids.length < n; ) {
      const start = Math.max(1, stop - size + 1)
      const page = await log.select(start, stop - start + 1, { stop, types: [...types] })
      ids.push(...page.map((p) => p.id).reverse())
      stop = start - 1
      size = Math.min(size * 2, MAX_PAGE)
    }
  return ids.length < n ? 0 : (ids[n - 1] ?? 1) - 1
}

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
