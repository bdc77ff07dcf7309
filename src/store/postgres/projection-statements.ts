// The SQL of the PostgreSQL projection recorder: texts built once per set of table names, prepared
// once per connection (all but the commit, planned each time; all sent unnamed behind a pooler).

import type { Names } from './schema.js'

/** Which documents a read selects: all (in key order), those with an indexed field value, or by keys. */
export type ReadShape = 'all' | 'where' | 'keys' | 'keysWhere'

/** The statements of the projection recorder over the tables `n`. */
export interface ProjectionStatements {
  readonly register: string
  readonly status: string
  readonly select: string
  readonly commit: string
  readonly markReady: string
  readonly read: Readonly<Record<ReadShape, string>>
  readonly deadLetters: string
  /** The position first: its row lock waits for a batch in flight, whose rows the others then see. */
  readonly drop: readonly string[]
}

/** A fenced lookup of one document by key (OFFSET 0 keeps the planner from turning it into a scan of the version). */
const byKey = (n: Names, columns: string, version: string, key: string): string =>
  `(SELECT ${columns} FROM ${n.documents} d WHERE d.projection = $1 AND d.version = ${version} AND d.key = ${key} OFFSET 0)`

/**
 * One batch in one statement: the position moves from $3 to $4 only if it is still $3, and every
 * change is gated on `moved`, so a batch whose position moved elsewhere writes nothing. $5–$9: the
 * documents put (keys, types, schema versions, data and indexed fields as JSON text); $10: the keys
 * deleted; $11–$15: dead letters (notification id, stream, version, code, message).
 *
 * Each key appears once (the last change of a key wins before this), so the upsert and the delete
 * of documents touch different rows. All sub-statements read one snapshot, so `diff` finds each
 * document's fields as they were: the field rows a document no longer has are deleted, those that
 * are new or changed are upserted, the others are left alone. Every row is reached through its key
 * (an upsert, or a lookup by key fenced with OFFSET 0 and then a delete by ctid), never by a join
 * the planner could run the wrong way round: without statistics it takes (projection, version) for
 * a rare value, and would scan the whole version once per change.
 */
const commitStatement = (n: Names): string => `
  WITH moved AS (
    UPDATE ${n.projections} SET position = $4::int8, updated_at = now()
    WHERE name = $1::text AND version = $2::int4 AND position = $3::int8
    RETURNING 1
  ), puts AS (
    SELECT u.key COLLATE "C" AS key, u.type, u.schema_version, u.data::jsonb AS data, u.fields::jsonb AS fields
    FROM unnest($5::text[], $6::text[], $7::int4[], $8::text[], $9::text[]) AS u(key, type, schema_version, data, fields)
  ), changed AS (
    SELECT p.key, p.fields FROM puts p
    UNION ALL
    SELECT u.key COLLATE "C", NULL::jsonb FROM unnest($10::text[]) AS u(key)
  ), diff AS (
    SELECT c.key, c.fields AS new, o.fields AS old
    FROM changed c LEFT JOIN LATERAL ${byKey(n, 'd.fields', '$2', 'c.key')} o ON true
  ), stale AS (
    SELECT f.ctid FROM diff x
    CROSS JOIN LATERAL jsonb_each_text(x.old) AS e(field, value)
    CROSS JOIN LATERAL (
      SELECT f.ctid FROM ${n.documentFields} f
      WHERE f.projection = $1 AND f.version = $2 AND f.field = e.field AND f.value = e.value AND f.key = x.key OFFSET 0
    ) f
    WHERE NOT coalesce(x.new ? e.field, false)
  ), put AS (
    INSERT INTO ${n.documents} AS t (projection, version, key, type, schema_version, data, fields)
    SELECT $1, $2, p.key, p.type, p.schema_version, p.data, p.fields FROM puts p, moved
    ON CONFLICT (projection, version, key) DO UPDATE
    SET type = excluded.type, schema_version = excluded.schema_version, data = excluded.data, fields = excluded.fields
  ), deleted AS (
    DELETE FROM ${n.documents}
    WHERE ctid = ANY (ARRAY(
      SELECT d.ctid FROM unnest($10::text[]) AS u(key) CROSS JOIN LATERAL ${byKey(n, 'd.ctid', '$2', 'u.key')} d
    )) AND EXISTS (SELECT FROM moved)
  ), unindexed AS (
    DELETE FROM ${n.documentFields} WHERE ctid = ANY (ARRAY(SELECT s.ctid FROM stale s)) AND EXISTS (SELECT FROM moved)
  ), indexed AS (
    INSERT INTO ${n.documentFields} AS t (projection, version, key, field, value)
    SELECT $1, $2, x.key, e.field, e.value FROM diff x CROSS JOIN LATERAL jsonb_each_text(x.new) AS e(field, value), moved
    WHERE x.old ->> e.field IS DISTINCT FROM e.value
    ON CONFLICT (projection, version, key, field) DO UPDATE SET value = excluded.value
  ), letters AS (
    INSERT INTO ${n.deadLetters} (projection, version, notification_id, stream_id, stream_version, code, message)
    SELECT $1, $2, l.* FROM unnest($11::int8[], $12::text[], $13::int8[], $14::text[], $15::text[]) AS l, moved
    ON CONFLICT DO NOTHING
  )
  SELECT count(*)::int AS moved FROM moved`

