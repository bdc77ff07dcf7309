// Prints one plain closing line, "N passed, N failed, N skipped", that any CI can read.

import type { Reporter, TestModule } from 'vitest/node'

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const count = { passed: 0, failed: 0, skipped: 0, pending: 0 }
    for (const module of modules)
      for (const test of module.children.allTests()) count[test.result().state] += 1
    console.log(`\ntests: ${count.passed} passed, ${count.failed} failed, ${count.skipped} skipped`)
  }
}
