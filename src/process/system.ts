// A system: which applications follow which, as plain data, whatever runs it and wherever.

/** Applications by name, and for each the upstream applications it follows. */
export interface System {
  readonly applications: readonly string[]
  /** For each application, the applications whose logs it follows (in the order given). */
  readonly follows: Readonly<Record<string, readonly string[]>>
}

/**
 * Defines a system from pipes, as the Python eventsourcing library does: each pipe is a chain in
 * which every application follows the one before it — `[['orders', 'reservations', 'orders']]`
 * makes reservations follow orders and orders follow reservations. Runners check it (an
 * application may not follow itself, and each must be given).
 */
export const system = (pipes: readonly (readonly string[])[]): System => {
  const applications: string[] = []
  const follows: Record<string, string[]> = {}
  for (const pipe of pipes) {
    pipe.forEach((name, i) => {
      if (!applications.includes(name)) applications.push(name)
      follows[name] ??= []
      const upstream = pipe[i - 1]
      if (upstream === undefined) return
      const list = follows[name] as string[]
      if (!list.includes(upstream)) list.push(upstream)
    })
  }
  return { applications, follows }
}

/** Every (upstream, downstream) pair of a system. */
export const edges = (system: System): readonly (readonly [upstream: string, downstream: string])[] =>
  system.applications.flatMap((downstream) =>
    (system.follows[downstream] ?? []).map((upstream) => [upstream, downstream] as const),
  )
