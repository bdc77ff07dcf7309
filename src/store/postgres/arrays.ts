// Arrays travel as PostgreSQL array literals in text parameters, cast in SQL (`$1::text[]`): the
// driver then needs no array type information, which it would fetch with a query after each
// connect — a query that, killed midway, leaves the connection hanging and its error unhandled.

const quote = (value: string): string => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`

/** The array literal of strings, numbers or nulls, e.g. `{"a","b"}`, `{1,2}` or `{"x",NULL}`. */
export const arrayLiteral = (values: readonly (string | number | null)[]): string =>
  `{${values.map((v) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : quote(v))).join(',')}}`
