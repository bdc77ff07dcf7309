// `eventfold lag`: how far behind the log each projection version and each follower is: every one
// the store keeps a position for, and those named by the options and the modules given (their
// exported projection definitions, and the upstreams of this application in their exported systems).

import type { Command } from 'commander'
import { loadModules, projectionsOf, upstreamsOf } from './module.js'
import { collect, say, sayJson, withApp, withModule } from './options.js'
import { type Store, withStore } from './store.js'

interface LagOptions {
  readonly app: string
  readonly module?: readonly string[]
  readonly projection?: readonly string[]
  readonly follower?: readonly string[]
  readonly json?: boolean
}

/** Where one version of a projection stands against the log. */
interface VersionLag {
  readonly version: number
  readonly position: number
  readonly behind: number
  readonly ready: boolean
  readonly deadLetters: number
  readonly updatedAt?: string
}

/** Where a follower (this application following `upstream`) stands against the upstream log. */
interface FollowerLag {
  readonly upstream: string
  readonly position: number
  readonly head: number
  readonly behind: number
}

const projectionLag = async (store: Store, name: string, head: number) => {
  const versions: VersionLag[] = []
  for (const status of await store.recorder.selectProjections(name)) {
    const deadLetters = await store.recorder.selectDeadLetters(status)
    versions.push({
      version: status.version,
      position: status.position,
      behind: Math.max(0, head - status.position),
      ready: status.ready,
      deadLetters: deadLetters.length,
      ...(status.updatedAt ? { updatedAt: status.updatedAt.toISOString() } : {}),
    })
  }
  return { name, versions }
}

const followerLag = async (store: Store, upstream: string): Promise<FollowerLag> => {
  const position = await store.recorder.maxTrackingId(upstream)
  // The upstream's log, where the environment says it is (the same variables, its own prefix).
  const head = await withStore(upstream, (other) => other.recorder.maxNotificationId())
  return { upstream, position, head, behind: Math.max(0, head - position) }
}

/** What lag reports on: the projections and upstreams named, and those the store keeps positions for. */
interface Subjects {
  readonly names: ReadonlySet<string>
  readonly upstreams: ReadonlySet<string>
  /** The projection names the modules' definitions have. */
  readonly defined: ReadonlySet<string>
  /** The projection names the store keeps positions for. */
  readonly kept: ReadonlySet<string>
}

const subjectsOf = async (store: Store, options: LagOptions): Promise<Subjects> => {
  const modules = options.module ?? []
  const module = modules.length > 0 ? await loadModules(modules) : undefined
  const exported = new Map(
    module ? projectionsOf(module).map(([as, p]) => [as, p.definition.name] as const) : [],
  )
  const defined = new Set(exported.values())
  // A name given is a projection's name, or the name its definition is exported under.
  const names = new Set((options.projection ?? []).map((name) => exported.get(name) ?? name))
  for (const name of defined) names.add(name)
  const upstreams = new Set(options.follower ?? [])
  if (module) for (const upstream of upstreamsOf(module, options.app)) upstreams.add(upstream)
  // Besides those named, every projection and every upstream the store keeps a position for.
  const kept = new Set((await store.recorder.selectProjections()).map((status) => status.name))
  for (const name of kept) names.add(name)
  for (const tracker of await store.recorder.selectTrackers()) upstreams.add(tracker.upstream)
  return { names, upstreams, defined, kept }
}

/** The line for a projection without any version: why that may be, and the names the store has. */
const unregistered = (name: string, subjects: Subjects, withModule: boolean): string => {
  const why = subjects.defined.has(name)
    ? 'the modules define it, but nothing has run it on this store'
    : withModule
      ? 'no projection of that name has run here, and the modules export no projection under it'
      : 'no projection of that name has run here (to name one by its export name, give --module)'
  const kept = subjects.kept.size > 0 ? [...subjects.kept].join(', ') : 'none'
  return `projection ${name}: no version registered: ${why}; the store keeps positions for: ${kept}`
}

/** Adds `lag` to the program. */
export const lagCommand = (program: Command): Command =>
  withModule(
    withApp(
      program
        .command('lag')
        .description("each projection version's and follower's position against the log it reads"),
    ),
    'projection definitions and systems (their names are added to those given)',
  )
    .option(
      '--projection <name>',
      'a projection, by its name or (with --module) its export name (repeatable)',
      collect,
    )
    .option('--follower <upstream>', 'the application this one follows, by name (repeatable)', collect)
    .action((options: LagOptions) =>
      withStore(options.app, async (store) => {
        const subjects = await subjectsOf(store, options)
        const head = await store.recorder.maxNotificationId()
        const projections = []
        for (const name of subjects.names) projections.push(await projectionLag(store, name, head))
        const followers = []
        for (const upstream of subjects.upstreams) followers.push(await followerLag(store, upstream))
        if (options.json) return sayJson({ app: options.app, head, projections, followers })
        say(`${options.app}: the log is at notification ${head}`)
        for (const { name, versions } of projections) {
          if (versions.length === 0) say(unregistered(name, subjects, (options.module ?? []).length > 0))
          for (const v of versions)
            say(
              `projection ${name} v${v.version}: at ${v.position}, ${v.behind} behind, ` +
                `${v.ready ? 'ready' : 'building'}${v.deadLetters > 0 ? `, ${v.deadLetters} dead letters` : ''}`,
            )
        }
        for (const f of followers)
          say(`following ${f.upstream}: at ${f.position} of ${f.head}, ${f.behind} behind`)
      }),
    )
