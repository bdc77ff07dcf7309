// Writes the golden fixtures: rows as releases 1, 2 and 3 of the kennel stored them — plain,
// compressed, and encrypted with the fixture key. Run once per new schema version and commit the
// output: `npx tsx scripts/make-fixtures.ts`. Existing files are never rewritten.

import { existsSync, writeFileSync } from 'node:fs'
import type { JsonValue } from 'eventfold/codec'
import { createKeyring, createMapper, type MapperOptions, parseKey, type RecordKind } from 'eventfold/store'
import { FIXTURE_KEY } from '../test/fixtures/kennel.js'

type Row = { kind: RecordKind; type: string; version: number; data: JsonValue }

const releases: Record<number, Row[]> = {
  1: [
    { kind: 'event', type: 'DogRegistered', version: 1, data: { name: 'Rex' } },
    { kind: 'event', type: 'TrickLearned', version: 2, data: { trick: 'sit' } },
    { kind: 'snapshot', type: 'KennelDog', version: 2, data: { name: 'Rex', tricks: ['sit'] } },
    { kind: 'event', type: 'TrickLearned', version: 3, data: { trick: 'fetch' } },
  ],
  2: [
    { kind: 'event', type: 'DogRegistered', version: 1, data: { name: 'Rex', breed: 'Collie' } },
    { kind: 'event', type: 'TrickLearned', version: 2, data: { trick: 'sit', difficulty: 1 } },
    {
      kind: 'snapshot',
      type: 'KennelDog',
      version: 2,
      data: { name: 'Rex', breed: 'Collie', tricks: ['sit'] },
    },
    { kind: 'event', type: 'TrickLearned', version: 3, data: { trick: 'fetch', difficulty: 2 } },
  ],
  3: [
    { kind: 'event', type: 'DogRegistered', version: 1, data: { name: 'Rex', breed: 'Collie', born: null } },
    { kind: 'event', type: 'TrickLearned', version: 2, data: { trick: { name: 'sit', difficulty: 1 } } },
    {
      kind: 'snapshot',
      type: 'KennelDog',
      version: 2,
      data: { name: 'Rex', breed: 'Collie', tricks: [{ name: 'sit', difficulty: 1 }] },
    },
    { kind: 'event', type: 'TrickLearned', version: 3, data: { trick: { name: 'fetch', difficulty: 2 } } },
  ],
}

const variants: Record<string, MapperOptions> = {
  plain: {},
  compressed: { compression: 'gzip', compressAbove: 0 },
  encrypted: { compression: 'gzip', compressAbove: 0, keyring: createKeyring(parseKey(FIXTURE_KEY)) },
}

for (const [release, rows] of Object.entries(releases)) {
  for (const [variant, options] of Object.entries(variants)) {
    const file = new URL(`../test/fixtures/v${release}-${variant}.json`, import.meta.url)
    if (existsSync(file)) continue
    const mapper = createMapper(options)
    const stored = rows.map(({ kind, type, version, data }) => {
      const record = mapper.toStored(
        'dog-rex',
        version,
        { type, schemaVersion: Number(release), data },
        { kind },
      )
      return {
        kind,
        streamId: record.streamId,
        version,
        type,
        schemaVersion: record.schemaVersion,
        data: Buffer.from(record.data).toString('base64'),
      }
    })
    writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`)
    console.log(`wrote ${file.pathname}`)
  }
}
