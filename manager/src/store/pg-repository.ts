import pg from 'pg';
import type { Migration } from './migrations';
import { postgresMigrations } from './migrations';
import type { Repository, Store } from './repository';
import type { SqlExecutor, SqlRow } from './sql-executor';
import { SqlStore } from './sql-store';

const walletChannel = 'cabine_wallet';

function parseSafeInteger(text: string): number {
  const value = Number(text);
  // Money never leaves the safe-integer range; if the database ever held more, fail loudly rather than round.
  if (!Number.isSafeInteger(value)) throw new RangeError(`Integer from PostgreSQL out of safe range: ${text}`);
  return value;
}

// BIGINT (20) and NUMERIC (1700, what SUM(bigint) returns) arrive as strings by default.
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20 || oid === 1700 ? parseSafeInteger : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

function numbered(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => `$${++index}`);
}

function executorFor(client: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    all: async (sql, params = []) => (await client.query(numbered(sql), params as unknown[])).rows as SqlRow[],
    run: async (sql, params = []) => (await client.query(numbered(sql), params as unknown[])).rowCount ?? 0,
  };
}

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  // serialization_failure, deadlock_detected
  return code === '40001' || code === '40P01';
}

/**
 * PostgreSQL, for deployments with several manager instances. Every money transaction starts by locking
 * its company row (SELECT ... FOR UPDATE in `SqlStore.lockCompany`), which serialises writes per wallet
 * while different companies proceed in parallel; READ COMMITTED is enough under that lock.
 */
export class PgRepository implements Repository {
  readonly dialect = 'postgres' as const;
  readonly store: Store;
  private readonly pool: pg.Pool;

  private constructor(connectionString: string, poolSize: number) {
    this.pool = new pg.Pool({ connectionString, max: poolSize, types });
    this.store = new SqlStore(executorFor(this.pool), 'postgres');
  }

  /** Connects and applies pending migrations (under an advisory lock, so instances starting together agree). */
  static async open(connectionString: string, poolSize = 10): Promise<PgRepository> {
    const repository = new PgRepository(connectionString, poolSize);
    await repository.migrate(postgresMigrations);
    return repository;
  }

  private async migrate(migrations: readonly Migration[]): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock(727401)');
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
      const applied = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((row) => row.version));
      for (const migration of migrations) {
        if (applied.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [migration.version, migration.name, Date.now()]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(727401)').catch(() => undefined);
      client.release();
    }
  }

  async transaction<T>(work: (tx: Store) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
        const result = await work(new SqlStore(executorFor(client), 'postgres'));
        await client.query('COMMIT');
        client.release();
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        client.release();
        if (isRetryable(error) && attempt < 10) continue;
        throw error;
      }
    }
  }

  async listenWalletChanges(onChange: (companyId: string) => void): Promise<() => Promise<void>> {
    const client = await this.pool.connect();
    client.on('notification', (message) => {
      if (message.channel === walletChannel && message.payload) onChange(message.payload);
    });
    await client.query(`LISTEN ${walletChannel}`);
    return async () => {
      await client.query(`UNLISTEN ${walletChannel}`).catch(() => undefined);
      client.release();
    };
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
