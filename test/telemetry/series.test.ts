// Metrics carry no stream id: a series per stream would never end.

import { application } from 'eventfold/application'
import { createMemoryRecorder, type Instrumentation, noInstrumentation } from 'eventfold/store'
import { expect, it } from 'vitest'
import { dogs } from '../../examples/dog-school/dog-school.js'

it('counters carry no per-stream attribute (one metric series per stream never ends)', async () => {
  const counted: { name: string; attributes: Record<string, unknown> }[] = []
  const instrumentation: Instrumentation = {
    ...noInstrumentation,
    count: (name, _value, attributes = {}) => counted.push({ name, attributes }),
  }
  const app = application({
    name: 'school',
    aggregates: [dogs],
    recorder: createMemoryRecorder(),
    instrumentation,
  })
  for (let i = 0; i < 50; i++) await app.execute(dogs, `dog-${i}`, { type: 'AddTrick', trick: 'sit' })
  const series = (name: string) =>
    new Set(counted.filter((c) => c.name === name).map((c) => JSON.stringify(c.attributes))).size
  console.log(
    `series: commands ${series('eventfold.commands')}, rejections ${series('eventfold.rejections')}`,
  )
  expect(series('eventfold.commands')).toBe(1)
  expect(series('eventfold.rejections')).toBe(1)
})
