// Several application instances over one memory or SQLite store decide on the current state,
// whatever each has cached: every result matches an oracle that reads before deciding.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createMemoryRecorder } from 'eventfold/store'
import { createSqliteRecorder } from 'eventfold/store/sqlite'
import { describe, it } from 'vitest'
import { checkInstances } from '../support/instances-model.js'

describe('many application instances over one store', () => {
  it('memory: every command decided as on a state read just before', async () => {
    await checkInstances(() => {
      const recorder = createMemoryRecorder()
      return { recorders: () => recorder, close: () => recorder.close() }
    }, 200)
  })

  it('SQLite, one file and a connection per instance: the same', async () => {
    await checkInstances(() => {
      const dir = mkdtempSync(join(tmpdir(), 'eventfold-instances-'))
      const path = join(dir, 'bank.db')
      return {
        recorders: () => createSqliteRecorder({ path }),
        close: async () => rmSync(dir, { recursive: true, force: true }),
      }
    }, 60)
  })
})
