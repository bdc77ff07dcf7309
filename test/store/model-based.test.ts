import { createSqliteRecorder } from 'eventfold/store/sqlite'
import { describe, it } from 'vitest'
import { checkAgainstModel } from '../support/recorder-model.js'

describe('SQLite recorder against the memory model', () => {
  it('answers every random operation sequence as the model does', async () => {
    await checkAgainstModel(() => createSqliteRecorder(), 150)
  })
})
