import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Manager, ManagerOverrides } from '../../../manager/src/app';
import { createManager } from '../../../manager/src/app';
import { loadConfig } from '../../../manager/src/config';
import { hashPassword } from '../../../manager/src/auth/password-hashing';
import type { CompanyRow, Repository } from '../../../manager/src/store/repository';
import type { TestDatabase } from './postgres-cluster';
import { startTestDatabase } from './postgres-cluster';

export type BackendName = 'sqlite' | 'postgres';

/** The proxy secret every test manager uses. */
export const testProxySecret = 'test-proxy-secret-0123456789';
/** The SIP secret every test manager uses. */
export const testSipSecret = 'test-sip-secret-0123456789abcdef';

/** A backend for the parameterised suites: where each new manager's database lives. */
export interface Backend {
  readonly name: BackendName;
  /** Environment for a manager on a fresh, empty database. */
  freshEnv(): Promise<Record<string, string>>;
  /** Environment for a second manager sharing the database of `env`. */
  sameDatabase(env: Record<string, string>): Record<string, string>;
  stop(): Promise<void>;
}

/** Starts a backend: a temp directory for SQLite, a throwaway PostgreSQL cluster for PostgreSQL. */
export async function startBackend(name: BackendName): Promise<Backend> {
  if (name === 'sqlite') {
    const dirs: string[] = [];
    return {
      name,
      freshEnv: () => {
        const dir = mkdtempSync(join(tmpdir(), 'cabine-sqlite-'));
        dirs.push(dir);
        return Promise.resolve({ CABINE_MANAGER_DATA_DIR: dir });
      },
      sameDatabase: (env) => ({ ...env }),
      stop: () => {
        for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      },
    };
  }
  const database: TestDatabase = await startTestDatabase();
  return {
    name,
    freshEnv: async () => ({ DATABASE_URL: await database.newDatabase() }),
    sameDatabase: (env) => ({ ...env }),
    stop: () => database.stop(),
  };
}

/** A clock tests can move forward. */
export class TestClock {
  constructor(public current = Date.now()) {}
  readonly now = (): number => this.current;
  advance(ms: number): void {
    this.current += ms;
  }
}

/** Test defaults: quiet logs, cheap scrypt, fixed secrets, fast event polling, any free port, the demo company. */
export function testEnv(extra: Record<string, string>): Record<string, string> {
  return {
    CABINE_MANAGER_PORT: '0',
    CABINE_SCRYPT_LOG_N: '12',
    CABINE_PROXY_SECRET: testProxySecret,
    CABINE_SIP_SHARED_SECRET: testSipSecret,
    CABINE_LOG_LEVEL: 'silent',
    CABINE_EVENTS_POLL_MS: '100',
    // The suites work on the demo company; the manager's own default is off (config.test.ts).
    CABINE_SEED_DEMO: 'true',
    ...extra,
  };
}

/** An HTTP answer; the body is parsed JSON (tests then check it against the shared zod schemas). */
export interface TestResponse {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test assertions read arbitrary JSON paths
  readonly body: any;
  readonly headers: Headers;
}

/** A manager listening on a free loopback port, with small HTTP helpers. */
export interface RunningManager {
  readonly manager: Manager;
  readonly baseUrl: string;
  readonly repository: Repository;
  request(method: string, path: string, options?: { body?: unknown; token?: string; headers?: Record<string, string>; rawBody?: string }): Promise<TestResponse>;
  signIn(email: string, password: string): Promise<string>;
  proxy(path: string, body: unknown): Promise<TestResponse>;
  close(): Promise<void>;
}

export async function startManager(env: Record<string, string>, overrides: ManagerOverrides = {}): Promise<RunningManager> {
  const config = loadConfig(testEnv(env) as NodeJS.ProcessEnv);
  const manager = await createManager(config, overrides);
  const address = await manager.app.listen({ host: '127.0.0.1', port: 0 });
  const request: RunningManager['request'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let payload: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${address}${path}`, { method, headers, body: payload, redirect: 'manual' });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text.length > 0 ? JSON.parse(text) : null;
    } catch {
      // Pages and redirects are not JSON: keep the text.
    }
    return { status: response.status, body, headers: response.headers };
  };
  return {
    manager,
    baseUrl: address,
    repository: manager.context.repository,
    request,
    signIn: async (email, password) => {
      const response = await request('POST', '/api/v1/auth/sign-in', { body: { email, password } });
      if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body.token as string;
    },
    proxy: (path, body) => request('POST', path, { body, headers: { 'x-cabine-proxy-secret': testProxySecret } }),
    close: () => manager.close(),
  };
}

/** Adds a second company with one admin (for cross-company checks). */
export async function addCompany(repository: Repository, id: string, domain: string, adminEmail: string, password: string): Promise<CompanyRow> {
  const company: CompanyRow = {
    id, name: `Company ${id}`, currency: 'EUR', country: 'FR', sipDomain: domain, balanceMinor: 0, lastSeq: 0, autoRefillEnabled: false,
    autoRefillThresholdMinor: 500, autoRefillAmountMinor: 2500, autoRefillDeclines: 0, autoRefillDisabledReason: null, dailyCapMinor: null, highRiskAllowed: false, createdAt: Date.now(),
  };
  const passwordHash = await hashPassword(password, 12);
  await repository.transaction(async (tx) => {
    await tx.insertCompany(company);
    await tx.insertUser({
      id: `usr_${id}_admin`, companyId: id, email: adminEmail, displayName: 'Other Admin', role: 'admin', extension: '1001',
      passwordHash, premiumBarred: false, createdAt: Date.now(),
    });
  });
  return company;
}
