/** A row as the driver returns it. */
export type SqlRow = Record<string, unknown>;

/**
 * The smallest surface both drivers share. SQL is written once with '?' placeholders; the PostgreSQL
 * executor numbers them ($1, $2...). Integers come back as JavaScript numbers (the PostgreSQL executor
 * parses BIGINT and NUMERIC and refuses values beyond 2^53).
 */
export interface SqlExecutor {
  all(sql: string, params?: readonly unknown[]): Promise<SqlRow[]>;
  run(sql: string, params?: readonly unknown[]): Promise<number>;
}
