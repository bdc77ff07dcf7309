// The PostgreSQL schema of a recorder: tables, and the append function that gives notification ids
// in commit order. Names are validated here, then quoted, so no user text is ever spliced into SQL.

import { EventfoldError } from '../../codec/index.js'

/** The quoted, validated names of one recorder's tables and function. */
export interface Names {
  readonly schema: string
  readonly events: string
  readonly head: string
  readonly tracking: string
  readonly snapshots: string
  readonly append: string
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
    head: q('log_head'),
    tracking: q('tracking'),
    snapshots: q('snapshots'),
    append: q('append'),
    channel: `${schema}.${prefix}events`,
  }
}

/**
 * Why the append function looks as it does. A reader that tails the log must never skip an event
 * that commits late, and must see ids strictly increasing. Ids from a sequence break that: a
 * transaction can take id 7, stall, and commit after another that took id 8 — a reader that has
 * seen 8 moves past 7 for ever. Here every append first locks the one row of `log_head` and
 * holds that lock until it commits; the ids it takes follow `last_id` and it writes the new
 * `last_id` before committing. So the transaction that takes ids n+1… cannot start numbering
 * until the one that took …n has committed (or rolled back, giving its ids back): ids are
 * gap-free and become visible in order. Throughput does not come from parallel commits, which
 * this forbids, but from group commit: the recorder sends the appends waiting in this process as
 * one call, one transaction, one WAL flush. Each append of the group keeps its own optimistic
 * concurrency check — a (stream, version) that exists, that repeats within the call, or a
 * tracking row that exists fails only the batch it belongs to, which is reported back and left
 * out; the rest commit. Checks run after the lock is taken, so they see every committed row.
 */
export const schemaStatements = (n: Names): readonly string[] => {
  const keys =
    '(SELECT u.* FROM unnest(p_batch, p_stream, p_version) WITH ORDINALITY AS u(batch, stream_id, version, ord))'
  return [
    `CREATE SCHEMA IF NOT EXISTS ${n.schema}`,
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
    `CREATE TABLE IF NOT EXISTS ${n.head} (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    last_id bigint NOT NULL
  )`,
    `INSERT INTO ${n.head} (only_row, last_id) VALUES (true, 0) ON CONFLICT DO NOTHING`,
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
    `CREATE OR REPLACE FUNCTION ${n.append}(
    p_batch integer[], p_stream text[], p_version bigint[], p_type text[], p_schema integer[],
    p_blob bytea, p_length integer[],
    p_track_batch integer[], p_upstream text[], p_track_id bigint[]
  ) RETURNS TABLE (last_id bigint, failed integer[], conflict_stream text[], conflict_version bigint[], tracking_failed integer[])
  LANGUAGE plpgsql AS $fn$
  DECLARE
    v_last bigint;
    v_count bigint;
    v_failed integer[];
    v_tracking_failed integer[];
    v_conflict_stream text[];
    v_conflict_version bigint[];
  BEGIN
    SELECT h.last_id INTO v_last FROM ${n.head} h WHERE h.only_row FOR UPDATE;

    SELECT coalesce(array_agg(c.batch), '{}'), coalesce(array_agg(c.stream_id), '{}'), coalesce(array_agg(c.version), '{}')
      INTO v_failed, v_conflict_stream, v_conflict_version
      FROM (
        SELECT DISTINCT ON (x.batch) x.batch, x.stream_id, x.version FROM (
          SELECT r.batch, r.stream_id, r.version, r.ord FROM ${keys} r
            WHERE EXISTS (SELECT 1 FROM ${n.events} e WHERE e.stream_id = r.stream_id AND e.version = r.version)
          UNION ALL
          SELECT d.batch, d.stream_id, d.version, d.ord FROM (
            SELECT r.*, row_number() OVER (PARTITION BY r.stream_id, r.version ORDER BY r.ord) AS nth FROM ${keys} r
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

    INSERT INTO ${n.events} (notification_id, stream_id, version, type, schema_version, data)
      SELECT v_last + row_number() OVER (ORDER BY r.ord), r.stream_id, r.version, r.type, r.schema_version,
             substring(p_blob FROM (r.stop - r.len + 1)::integer FOR r.len)
      FROM (
        SELECT u.*, sum(u.len) OVER (ORDER BY u.ord) AS stop
        FROM unnest(p_batch, p_stream, p_version, p_type, p_schema, p_length)
          WITH ORDINALITY AS u(batch, stream_id, version, type, schema_version, len, ord)
      ) r
      WHERE NOT (r.batch = ANY (v_failed)) ORDER BY r.ord;
    GET DIAGNOSTICS v_count = ROW_COUNT;

    INSERT INTO ${n.tracking} (upstream, notification_id)
      SELECT u.upstream, u.nid FROM unnest(p_track_batch, p_upstream, p_track_id) AS u(batch, upstream, nid)
      WHERE NOT (u.batch = ANY (v_failed));

    IF v_count > 0 THEN
      UPDATE ${n.head} SET last_id = v_last + v_count WHERE only_row;
      PERFORM pg_notify('${n.channel}', (v_last + v_count)::text);
    END IF;
    RETURN QUERY SELECT v_last, v_failed, v_conflict_stream, v_conflict_version, v_tracking_failed;
  END
  $fn$`,
  ]
}
