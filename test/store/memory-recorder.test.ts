import { createMemoryRecorder } from 'eventfold/store'
import { describe, it } from 'vitest'
import { recorderConformance } from '../../src/testing/index.js'

describe('memory recorder conformance', () => {
  for (const c of recorderConformance(createMemoryRecorder)) it(c.name, c.run)
})
