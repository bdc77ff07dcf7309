// The PostgreSQL schema of a recorder: tables, and the append function that gives notification ids
// in commit order. Names are validated here, then quoted, so no user text is ever spliced into SQL.

import { EventfoldError } from '../../codec/index.js'

/** The quoted, validated names of one recorder's tables and function. */
export interface Names {
  readonly schema: string
  readonly events: string
  readonly tracking: string
  readonly snapshots: string
  readonly keys: string
  readonly leases: string
  readonly versions: string
  readonly appendChecked: string
  readonly append: string
  readonly appendOne: string
  readonly eventIdIndex: string
  readonly projections: string
  readonly documents: string
  readonly documentFields: string
  readonly deadLetters: string
  readonly documentFieldsIndex: string
  /** The schema's name, unquoted (to look it up in the catalog). */
  readonly schemaName: string
  /** A table's name, unquoted. */
  readonly tableName: (table: string) => string
  /** The LISTEN/NOTIFY channel (unquoted: it is passed as a value). */
  readonly channel: string
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/

/** Validates a schema name and a table prefix and derives every quoted name from them. */
export const namesOf = (schema: string, prefix: string): Names => {
  if (!IDENTIFIER.test(schema) || schema.length > 63) {
    throw new EventfoldError(
      'InvalidConfiguration',
      `schema name ${JSON.stringify(schema)} must match ${IDENTIFIER} (at most 63)`,
    )
  }
  if (!(prefix === '' || IDENTIFIER.test(prefix)) || prefix.length > 40) {
    throw new EventfoldError(
      'InvalidConfiguration',
      `table prefix ${JSON.stringify(prefix)} must match ${IDENTIFIER} (at most 40)`,
    )
  }
  const q = (name: string): string => `"${schema}"."${prefix}${name}"`
  return {
    schema: `"${schema}"`,
    events: q('events'),
    tracking: q('tracking'),
    snapshots: q('snapshots'),
    keys: q('data_keys'),
    leases: q('leases'),
    versions: q('schema_versions'),
    appendChecked: q('append_checked'),
    append: q('append'),
    appendOne: q('append_one'),
    eventIdIndex: `"${prefix}events_event_id"`,
    projections: q('projections'),
    documents: q('documents'),
    documentFields: q('document_fields'),
    deadLetters: q('dead_letters'),
    documentFieldsIndex: `"${prefix}document_fields_value"`,
    channel: `${schema}.${prefix}events`,
    schemaName: schema,
    tableName: (table) => `${prefix}${table}`,
  }
}

/**
 * Why appends look as they do. A reader that tails the log must never skip an event that commits
 * late, and must see ids strictly increasing. Ids from a sequence break that: a transaction can
 * take id 7, stall, and commit after another that took id 8 — a reader that has seen 8 moves past
 * 7 for ever. Here an append numbers its events after the highest id it can see committed
 * (max + 1, max + 2 …) and the primary key does the rest: a transaction that numbers while another
 * holds uncommitted rows with the same ids waits on the key until that one ends, then fails (it
 * committed) or goes on (it rolled back). So a row with id k only ever becomes visible once every
 * id below k is visible: ids are gap-free and appear in order.
 *
 * Inside one process appends never race for ids (one write in flight). Between processes they do,
 * and the loser's statement fails after waiting: so after such a race the recorder sends the group
 * again through the append functions, which take a transaction-scoped advisory lock (one per events
 * table) before they number, and keeps doing so for a while — appends from several processes then
 * queue for the lock instead of failing. (Release 0.1 resent them under a table lock instead: 8
 * processes with one writer each managed 574 events/s; they now do about 2,400, where a raw-driver
 * store with the same guarantee does 1,600 and one with sequence ids, which can skip, 4,800.)
 *
 * Throughput comes from group commit: the recorder sends the appends waiting in this process as one
 * statement, one transaction, one WAL flush (`appendStatement`). A conflict on a (stream, version),
 * an event id or a tracking row aborts that statement, and the recorder sends the same group to
 * `append_checked`. That function takes the same lock, finds the batches that conflict (a (stream,
 * version) or an event id that exists or repeats within the group; a tracking row that exists or
 * repeats), reports them back and commits the others: each caller's batch keeps its own optimistic
 * concurrency check. Its statements each take a new snapshot, so the checks that follow the lock
 * see every committed row.
 *
 * The schema is versioned: each migration takes a database one version up, and `schema_versions`
 * records those applied (see migrate.ts).
 */
export const migrations = (n: Names): readonly Migration[] => [
  { version: 1, statements: version1(n) },
  { version: 2, statements: version2(n) },
  { version: 3, statements: version3(n) },
]

/** One step of the schema: the statements that take a database from the version before to this one. */
export interface Migration {
  readonly version: number
  readonly statements: readonly string[]
}

/** The schema version this release of the code reads and writes. */
export const LATEST_SCHEMA = 3

/** The table that records which migrations a database has had (created before any of them runs). */
export const versionsTable = (n: Names): readonly string[] => [
  // CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema exists: a schema
  // made by a DBA for an owner without that right is looked up first.
  `DO $do$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = '${n.schemaName}') THEN CREATE SCHEMA ${n.schema}; END IF;
  END $do$`,
  `CREATE TABLE IF NOT EXISTS ${n.versions} (
      version integer PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`,
]

/** Release 1's tables, as earlier releases created them on first use (every statement idempotent). */
const version1 = (n: Names): readonly string[] => [
  `CREATE TABLE IF NOT EXISTS ${n.events} (
      notification_id bigint PRIMARY KEY,
      stream_id text NOT NULL,
      version bigint NOT NULL,
      type text NOT NULL,
      schema_version integer NOT NULL,
      data bytea NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (stream_id, version)
    )`,
  `CREATE TABLE IF NOT EXISTS ${n.tracking} (
      upstream text NOT NULL,
      notification_id bigint NOT NULL,
      PRIMARY KEY (upstream, notification_id)
    )`,
  `CREATE TABLE IF NOT EXISTS ${n.snapshots} (
      stream_id text NOT NULL,
      version bigint NOT NULL,
      type text NOT NULL,
      schema_version integer NOT NULL,
      data bytea NOT NULL,
      PRIMARY KEY (stream_id, version)
    )`,
  `CREATE TABLE IF NOT EXISTS ${n.keys} (
      subject text PRIMARY KEY,
      wrapped bytea NOT NULL
    )`,
]

/**
 * Version 2: an id per event (UUID v7, unique; rows of earlier releases have none), so that an
 * append whose outcome was lost with its connection can be recognised; leases with a time to live;
 * the checked append carries the event ids.
 */
const version2 = (n: Names): readonly string[] => [
  `ALTER TABLE ${n.events} ADD COLUMN IF NOT EXISTS event_id uuid`,
  `ALTER TABLE ${n.events} ADD COLUMN IF NOT EXISTS metadata jsonb`,
  `CREATE UNIQUE INDEX IF NOT EXISTS ${n.eventIdIndex} ON ${n.events} (event_id)`,
  `CREATE TABLE IF NOT EXISTS ${n.leases} (
      name text PRIMARY KEY,
      holder text NOT NULL,
      expires_at timestamptz NOT NULL
    )`,
  ...appendFunctions(n),
  `DROP FUNCTION IF EXISTS ${n.appendChecked}(integer[], text[], bigint[], text[], integer[], bytea, integer[], integer[], text[], bigint[])`,
  `DROP FUNCTION IF EXISTS ${n.appendChecked}(integer[], text[], bigint[], text[], integer[], bytea, integer[], uuid[], integer[], text[], bigint[])`,
  `DROP FUNCTION IF EXISTS ${n.append}(text[], bigint[], text[], integer[], bytea, integer[], uuid[], text[], bigint[])`,
  `DROP FUNCTION IF EXISTS ${n.appendOne}(text, bigint, text, integer, bytea, uuid)`,
  appendCheckedFunction(n),
]

/**
 * Version 3: projections — the position of each version of a projection, its documents (keys in
 * byte order, COLLATE "C", so that pages follow the index), their indexed field values (one row per
 * field to find documents by, and as a JSON object beside the document, to read) and its dead letters.
 */
const version3 = (n: Names): readonly string[] => [
  `CREATE TABLE IF NOT EXISTS ${n.projections} (
      name text NOT NULL,
      version integer NOT NULL,
      position bigint NOT NULL DEFAULT 0,
      ready boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (name, version)
    )`,
  `CREATE TABLE IF NOT EXISTS ${n.documents} (
      projection text NOT NULL,
      version integer NOT NULL,
      key text COLLATE "C" NOT NULL,
      type text NOT NULL,
      schema_version integer NOT NULL,
      data jsonb NOT NULL,
      fields jsonb,
      PRIMARY KEY (projection, version, key)
    )`,
  `CREATE TABLE IF NOT EXISTS ${n.documentFields} (
      projection text NOT NULL,
      version integer NOT NULL,
      field text NOT NULL,
      value text NOT NULL,
      key text COLLATE "C" NOT NULL,
      PRIMARY KEY (projection, version, key, field)
    )`,
  `CREATE INDEX IF NOT EXISTS ${n.documentFieldsIndex} ON ${n.documentFields} (projection, version, field, value, key)`,
  `CREATE TABLE IF NOT EXISTS ${n.deadLetters} (
      projection text NOT NULL,
      version integer NOT NULL,
      notification_id bigint NOT NULL,
      stream_id text NOT NULL,
      stream_version bigint NOT NULL,
      code text NOT NULL,
      message text NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (projection, version, notification_id)
    )`,
]

/** The checked append: see the comment above `migrations`. */
const appendCheckedFunction = (n: Names): string => {
  const keys =
    '(SELECT u.* FROM unnest(p_batch, p_stream, p_version, p_event_id) WITH ORDINALITY AS u(batch, stream_id, version, event_id, ord))'
  const rows = `(
        SELECT u.*, sum(u.len) OVER (ORDER BY u.ord) AS stop
        FROM unnest(p_batch, p_stream, p_version, p_type, p_schema, p_length, p_event_id, p_metadata)
          WITH ORDINALITY AS u(batch, stream_id, version, type, schema_version, len, event_id, metadata, ord)
      )`
  const data = 'substring(p_blob FROM (r.stop - r.len + 1)::integer FOR r.len)'
  const params = `p_batch integer[], p_stream text[], p_version bigint[], p_type text[], p_schema integer[],
    p_blob bytea, p_length integer[], p_event_id uuid[], p_track_batch integer[], p_upstream text[], p_track_id bigint[],
    p_metadata jsonb[]`
  const lock = `PERFORM ${appendLock(n)};
    LOCK TABLE ${n.events} IN EXCLUSIVE MODE;
    SELECT coalesce(max(e.notification_id), 0) INTO v_last FROM ${n.events} e;`
  const notify = `IF v_count > 0 THEN PERFORM pg_notify('${n.channel}', (v_last + v_count)::text); END IF;`
  return `CREATE OR REPLACE FUNCTION ${n.appendChecked}(${params})
    RETURNS TABLE (last_id bigint, failed integer[], conflict_stream text[], conflict_version bigint[],
      conflict_event uuid[], tracking_failed integer[])
    LANGUAGE plpgsql AS $fn$
    DECLARE
      v_last bigint;
      v_count bigint;
      v_failed integer[];
      v_tracking_failed integer[];
      v_conflict_stream text[];
      v_conflict_version bigint[];
      v_conflict_event uuid[];
    BEGIN
      ${lock}
      SELECT coalesce(array_agg(c.batch), '{}'), coalesce(array_agg(c.stream_id), '{}'), coalesce(array_agg(c.version), '{}'),
          coalesce(array_agg(c.event_id), '{}')
        INTO v_failed, v_conflict_stream, v_conflict_version, v_conflict_event
        FROM (
          SELECT DISTINCT ON (x.batch) x.batch, x.stream_id, x.version, x.event_id FROM (
            SELECT r.batch, r.stream_id, r.version, NULL::uuid AS event_id, r.ord FROM ${keys} r
              WHERE EXISTS (SELECT 1 FROM ${n.events} e WHERE e.stream_id = r.stream_id AND e.version = r.version)
            UNION ALL
            SELECT d.batch, d.stream_id, d.version, NULL::uuid, d.ord FROM (
              SELECT r.*, row_number() OVER (PARTITION BY r.stream_id, r.version ORDER BY r.ord) AS nth FROM ${keys} r
            ) d WHERE d.nth > 1
            UNION ALL
            SELECT r.batch, r.stream_id, r.version, r.event_id, r.ord FROM ${keys} r
              WHERE EXISTS (SELECT 1 FROM ${n.events} e WHERE e.event_id = r.event_id)
            UNION ALL
            SELECT d.batch, d.stream_id, d.version, d.event_id, d.ord FROM (
              SELECT r.*, row_number() OVER (PARTITION BY r.event_id ORDER BY r.ord) AS nth FROM ${keys} r
            ) d WHERE d.nth > 1
          ) x ORDER BY x.batch, x.ord
        ) c;
      SELECT coalesce(array_agg(DISTINCT t.batch), '{}') INTO v_tracking_failed
        FROM (
          SELECT u.batch, u.upstream, u.nid, row_number() OVER (PARTITION BY u.upstream, u.nid ORDER BY u.ord) AS nth
          FROM unnest(p_track_batch, p_upstream, p_track_id) WITH ORDINALITY AS u(batch, upstream, nid, ord)
        ) t
        WHERE t.nth > 1 OR EXISTS (SELECT 1 FROM ${n.tracking} k WHERE k.upstream = t.upstream AND k.notification_id = t.nid);
      v_failed := v_failed || v_tracking_failed;

      INSERT INTO ${n.events} (notification_id, stream_id, version, type, schema_version, data, event_id, metadata)
        SELECT v_last + row_number() OVER (ORDER BY r.ord), r.stream_id, r.version, r.type, r.schema_version, ${data}, r.event_id,
          r.metadata
        FROM ${rows} r WHERE NOT (r.batch = ANY (v_failed)) ORDER BY r.ord;
      GET DIAGNOSTICS v_count = ROW_COUNT;
      INSERT INTO ${n.tracking} (upstream, notification_id)
        SELECT u.upstream, u.nid FROM unnest(p_track_batch, p_upstream, p_track_id) AS u(batch, upstream, nid)
        WHERE NOT (u.batch = ANY (v_failed));
      ${notify}
      RETURN QUERY SELECT v_last, v_failed, v_conflict_stream, v_conflict_version, v_conflict_event, v_tracking_failed;
    END
    $fn$`
}

/** The lock every append takes first (and a migration): appends are numbered one transaction at a time. */
const appendLock = (n: Names): string => `pg_advisory_xact_lock(hashtext('${n.channel}'))`

/**
 * The append functions of the fast path. Each takes the append lock first, then numbers its rows
 * after the highest committed id (a statement after the lock sees every commit made before it),
 * inserts them (and the tracking rows) and notifies listeners; it returns the id before the first
 * new one. `append` takes arrays: stream ids, versions, types, schema versions, the data of all rows
 * concatenated with their lengths, event ids, then tracking upstreams and notification ids;
 * `append_one` takes one event's scalars, for the commonest group.
 */
const appendFunctions = (n: Names): readonly string[] => [
  `CREATE OR REPLACE FUNCTION ${n.append}(p_stream text[], p_version bigint[], p_type text[], p_schema integer[],
    p_blob bytea, p_length integer[], p_event_id uuid[], p_upstream text[], p_track_id bigint[], p_metadata jsonb[])
    RETURNS bigint LANGUAGE plpgsql AS $fn$
    DECLARE
      v_last bigint;
      v_count bigint;
    BEGIN
      PERFORM ${appendLock(n)};
      SELECT coalesce(max(e.notification_id), 0) INTO v_last FROM ${n.events} e;
      INSERT INTO ${n.events} (notification_id, stream_id, version, type, schema_version, data, event_id, metadata)
        SELECT v_last + r.ord, r.stream_id, r.version, r.type, r.schema_version,
          substring(p_blob FROM (r.stop - r.len + 1)::integer FOR r.len), r.event_id, r.metadata
        FROM (
          SELECT u.*, sum(u.len) OVER (ORDER BY u.ord) AS stop
          FROM unnest(p_stream, p_version, p_type, p_schema, p_length, p_event_id, p_metadata)
            WITH ORDINALITY AS u(stream_id, version, type, schema_version, len, event_id, metadata, ord)
        ) r ORDER BY r.ord;
      GET DIAGNOSTICS v_count = ROW_COUNT;
      INSERT INTO ${n.tracking} (upstream, notification_id) SELECT * FROM unnest(p_upstream, p_track_id);
      IF v_count > 0 THEN PERFORM pg_notify('${n.channel}', (v_last + v_count)::text); END IF;
      RETURN v_last;
    END
    $fn$`,
  `CREATE OR REPLACE FUNCTION ${n.appendOne}(p_stream text, p_version bigint, p_type text, p_schema integer,
    p_data bytea, p_event_id uuid, p_metadata jsonb)
    RETURNS bigint LANGUAGE plpgsql AS $fn$
    DECLARE
      v_last bigint;
    BEGIN
      PERFORM ${appendLock(n)};
      SELECT coalesce(max(e.notification_id), 0) INTO v_last FROM ${n.events} e;
      INSERT INTO ${n.events} (notification_id, stream_id, version, type, schema_version, data, event_id, metadata)
        VALUES (v_last + 1, p_stream, p_version, p_type, p_schema, p_data, p_event_id, p_metadata);
      PERFORM pg_notify('${n.channel}', (v_last + 1)::text);
      RETURN v_last;
    END
    $fn$`,
]

/**
 * The append statements: `locked` ones call the append functions (which take the lock first); the
 * others number without the lock, in one statement, which is fastest when no other process appends
 * at the same time — and still correct when one does: a numbering that races another waits on the
 * primary key and fails, and the recorder sends it again locked (and keeps locking for a while).
 * Parameters: $1 stream ids, $2 versions, $3 types, $4 schema versions, $5 the data of all rows
 * concatenated, $6 their lengths, $7 event ids, $8 tracking upstreams, $9 tracked notification ids,
 * $10 metadata (JSON, or NULL).
 */
export const appendStatement = (n: Names, locked: boolean): string =>
  locked
    ? `SELECT ${n.append}($1::text[], $2::int8[], $3::text[], $4::int4[], $5::bytea, $6::int4[], $7::uuid[],
    $8::text[], $9::int8[], $10::text[]::jsonb[]) AS last_id`
    : `
  WITH rows AS (
    SELECT u.*, sum(u.len) OVER (ORDER BY u.ord) AS stop
    FROM unnest($1::text[], $2::int8[], $3::text[], $4::int4[], $6::int4[], $7::uuid[], $10::text[]::jsonb[])
      WITH ORDINALITY AS u(stream_id, version, type, schema_version, len, event_id, metadata, ord)
  ), head AS (
    SELECT coalesce(max(notification_id), 0) AS last_id FROM ${n.events}
  ), inserted AS (
    INSERT INTO ${n.events} (notification_id, stream_id, version, type, schema_version, data, event_id, metadata)
    SELECT head.last_id + r.ord, r.stream_id, r.version, r.type, r.schema_version,
           substring($5::bytea FROM (r.stop - r.len + 1)::integer FOR r.len), r.event_id, r.metadata
    FROM rows r, head ORDER BY r.ord
    RETURNING notification_id
  ), tracked AS (
    INSERT INTO ${n.tracking} (upstream, notification_id) SELECT * FROM unnest($8::text[], $9::int8[])
  )
  SELECT (SELECT last_id FROM head) AS last_id,
    (SELECT pg_notify('${n.channel}', max(notification_id)::text) FROM inserted HAVING count(*) > 0) AS notified`

/** The append of one event without tracking ($1 stream id, $2 version, $3 type, $4 schema version, $5 data, $6 event id, $7 metadata). */
export const appendOneStatement = (n: Names, locked: boolean): string =>
  locked
    ? `SELECT ${n.appendOne}($1, $2, $3, $4, $5, $6, $7::text::jsonb) AS last_id`
    : `
  WITH inserted AS (
    INSERT INTO ${n.events} (notification_id, stream_id, version, type, schema_version, data, event_id, metadata)
    VALUES ((SELECT coalesce(max(notification_id), 0) + 1 FROM ${n.events}), $1, $2, $3, $4, $5, $6, $7::text::jsonb)
    RETURNING notification_id
  )
  SELECT notification_id - 1 AS last_id, pg_notify('${n.channel}', notification_id::text) FROM inserted`