const DOCUMENT = 'd.key, d.type, d.schema_version, d.data::text AS data, d.fields::text AS fields'

/**
 * The documents a read selects, inside the version that serves it (`s`): $3 is the key they
 * follow ('' for none: every key is longer), $4 the limit; then the keys ($5) and/or the field and
 * value. Each document is looked up by its key (see commitStatement for why).
 */
const selection = (n: Names, shape: ReadShape): string => {
  const found = byKey(n, DOCUMENT, 's.version', 'k.key')
  switch (shape) {
    case 'all':
      return `SELECT ${DOCUMENT}, 0::int8 AS ord FROM ${n.documents} d
        WHERE d.projection = $1 AND d.version = s.version AND d.key > $3::text ORDER BY d.key LIMIT $4::int4`
    case 'where':
      return `SELECT d.*, 0::int8 AS ord FROM (
          SELECT f.key FROM ${n.documentFields} f
          WHERE f.projection = $1 AND f.version = s.version AND f.field = $5::text AND f.value = $6::text
            AND f.key > $3::text
          ORDER BY f.key LIMIT $4::int4
        ) k CROSS JOIN LATERAL ${found} d`
    case 'keys':
    case 'keysWhere':
      return `SELECT d.*, k.ord FROM unnest($5::text[]) WITH ORDINALITY AS k(key, ord) CROSS JOIN LATERAL ${found} d
        WHERE d.key > $3::text ${shape === 'keysWhere' ? `AND d.fields::jsonb ->> $6::text = $7::text` : ''}
        ORDER BY k.ord LIMIT $4::int4`
  }
}

/**
 * One statement picks the serving version — the newest ready one at or below $2, else the newest
 * one — and reads its documents; a version without (matching) documents is one row of NULLs.
 */
const readStatement = (n: Names, shape: ReadShape): string => `
  WITH serving AS (
    SELECT p.version FROM ${n.projections} p WHERE p.name = $1::text AND p.version <= $2::int4
    ORDER BY p.ready DESC, p.version DESC LIMIT 1
  )
  SELECT s.version AS serving, d.key, d.type, d.schema_version, d.data, d.fields
  FROM serving s LEFT JOIN LATERAL (${selection(n, shape)}) d ON true
  ORDER BY ${shape === 'keys' || shape === 'keysWhere' ? 'd.ord' : 'd.key'}`

/** Builds the statements over the tables `n`. */
export const projectionStatements = (n: Names): ProjectionStatements => ({
  register: `INSERT INTO ${n.projections} (name, version) VALUES ($1::text, $2::int4)
    ON CONFLICT (name, version) DO NOTHING`,
  status: `SELECT name, version, position, ready, updated_at FROM ${n.projections}
    WHERE ($1::text IS NULL OR name = $1::text) AND ($2::int4 IS NULL OR version = $2::int4)
    ORDER BY name COLLATE "C", version`,
  select: `SELECT d.* FROM unnest($3::text[]) AS k(key) CROSS JOIN LATERAL ${byKey(n, DOCUMENT, '$2::int4', 'k.key')} d`,
  commit: commitStatement(n),
  markReady: `UPDATE ${n.projections} SET ready = true, updated_at = now() WHERE name = $1::text AND version = $2::int4`,
  read: {
    all: readStatement(n, 'all'),
    where: readStatement(n, 'where'),
    keys: readStatement(n, 'keys'),
    keysWhere: readStatement(n, 'keysWhere'),
  },
  deadLetters: `SELECT notification_id, stream_id, stream_version, code, message, recorded_at FROM ${n.deadLetters}
    WHERE projection = $1::text AND version = $2::int4 ORDER BY notification_id`,
  drop: [
    `DELETE FROM ${n.projections} WHERE name = $1::text AND version = $2::int4`,
    ...[n.documents, n.documentFields, n.deadLetters].map(
      (table) => `DELETE FROM ${table} WHERE projection = $1::text AND version = $2::int4`,
    ),
  ],
})
