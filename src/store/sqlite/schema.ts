// The SQLite schema of a recorder: STRICT tables, names derived from a validated prefix.

import { EventfoldError } from '../../codec/index.js'

/** The quoted table names of one SQLite recorder. */
export interface TableNames {
  readonly events: string
  readonly tracking: string
  readonly snapshots: string
  readonly keys: string
  readonly versions: string
  readonly eventIdIndex: string
  readonly projections: string
  readonly documents: string
  readonly documentFields: string
  readonly documentFieldsIndex: string
  readonly deadLetters: string
}

/** Validates the prefix and derives the quoted table names. */
export const tableNames = (prefix: string): TableNames => {
  if (!(prefix === '' || /^[a-z_][a-z0-9_]*$/.test(prefix)) || prefix.length > 40) {
    throw new EventfoldError(
      'InvalidConfiguration',
      `table prefix ${JSON.stringify(prefix)} must match /^[a-z_][a-z0-9_]*$/`,
    )
  }
  return {
    events: `"${prefix}events"`,
    tracking: `"${prefix}tracking"`,
    snapshots: `"${prefix}snapshots"`,
    keys: `"${prefix}data_keys"`,
    versions: `"${prefix}schema_versions"`,
    eventIdIndex: `"${prefix}events_event_id"`,
    projections: `"${prefix}projections"`,
    documents: `"${prefix}documents"`,
    documentFields: `"${prefix}document_fields"`,
    documentFieldsIndex: `"${prefix}document_fields_value"`,
    deadLetters: `"${prefix}dead_letters"`,
  }
}

/** The schema version this release reads and writes. */
export const LATEST_SCHEMA = 3

/** The table that records which migrations a database has had. */
export const versionsTable = (t: TableNames): string =>
  `CREATE TABLE IF NOT EXISTS ${t.versions} (
    version INTEGER PRIMARY KEY,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  ) STRICT`

/**
 * The migrations, each taking a database one version up. Version 1 is the tables as earlier
 * releases created them (idempotent); version 2 adds an id and metadata per event (rows stored before
 * have neither); version 3 adds the tables of projections (positions, documents, indexed fields, dead letters).
 */
export const migrations = (t: TableNames): readonly { version: number; statements: readonly string[] }[] => [
  { version: 1, statements: version1(t) },
  {
    version: 2,
    statements: [
      `ALTER TABLE ${t.events} ADD COLUMN event_id TEXT`,
      `ALTER TABLE ${t.events} ADD COLUMN metadata TEXT`,
      `CREATE UNIQUE INDEX IF NOT EXISTS ${t.eventIdIndex} ON ${t.events} (event_id)`,
    ],
  },
  { version: 3, statements: version3(t) },
]

const version1 = (t: TableNames): readonly string[] => [
  `CREATE TABLE IF NOT EXISTS ${t.events} (
    notification_id INTEGER PRIMARY KEY,
    stream_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    type TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    data BLOB NOT NULL,
    recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (stream_id, version)
  ) STRICT`,
  `CREATE TABLE IF NOT EXISTS ${t.tracking} (
    upstream TEXT NOT NULL,
    notification_id INTEGER NOT NULL,
    PRIMARY KEY (upstream, notification_id)
  ) STRICT, WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS ${t.snapshots} (
    stream_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    type TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (stream_id, version)
  ) STRICT, WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS ${t.keys} (
    subject TEXT PRIMARY KEY,
    wrapped BLOB NOT NULL
  ) STRICT, WITHOUT ROWID`,
]

const now = `(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`

const version3 = (t: TableNames): readonly string[] => [
  `CREATE TABLE IF NOT EXISTS ${t.projections} (
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    ready INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL DEFAULT ${now},
    PRIMARY KEY (name, version)
  ) STRICT, WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS ${t.documents} (
    projection TEXT NOT NULL,
    version INTEGER NOT NULL,
    key TEXT NOT NULL,
    type TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (projection, version, key)
  ) STRICT`,
  `CREATE TABLE IF NOT EXISTS ${t.documentFields} (
    projection TEXT NOT NULL,
    version INTEGER NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (projection, version, key, field)
  ) STRICT, WITHOUT ROWID`,
  `CREATE INDEX IF NOT EXISTS ${t.documentFieldsIndex} ON ${t.documentFields} (projection, version, field, value, key)`,
  `CREATE TABLE IF NOT EXISTS ${t.deadLetters} (
    projection TEXT NOT NULL,
    version INTEGER NOT NULL,
    notification_id INTEGER NOT NULL,
    stream_id TEXT NOT NULL,
    stream_version INTEGER NOT NULL,
    code TEXT NOT NULL,
    message TEXT NOT NULL,
    recorded_at TEXT NOT NULL DEFAULT ${now},
    PRIMARY KEY (projection, version, notification_id)
  ) STRICT`,
]
