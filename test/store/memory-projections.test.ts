import { describe, it } from 'vitest'
import { createMemoryRecorder } from '../../src/store/index.js'
import { projectionConformance } from '../../src/testing/index.js'

describe('memory recorder: projection conformance', () => {
  for (const c of projectionConformance(() => createMemoryRecorder())) it(c.name, c.run)
})
