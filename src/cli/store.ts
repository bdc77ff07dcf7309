// Opening an application's store the way the application does, from the environment — but never
// creating tables (a mistyped --app must not create any), and with the projection tables at hand.

import { existsSync } from 'node:fs'
import { type Config, checkName, type Environment, readConfig } from '../application/index.js'
import { EventfoldError } from '../codec/index.js'
import { createMapper, type Mapper, type MapperOptions } from '../store/index.js'
import type { PostgresRecorder } from '../store/postgres/index.js'
import type { SqliteRecorder } from '../store/sqlite/index.js'

/** An application's recorder, as the environment configures it, with its mapper. */
export type Store = { readonly app: string; readonly config: Config; readonly mapper: Mapper } & (
  | { readonly persistence: 'sqlite'; readonly recorder: SqliteRecorder }
  | { readonly persistence: 'postgres'; readonly recorder: PostgresRecorder }
)

/** Reads an application's configuration; the memory store (the default) has nothing to read. */
export const configOf = (app: string, env: Environment = process.env): Config => {
  const config = readConfig(checkName('application', app), env)
  if (config.recorder.persistence === 'memory')
    // Likely a missing variable, and in a script a silent success on an empty store would hide it.
    throw new EventfoldError(
      'InvalidConfiguration',
      `${app}: EVENTFOLD_PERSISTENCE says memory (the default), which keeps nothing between processes: ` +
        "set EVENTFOLD_PERSISTENCE=postgres (or sqlite) and the rest of the application's environment",
    )
  return config
}

/** Opens application `app`'s store; `mapper` adjusts the mapper options the environment gives. */
export const openStore = async (
  app: string,
  options: {
    readonly env?: Environment
    readonly mapper?: (options: MapperOptions) => MapperOptions
  } = {},
): Promise<Store> => {
  const config = configOf(app, options.env)
  const mapper = createMapper(options.mapper ? options.mapper(config.mapper) : config.mapper)
  const recorder = config.recorder
  if (recorder.persistence === 'sqlite') {
    const { path, prefix } = recorder
    if (path === undefined)
      throw new EventfoldError(
        'InvalidConfiguration',
        `${app}: an in-memory SQLite database keeps nothing between processes: set EVENTFOLD_SQLITE_PATH`,
      )
    if (!existsSync(path))
      throw new EventfoldError('InvalidConfiguration', `${app}: there is no SQLite database at ${path}`)
    const { createSqliteRecorder } = await import('../store/sqlite/index.js')
    const opened = createSqliteRecorder({ path, prefix, createTables: false })
    return { app, config, mapper, persistence: 'sqlite', recorder: opened }
  }
  if (recorder.persistence === 'postgres') {
    const { createPostgresRecorder } = await import('../store/postgres/index.js')
    const { persistence: _, url, ...settings } = recorder
    const opened = createPostgresRecorder({
      ...settings,
      createTables: false,
      applicationName: 'eventfold-cli',
      ...(url === undefined ? {} : { url }),
    })
    return { app, config, mapper, persistence: 'postgres', recorder: opened }
  }
  throw new EventfoldError('InvalidConfiguration', `${app}: nothing to open on the memory store`)
}

/** Runs `work` with application `app`'s store open, and closes it whatever happens. */
export const withStore = async <T>(
  app: string,
  work: (store: Store) => Promise<T>,
  options?: Parameters<typeof openStore>[1],
): Promise<T> => {
  const store = await openStore(app, options)
  try {
    return await work(store)
  } finally {
    await store.recorder.close()
  }
}
