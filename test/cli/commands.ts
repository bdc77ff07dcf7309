// The commands against one store, run as child processes: a suite over a target (a SQLite file or a
// PostgreSQL schema), which commands.test.ts and commands.int.test.ts run on each.

import { aggregate, application, instruction } from 'eventfold/application'
import { createKeyring, createMapper, generateKey, parseKey } from 'eventfold/store'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dog, dogEvents } from '../../examples/dog-school/dog.js'
import { eventfold, seedDogs, startEventfold, type Target } from '../support/cli.js'
import { dogs } from './fixtures/kennel.js'

const KENNEL = 'test/cli/fixtures/kennel.ts'
const SHELTER = 'test/cli/fixtures/shelter.ts'

/** The JSON lines a command printed. */
const jsonLines = (out: string): Record<string, unknown>[] =>
  out
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>)

/** Runs the commands' suite against the stores of `target()`. */
export const describeCommands = (target: () => Target): void => {
  let t: Target
  beforeAll(async () => {
    t = target()
    const kennel = t.recorder('kennel')
    await seedDogs(kennel, { count: 30, tricks: ['sit', 'beg'] }) // notifications 1–90
    const app = application({ name: 'kennel', aggregates: [dogs], recorder: kennel })
    await app.execute(dogs, 'd0', { type: 'AddTrick', trick: 'roll' }, { metadata: { actor: 'ann' } }) // 91
    await kennel.close()
    // The vet has processed the kennel's notifications up to 40.
    const vet = t.recorder('vet')
    const vetApp = application({ name: 'vet', aggregates: [dogs], recorder: vet })
    await vetApp.executeAll([instruction(dogs, 'v1', { type: 'RegisterDog', name: 'Patient' })], {
      upstream: 'kennel',
      notificationId: 40,
    })
    await vet.close()
  })
  afterAll(() => t.cleanup())
  const run = (args: readonly string[], env: Record<string, string> = {}) =>
    eventfold(args, { ...t.env, ...env })

  describe('tail', () => {
    it('prints the log raw: id, time, stream@version, type, stored JSON and metadata', () => {
      const { code, out } = run(['tail', '--app', 'kennel'])
      expect(code).toBe(0)
      const lines = out.trim().split('\n')
      expect(lines).toHaveLength(91)
      expect(lines[0]).toMatch(/^#1 \d{4}-\d\d-\d\dT[\d:.]+Z dog-d0@1 DogRegistered \{"name":"Dog d0"\}$/)
      expect(lines[90]).toMatch(/^#91 \S+ dog-d0@4 TrickAdded \{"trick":"roll"\} metadata=\{"actor":"ann"\}$/)
    })

    it('decodes with the module, filters by type and stream, and prints JSON lines', () => {
      const args = [
        'tail',
        '--app',
        'kennel',
        '--module',
        KENNEL,
        '--type',
        'TrickAdded',
        '--stream',
        'dog-d1',
      ]
      const { code, out } = run([...args, '--json'])
      expect(code).toBe(0)
      const entries = jsonLines(out)
      expect(entries.map((e) => [e.id, e.version, e.aggregate, e.event])).toEqual([
        [5, 2, 'dog', { type: 'TrickAdded', trick: 'sit' }],
        [6, 3, 'dog', { type: 'TrickAdded', trick: 'beg' }],
      ])
      expect(entries[0]).toMatchObject({ streamId: 'dog-d1', schemaVersion: 1, eventId: expect.any(String) })
      expect(new Date(String(entries[0]?.recordedAt)).getTime()).not.toBeNaN()
      expect(
        jsonLines(run(['tail', '--app', 'kennel', '--from', '90', '--json']).out).map((e) => e.id),
      ).toEqual([90, 91])
      expect(jsonLines(run(['tail', '--app', 'kennel', '--last', '1', '--json']).out)).toMatchObject([
        { id: 91, metadata: { actor: 'ann' }, data: { trick: 'roll' } },
      ])
    })

    it('with --last <n> and a stream or types, starts at the last n of those', () => {
      const ids = (args: readonly string[]) =>
        jsonLines(run(['tail', '--app', 'kennel', '--json', ...args]).out).map((e) => e.id)
      expect(ids(['--stream', 'dog-d1', '--last', '1'])).toEqual([6])
      expect(ids(['--stream', 'dog-d0', '--type', 'TrickAdded', '--last', '2'])).toEqual([3, 91])
      expect(ids(['--type', 'DogRegistered', '--last', '2'])).toEqual([85, 88])
      // Read backwards in windows that grow from --batch-size: a rare type far back is found too.
      expect(ids(['--type', 'DogRegistered', '--last', '3', '--batch-size', '1'])).toEqual([82, 85, 88])
      expect(ids(['--stream', 'dog-d1', '--last', '5', '--batch-size', '1'])).toEqual([4, 5, 6])
      expect(ids(['--stream', 'dog-d1', '--last', '0'])).toEqual([])
    })

    it('says on stderr that a stream has no events, with how stream ids are made', () => {
      expect(run(['tail', '--app', 'kennel', '--stream', 'd1'])).toEqual({
        code: 0,
        out: '',
        err: 'application "kennel" has no stream "d1" (stream ids are <aggregate>-<id>: dog-42, say): nothing to show\n',
      })
      expect(run(['tail', '--app', 'kennel', '--stream', 'dog-d1', '--type', 'Nope'])).toEqual({
        code: 0,
        out: '',
        err: '',
      })
    })

    it('follows new commits until SIGINT, then exits 0', async () => {
      const tail = startEventfold(
        ['tail', '--app', 'kennel', '--from', '92', '--follow', '--poll', '100', '--json'],
        t.env,
      )
      await new Promise((resolve) => setTimeout(resolve, 1500)) // started, and waiting
      const kennel = t.recorder('kennel')
      const app = application({ name: 'kennel', aggregates: [dogs], recorder: kennel })
      await app.execute(dogs, 'd1', { type: 'AddTrick', trick: 'fetch' })
      await tail.waitFor(/"fetch"/)
      tail.child.kill('SIGINT')
      expect(await tail.exited).toEqual({ code: 0, signal: null })
      expect(jsonLines(tail.out())).toMatchObject([{ id: 92, streamId: 'dog-d1', data: { trick: 'fetch' } }])
      expect(tail.err()).toBe('')
      await kennel.close()
    })
  })

  describe('stream', () => {
    it("prints a stream's history with versions, ids, times, event ids and metadata", () => {
      const { code, out } = run(['stream', '--app', 'kennel', 'dog-d0', '--module', KENNEL])
      expect(code).toBe(0)
      expect(out).toMatch(
        /^v1 {2}#1 {2}\S+Z {2}DogRegistered\n {2}event id {2}[0-9a-f-]{36}\n {2}event {5}\{"name":"Dog d0"\}/,
      )
      expect(out).toMatch(
        /v4 {2}#91 .*TrickAdded\n.*\n {2}metadata {2}\{"actor":"ann"\}\n {2}event {5}\{"trick":"roll"\}/,
      )
      const json = jsonLines(run(['stream', '--app', 'kennel', 'dog-d0', '--json', '--after', '1']).out)
      expect(json.map((e) => [e.version, e.id, e.data])).toEqual([
        [2, 2, { trick: 'sit' }],
        [3, 3, { trick: 'beg' }],
        [4, 91, { trick: 'roll' }],
      ])
    })

    it('fails with StreamNotFound for a stream that has no events', () => {
      expect(run(['stream', '--app', 'kennel', 'd0'])).toMatchObject({
        code: 1,
        err: expect.stringMatching(/^StreamNotFound: application "kennel" has no stream "d0"/),
      })
    })
  })

  describe('rebuild and lag', () => {
    it('reports followers named in a system and projections named by the module', () => {
      const { code, out } = run(['lag', '--app', 'vet', '--module', KENNEL, '--json'])
      expect(code).toBe(0)
      expect(JSON.parse(out)).toEqual({
        app: 'vet',
        head: 1,
        projections: [{ name: 'trick_counts', versions: [] }],
        followers: [{ upstream: 'kennel', position: 40, head: 92, behind: 52 }],
      })
      expect(run(['lag', '--app', 'vet', '--follower', 'kennel']).out).toMatch(
        /^vet: the log is at notification 1\nfollowing kennel: at 40 of 92, 52 behind\n$/,
      )
      // Unnamed, the followers are those the store tracks.
      expect(run(['lag', '--app', 'vet']).out).toMatch(
        /^vet: the log is at notification 1\nfollowing kennel: at 40 of 92, 52 behind\n$/,
      )
    })

    it('builds a projection version, then a new one beside it, dropping the older once it is ready', async () => {
      const rebuild = ['rebuild', '--app', 'kennel', '--module', KENNEL, '--batch-size', '25']
      const first = run([...rebuild, '--projection', 'trickCounts'])
      expect(first).toMatchObject({
        code: 0,
        out: 'trick_counts v1: ready at notification 92 (92 applied by this run, 0 dead letters)\n',
      })
      expect(first.err).toMatch(
        /^trick_counts v1: 0\/92 notifications \(0%\)\n[\s\S]*trick_counts v1: 92\/92 notifications \(100%\)/,
      )
      const reported = first.err.split('\n').flatMap((line) => /: (\d+\/\d+) /.exec(line)?.[1] ?? [])
      expect(reported).toEqual([...new Set(reported)]) // no line repeats a count
      expect(run(['lag', '--app', 'kennel', '--projection', 'trick_counts']).out).toMatch(
        /projection trick_counts v1: at 92, 0 behind, ready\n/,
      )
      // With the module, a projection is named by its export name too.
      const byExport = ['lag', '--app', 'kennel', '--module', KENNEL, '--projection', 'trickCounts', '--json']
      expect(JSON.parse(run(byExport).out).projections).toMatchObject([
        { name: 'trick_counts', versions: [{ version: 1, position: 92, ready: true }] },
      ])
      // Without it, a name that has no version is said so, with the names that have.
      expect(run(['lag', '--app', 'kennel', '--projection', 'trickCounts'])).toMatchObject({
        code: 0,
        out:
          'kennel: the log is at notification 92\n' +
          'projection trickCounts: no version registered: no projection of that name has run here ' +
          '(to name one by its export name, give --module); the store keeps positions for: trick_counts\n' +
          'projection trick_counts v1: at 92, 0 behind, ready\n',
      })
      const second = run([
        ...rebuild,
        '--projection',
        'trickCountsV2',
        '--drop-older',
        '--json',
        '--no-progress',
      ])
      expect(second.err).toBe('')
      expect(JSON.parse(second.out)).toEqual({
        projection: 'trick_counts',
        version: 2,
        kind: 'document',
        applied: 92,
        position: 92,
        ready: true,
        deadLetters: 0,
        dropped: [1],
      })
      const kennel = t.recorder('kennel')
      expect((await kennel.selectProjections('trick_counts')).map((s) => s.version)).toEqual([2])
      // Unnamed, the projections are those the store keeps.
      const listed = JSON.parse(run(['lag', '--app', 'kennel', '--json']).out) as {
        projections: { name: string }[]
      }
      expect(listed.projections.map((p) => p.name)).toEqual(['trick_counts'])
      const counts = await kennel.selectDocuments({ name: 'trick_counts', version: 2 }, [
        'sit',
        'beg',
        'roll',
        'fetch',
      ])
      expect([...counts.values()].map((d) => d.data)).toEqual([
        { trick: 'sit', count: 30 },
        { trick: 'beg', count: 30 },
        { trick: 'roll', count: 1 },
        { trick: 'fetch', count: 1 },
      ])
      await kennel.close()
      expect(run([...rebuild, '--projection', 'trickCountsV2', '--json']).out).toMatch(
        /"applied":0,"position":92,"ready":true/,
      )
    })

    it('names the projections a module has when the one asked for is not there', () => {
      expect(run(['rebuild', '--app', 'kennel', '--module', KENNEL, '--projection', 'dogs'])).toMatchObject({
        code: 1,
        err: expect.stringMatching(
          /^ExportNotFound: .* exports no projection named "dogs" \(its projections: trickCounts, trickCountsV2\)/,
        ),
      })
    })
  })

  describe('modules', () => {
    it('tells a module that is not there from one that throws while it is imported', () => {
      expect(run(['tail', '--app', 'kennel', '--module', 'test/cli/fixtures/missing.ts'])).toMatchObject({
        code: 1,
        err: expect.stringMatching(
          /^ModuleNotFound: cannot import test\/cli\/fixtures\/missing\.ts: there is no file \S+missing\.ts\n$/,
        ),
      })
      expect(run(['tail', '--app', 'kennel', '--module', 'test/cli/fixtures/throws.ts'])).toMatchObject({
        code: 1,
        err: expect.stringMatching(
          /^ModuleFailed: test\/cli\/fixtures\/throws\.ts failed while being imported: boom at import \(at \S+throws\.ts:\d+:\d+\)\n$/,
        ),
      })
    })
  })

  describe('reencrypt and erase', () => {
    const [keyA, keyB] = [generateKey(), generateKey()]
    const pets = aggregate({ name: 'pet', decider: dog, codec: dogEvents, subjectOf: (id) => id })
    beforeAll(async () => {
      const shelter = t.recorder('shelter')
      const mapper = createMapper({ keyring: createKeyring(parseKey(keyA)) })
      await seedDogs(shelter, { app: 'shelter', count: 5, tricks: ['sit'], mapper }) // 10 events under key A
      await seedDogs(shelter, { app: 'shelter', count: 3, tricks: [], mapper, aggregate: pets, prefix: 'p' }) // 3 keys
      await shelter.close()
    })
    const modules = ['--module', SHELTER, '--module', KENNEL]

    it('re-encrypts events and data keys under the new key, then finds nothing left to do', () => {
      const rotated = { EVENTFOLD_CIPHER_KEY: keyB, EVENTFOLD_CIPHER_OLD_KEYS: keyA }
      expect(run(['reencrypt', '--app', 'shelter'], { EVENTFOLD_CIPHER_KEY: keyB })).toMatchObject({
        code: 1,
        err: expect.stringMatching(/DecryptionError: .*EVENTFOLD_CIPHER_OLD_KEYS must hold every key/),
      })
      const done = run(['reencrypt', '--app', 'shelter', '--batch-size', '4', '--json'], rotated)
      expect(done.code).toBe(0)
      expect(JSON.parse(done.out)).toEqual({
        app: 'shelter',
        events: 10,
        snapshots: 0,
        dataKeys: 3,
        scanned: 13,
      })
      expect(done.err).toMatch(
        /shelter events: 13\/13 notifications \(100%\)[\s\S]*shelter snapshots: 8\/8 streams/,
      )
      expect(JSON.parse(run(['reencrypt', '--app', 'shelter', '--json'], rotated).out)).toMatchObject({
        events: 0,
        dataKeys: 0,
      })
      const tail = run(['tail', '--app', 'shelter', ...modules, '--json'], { EVENTFOLD_CIPHER_KEY: keyB })
      expect(jsonLines(tail.out).map((e) => e.error ?? e.event)).toHaveLength(13)
      expect(jsonLines(tail.out).filter((e) => e.error !== undefined)).toEqual([])
    })

    it('erases a data subject: its events show as erased from then on', () => {
      const env = { EVENTFOLD_CIPHER_KEY: keyB }
      expect(run(['erase', '--app', 'shelter', 'p1'], env)).toMatchObject({
        code: 2,
        err: 'UsageError: erase cannot be undone: pass --yes to confirm\n',
      })
      expect(JSON.parse(run(['erase', '--app', 'shelter', 'p1', '--yes', '--json'], env).out)).toEqual({
        app: 'shelter',
        subject: 'p1',
        erased: true,
      })
      expect(run(['erase', '--app', 'shelter', 'p1', '--yes'], env).out).toMatch(
        /"p1" has no key .*nothing to erase/,
      )
      const pets = jsonLines(run(['tail', '--app', 'shelter', ...modules, '--from', '11', '--json'], env).out)
      expect(pets.map((e) => [e.streamId, e.erased ?? e.event])).toEqual([
        ['pet-p0', { type: 'DogRegistered', name: 'Dog p0' }],
        ['pet-p1', true],
        ['pet-p2', { type: 'DogRegistered', name: 'Dog p2' }],
      ])
      expect(run(['tail', '--app', 'shelter', '--from', '12'], env).out).toMatch(
        /^#12 \S+ pet-p1@1 DogRegistered \(erased\)\n/,
      )
    })
  })
}
