// `eventfold stream`: one stream's history — versions, notification ids, times, event ids,
// metadata, and the events decoded (given the application's module) or raw.

import type { Command } from 'commander'
import { CliError } from './errors.js'
import { say, sayJson, whole, withApp, withModule } from './options.js'
import { blockOf, noStream } from './show.js'
import { withStore } from './store.js'
import { viewerFor } from './tail.js'

interface StreamOptions {
  readonly app: string
  readonly module?: readonly string[]
  readonly after: number
  readonly json?: boolean
  readonly batchSize: number
}

/** Adds `stream` to the program. */
export const streamCommand = (program: Command): Command =>
  withModule(
    withApp(
      program
        .command('stream')
        .description("print a stream's history: versions, notification ids, times, event ids, metadata")
        .argument('<stream-id>', 'the stream, as stored: <aggregate>-<id> (dog-42, say)'),
    ),
    'its aggregates (to decode events; raw without)',
  )
    .option('--after <version>', 'start after this version', whole(0), 0)
    .option('--batch-size <n>', 'events per read', whole(1), 1000)
    .action((streamId: string, options: StreamOptions) =>
      withStore(options.app, async (store) => {
        const viewer = await viewerFor(store, options.module ?? [])
        let count = 0
        for (let after = options.after; ; ) {
          const page = await store.recorder.selectEvents(streamId, { after, limit: options.batchSize })
          for (const shown of await viewer(page))
            if (options.json) sayJson(shown)
            else say(blockOf(shown))
          count += page.length
          after = page.at(-1)?.version ?? after
          if (page.length < options.batchSize) break
        }
        if (count === 0 && options.after === 0)
          throw new CliError('StreamNotFound', noStream(options.app, streamId))
      }),
    )
