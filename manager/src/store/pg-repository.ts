import pg from 'pg';
import { asUnavailable, DatabaseUnavailableError, isConnectionFailure } from './database-unavailable';
import type { Migration } from './migrations';
import type { MoneyStatements } from './money-statements';
import { PgMoneyStatements } from './pg-money-statements';
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
  const query = async (sql: string, params: readonly unknown[]): Promise<pg.QueryResult> => {
    try {
      return await client.query(numbered(sql), params as unknown[]);
    } catch (error) {
      throw asUnavailable(error);
    }
  };
  return {
    all: async (sql, params = []) => (await query(sql, params)).rows as SqlRow[],
    run: async (sql, params = []) => (await query(sql, params)).rowCount ?? 0,
  };
}

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  // serialization_failure, deadlock_detected
  return code === '40001' || code === '40P01';
}

/** How the repository meets a database that goes away. */
export interface PgOptions {
  readonly poolSize?: number;
  /** How long a request waits for a connection before it fails with DatabaseUnavailableError. Default 2 s. */
  readonly connectTimeoutMs?: number;
  /** Connection errors nobody was waiting for (an idle connection dropped, the listener lost): logged. */
  readonly onBackgroundError?: (error: unknown, where: 'pool' | 'listener') => void;
  /** Authorize and complete in one write round trip each (migration 10); default true. False: always the locked transaction. */
  readonly moneyStatements?: boolean;
}

// The wallet-change listener reconnects after 250 ms, doubling up to 5 s, for as long as it is subscribed.
const listenRetryMs = { first: 250, max: 5_000 } as const;

/**
 * PostgreSQL, for deployments with several manager instances. Every money transaction starts by locking
 * its company row (SELECT ... FOR UPDATE in `SqlStore.lockCompany`), which serialises writes per wallet
 * while different companies proceed in parallel; READ COMMITTED is enough under that lock.
 */
export class PgRepository implements Repository {
  readonly dialect = 'postgres' as const;
  readonly store: Store;
  readonly moneyStatements?: MoneyStatements;
  private readonly pool: pg.Pool;
  private readonly onBackgroundError: NonNullable<PgOptions['onBackgroundError']>;

  private constructor(private readonly connectionString: string, private readonly options: PgOptions) {
    this.onBackgroundError = options.onBackgroundError ?? (() => undefined);
    // A PostgreSQL restart breaks every open connection: idle ones report it here (without a listener the
    // pool's 'error' event would end the process); the pool drops them and connects afresh on demand.
    this.pool = new pg.Pool({ connectionString, max: options.poolSize ?? 10, types, connectionTimeoutMillis: options.connectTimeoutMs ?? 2_000, keepAlive: true });
    this.pool.on('error', (error) => this.onBackgroundError(error, 'pool'));
    this.store = new SqlStore(executorFor(this.pool), 'postgres');
    if (options.moneyStatements !== false) this.moneyStatements = new PgMoneyStatements(this.pool);
  }

  /** Connects and applies pending migrations (under an advisory lock, so instances starting together agree). */
  static async open(connectionString: string, options: PgOptions = {}): Promise<PgRepository> {
    const repository = new PgRepository(connectionString, options);
    try {
      await repository.migrate(postgresMigrations);
    } catch (error) {
      await repository.close();
      throw error;
    }
    return repository;
  }

  /** A checked-out connection, guarded: an error while it sits between queries is kept, not thrown at the process. */
  private async connect(): Promise<{ client: pg.PoolClient; broken: () => unknown }> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw new DatabaseUnavailableError(error);
    }
    let failure: unknown = null;
    const onError = (error: unknown): void => {
      failure = error;
    };
    client.on('error', onError);
    const release = client.release.bind(client);
    client.release = (destroy?: Error | boolean) => {
      client.removeListener('error', onError);
      client.release = release;
      return release(destroy ?? (failure ? true : undefined));
    };
    return { client, broken: () => failure };
  }

  private async migrate(migrations: readonly Migration[]): Promise<void> {
    const { client } = await this.connect();
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

  /**
   * Serialisation failures and deadlocks are retried from the start. So is a connection that turns out to be
   * dead at BEGIN (a pooled connection the server closed), because nothing was sent yet. A connection lost
   * after that is not retried: whether COMMIT happened is unknown, so the caller gets
   * DatabaseUnavailableError and retries idempotently.
   */
  async transaction<T>(work: (tx: Store) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      const { client, broken } = await this.connect();
      let begun = false;
      try {
        await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
        begun = true;
        const result = await work(new SqlStore(executorFor(client), 'postgres'));
        await client.query('COMMIT');
        client.release();
        return result;
      } catch (error) {
        const lost = isConnectionFailure(error) || broken() !== null;
        if (!lost) await client.query('ROLLBACK').catch(() => undefined);
        client.release(lost);
        if (isRetryable(error) && attempt < 10) continue;
        if (lost && !begun && attempt < 2) continue;
        throw lost ? new DatabaseUnavailableError(error) : error;
      }
    }
  }

  /** One round trip, bounded by the connection timeout: what the readiness endpoint asks. */
  async ping(): Promise<void> {
    try {
      await this.pool.query('SELECT 1');
    } catch (error) {
      throw new DatabaseUnavailableError(error);
    }
  }

  /**
   * LISTEN on a connection of its own, outside the pool. When that connection is lost (a PostgreSQL restart)
   * it reconnects with backoff until unsubscribed; changes made meanwhile are not heard here, which is what
   * the event hub's poll of companies.last_seq is for.
   */
  async listenWalletChanges(onChange: (companyId: string) => void): Promise<() => Promise<void>> {
    let client: pg.Client | null = null;
    let stopped = false;
    let retryTimer: NodeJS.Timeout | null = null;
    let delay: number = listenRetryMs.first;
    const subscribe = async (first: boolean): Promise<void> => {
      const next = new pg.Client({ connectionString: this.connectionString, connectionTimeoutMillis: this.options.connectTimeoutMs ?? 2_000, keepAlive: true });
      let lost = false;
      const onLost = (error?: unknown): void => {
        if (lost) return;
        lost = true;
        if (client === next) client = null;
        next.end().catch(() => undefined);
        if (stopped) return;
        if (error) this.onBackgroundError(error, 'listener');
        retryTimer = setTimeout(() => void subscribe(false).catch(onRetryFailed), delay);
        retryTimer.unref();
        delay = Math.min(delay * 2, listenRetryMs.max);
      };
      const onRetryFailed = (error: unknown): void => onLost(error);
      next.on('error', onLost);
      next.on('end', () => onLost());
      next.on('notification', (message) => {
        if (message.channel === walletChannel && message.payload) onChange(message.payload);
      });
      try {
        await next.connect();
        await next.query(`LISTEN ${walletChannel}`);
      } catch (error) {
        // The first subscription reports to the caller; later ones retry through onLost.
        if (first) {
          lost = true;
          await next.end().catch(() => undefined);
          throw asUnavailable(error);
        }
        onLost(error);
        return;
      }
      if (stopped) {
        await next.end().catch(() => undefined);
        return;
      }
      client = next;
      delay = listenRetryMs.first;
    };
    await subscribe(true);
    return async () => {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      const current = client;
      client = null;
      if (current) await current.end().catch(() => undefined);
    };
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
