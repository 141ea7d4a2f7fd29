import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** A PostgreSQL database for one test file or benchmark, and how to get rid of it. */
export interface TestDatabase {
  readonly url: string;
  /** Another empty database on the same server (one per manager under test). */
  newDatabase(): Promise<string>;
  stop(): Promise<void>;
  /**
   * The server itself, for fault tests: stop it (fast mode: open connections are terminated, as in a
   * restart) and start it again on the same port and data. Only on a throwaway cluster this file started.
   */
  readonly server?: { halt(): Promise<void>; resume(): Promise<void> };
}

/** Where the Debian packages put the server binaries; override with CABINE_PG_BIN. */
function pgBin(): string {
  if (process.env.CABINE_PG_BIN) return process.env.CABINE_PG_BIN;
  for (const version of ['17', '16', '15', '14']) {
    const dir = `/usr/lib/postgresql/${version}/bin`;
    if (existsSync(join(dir, 'initdb'))) return dir;
  }
  throw new Error('PostgreSQL server binaries not found: apt-get install postgresql, or set CABINE_PG_BIN or CABINE_TEST_DATABASE_URL');
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

async function createDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, empty PostgreSQL database.
 *
 * - With CABINE_TEST_DATABASE_URL (a server CI started, e.g. postgresql://postgres@127.0.0.1/postgres): a new
 *   database on it, dropped afterwards.
 * - Otherwise: a throwaway cluster. initdb refuses to run as root, so when we are root it runs as the
 *   `postgres` OS user (runuser) in a temporary directory that user owns, on a free loopback port with its
 *   unix socket inside that directory; `stop()` shuts it down (immediate mode) and deletes the directory.
 */
export async function startTestDatabase(options: { readonly ownServer?: boolean } = {}): Promise<TestDatabase> {
  const name = `cabine_test_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  const shared = process.env.CABINE_TEST_DATABASE_URL;
  if (shared && !options.ownServer) {
    await createDatabase(shared, name);
    const url = new URL(shared);
    url.pathname = `/${name}`;
    const created = [name];
    return {
      url: url.toString(),
      newDatabase: async () => {
        const extra = `${name}_${created.length}`;
        await createDatabase(shared, extra);
        created.push(extra);
        const extraUrl = new URL(shared);
        extraUrl.pathname = `/${extra}`;
        return extraUrl.toString();
      },
      stop: async () => {
        const client = new pg.Client({ connectionString: shared });
        await client.connect();
        try {
          for (const database of created) await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
        } finally {
          await client.end();
        }
      },
    };
  }
  const bin = pgBin();
  const dir = mkdtempSync(join(tmpdir(), 'cabine-pg-'));
  const asRoot = process.getuid?.() === 0;
  const { stdout: ids } = asRoot ? await run('id', ['-u', 'postgres']).then(async (uid) => ({ stdout: `${uid.stdout.trim()}:${(await run('id', ['-g', 'postgres'])).stdout.trim()}` })) : { stdout: '' };
  if (asRoot) {
    const [uid, gid] = ids.split(':').map(Number);
    chownSync(dir, uid ?? 0, gid ?? 0);
  }
  const exec = (tool: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]) : run(join(bin, tool), args));
  const data = join(dir, 'data');
  await exec('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  const startServer = () => exec('pg_ctl', [
    '-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60',
    '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=64MB`,
    'start',
  ]);
  await startServer();
  const adminUrl = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  await createDatabase(adminUrl, name);
  let extras = 0;
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/${name}`,
    newDatabase: async () => {
      extras += 1;
      await createDatabase(adminUrl, `${name}_${extras}`);
      return `postgresql://postgres@127.0.0.1:${port}/${name}_${extras}`;
    },
    stop: async () => {
      await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
    server: {
      halt: async () => {
        await exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
      },
      resume: async () => {
        await startServer();
      },
    },
  };
}
