import Database from 'better-sqlite3';
import type { Migration } from './migrations';
import { sqliteMigrations } from './migrations';
import type { Repository, Store } from './repository';
import type { SqlExecutor, SqlRow } from './sql-executor';
import { SqlStore } from './sql-store';

/** A promise-chain mutex: better-sqlite3 has one connection, so one transaction at a time per process. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === 'SQLITE_LOCKED';
}

/**
 * SQLite, embedded. WAL lets readers run beside the writer; synchronous=FULL fsyncs the WAL at every commit,
 * so a committed top-up survives power loss (https://www.sqlite.org/pragma.html#pragma_synchronous);
 * BEGIN IMMEDIATE takes the write lock before the first read, so two processes can never both read a
 * balance and then both write it.
 */
export class SqliteRepository implements Repository {
  readonly dialect = 'sqlite' as const;
  readonly store: Store;
  /** The store handed to transactions: same connection, no mutex (the transaction already holds it). */
  private readonly txStore: Store;
  private readonly db: Database.Database;
  private readonly mutex = new Mutex();
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 10000');
    const raw = this.executor();
    this.txStore = new SqlStore(raw, 'sqlite');
    // Reads outside a transaction wait for the running one, so they never see its uncommitted writes.
    this.store = new SqlStore(
      { all: (sql, params) => this.mutex.run(() => raw.all(sql, params)), run: (sql, params) => this.mutex.run(() => raw.run(sql, params)) },
      'sqlite',
    );
  }

  /** Opens (creating if needed) the database file and applies pending migrations. */
  static async open(path: string): Promise<SqliteRepository> {
    const repository = new SqliteRepository(path);
    await repository.migrate(sqliteMigrations);
    return repository;
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private executor(): SqlExecutor {
    return {
      all: (sql, params = []) => {
        const statement = this.statement(sql);
        return Promise.resolve(statement.reader ? (statement.all(...params) as SqlRow[]) : (statement.run(...params), []));
      },
      run: (sql, params = []) => Promise.resolve(this.statement(sql).run(...params).changes),
    };
  }

  private async migrate(migrations: readonly Migration[]): Promise<void> {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    await this.transaction(async () => {
      const applied = new Set((this.db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((row) => row.version));
      for (const migration of migrations) {
        if (applied.has(migration.version)) continue;
        this.db.exec(migration.sql);
        this.db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, Date.now());
      }
    });
  }

  transaction<T>(work: (tx: Store) => Promise<T>): Promise<T> {
    return this.mutex.run(async () => {
      for (let attempt = 0; ; attempt += 1) {
        try {
          this.db.exec('BEGIN IMMEDIATE');
        } catch (error) {
          // Another process holds the write lock beyond busy_timeout: try again, a bounded number of times.
          if (isBusy(error) && attempt < 20) continue;
          throw error;
        }
        try {
          const result = await work(this.txStore);
          this.db.exec('COMMIT');
          return result;
        } catch (error) {
          if (this.db.inTransaction) this.db.exec('ROLLBACK');
          if (isBusy(error) && attempt < 20) continue;
          throw error;
        }
      }
    });
  }

  /** The database is a file this process holds open: reachable as long as the process runs. */
  ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
    return Promise.resolve();
  }

  listenWalletChanges(): Promise<null> {
    return Promise.resolve(null);
  }

  close(): Promise<void> {
    return this.mutex.run(() => {
      this.db.close();
      return Promise.resolve();
    });
  }
}
