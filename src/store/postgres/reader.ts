// The connection streams are read on: its own, so that a load never waits behind an append in
// flight, and loads that come together go out in one write (the driver pipelines them). A read with
// no reply in time drops that connection for a new one, so one silent connection holds no read.

import type postgres from 'postgres'

/** Reads on a connection of their own (or on `sql` when the pool has room for one connection only). */
export interface Reader {
  /**
   * Runs a read. One with no reply within `replyTimeoutMs` (a connection cut off without a word)
   * would hold every read queued behind it: the connection is dropped for a new one, and the read
   * fails with CONNECTION_CLOSED (a ConnectionError once translated), to be tried again.
   */
  read<T>(query: (db: postgres.Sql) => Promise<T>): Promise<T>
  end(): Promise<void>
}

/** Creates the reader; `connect(1)` opens its connection, `sql` serves when `separate` is false. */
export const createReader = (
  sql: postgres.Sql,
  connect: (max: number) => postgres.Sql,
  separate: boolean,
  replyTimeoutMs: number,
): Reader => {
  let reader = separate ? connect(1) : sql
  return {
    read: <T>(query: (db: postgres.Sql) => Promise<T>): Promise<T> => {
      if (reader === sql) return query(sql)
      const db = reader
      let timer: ReturnType<typeof setTimeout> | undefined
      const silent = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          if (reader === db) {
            reader = connect(1)
            void db.end({ timeout: 0 }).catch(() => undefined)
          }
          const error = new Error(`no reply to a read within ${replyTimeoutMs} ms`)
          reject(Object.assign(error, { code: 'CONNECTION_CLOSED' }))
        }, replyTimeoutMs)
        timer.unref?.()
      })
      return Promise.race([query(db), silent]).finally(() => clearTimeout(timer))
    },
    end: async () => {
      if (reader !== sql) await reader.end({ timeout: 1 })
    },
  }
}
