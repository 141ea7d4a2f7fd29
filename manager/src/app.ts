import { mkdirSync, readFileSync } from 'node:fs';
import type { RequestListener, Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';
import Fastify from 'fastify';
import type { FastifyError, FastifyInstance } from 'fastify';
import { buildOpenApiDocument } from '../../shared/api/openapi';
import type { CallingPlan } from '../../shared/numbering/calling-plan';
import { defaultCallingPlan } from '../../shared/numbering/calling-plan';
import { AuthService } from './auth/auth-service';
import type { ManagerConfig } from './config';
import { WalletEventHub } from './events/wallet-event-hub';
import { ApiError } from './http/api-error';
import type { ManagerContext } from './http/manager-context';
import { newToken } from './ids';
import type { PaymentProvider } from './payments/payment-provider';
import { SandboxCardProcessor } from './payments/sandbox-card-processor';
import { loadRateCatalog } from './rating/rate-catalog';
import { appOriginsFromEnv, registerAppCors } from './http/app-cors';
import { requestLogView } from './http/request-log';
import { registerAccountRoutes } from './routes/account-routes';
import { registerBudgetRoutes } from './routes/budget-routes';
import { registerReceiptRoutes } from './routes/receipt-routes';
import { registerBarringRoutes } from './routes/barring-routes';
import { registerCallRoutes } from './routes/call-routes';
import { registerCareRoutes } from './routes/care-routes';
import { registerPeopleFeature } from './people/people-feature';
import { registerDidRoutes } from './routes/did-routes';
import { registerDirectoryRoutes } from './routes/directory-routes';
import { registerSipDomainRoutes } from './routes/sip-domain-routes';
import { registerRateRoutes } from './routes/rate-routes';
import { registerWalletRoutes, walletEventFor } from './routes/wallet-routes';
import { ProductionConfigError } from './production-checks';
import { demoDataProblems } from './seed/demo-data-check';
import { seedDemo } from './seed/demo-seed';
import { DatabaseUnavailableError } from './store/database-unavailable';
import { PgRepository } from './store/pg-repository';
import type { Repository } from './store/repository';
import { SqliteRepository } from './store/sqlite-repository';
import { WalletService } from './wallet/wallet-service';
import { registerHandoffRoutes } from './web/handoff-routes';
import { registerWebRoutes } from './web/web-routes';

/** A running manager: the Fastify app plus what tests and the entry point need to reach. */
export interface Manager {
  readonly app: FastifyInstance;
  readonly context: ManagerContext;
  /** Stops background work, closes HTTP and the database. */
  close(): Promise<void>;
}

export interface ManagerOverrides {
  readonly now?: () => number;
  readonly provider?: PaymentProvider;
  readonly plan?: CallingPlan;
  readonly repository?: Repository;
  /** Where the JSON log lines go instead of stdout (tests read them). */
  readonly logStream?: { write(line: string): void };
}

/** Opens the configured store: PostgreSQL when DATABASE_URL is set, else SQLite in the data directory. */
export async function openRepository(config: ManagerConfig, log: { warn(object: object, message: string): void }): Promise<Repository> {
  if (config.databaseUrl) return PgRepository.open(config.databaseUrl, { poolSize: config.pgPoolSize, onBackgroundError: (error, where) => log.warn({ err: error, where }, 'database connection lost') });
  mkdirSync(config.dataDir, { recursive: true });
  return SqliteRepository.open(join(config.dataDir, 'cabine-manager.db'));
}

async function secretFromStore(repository: Repository, key: string, configured: string | null): Promise<string> {
  if (configured) return configured;
  // Generated once and kept in the database, so every instance sharing it agrees.
  await repository.store.setMetaIfAbsent(key, newToken());
  const stored = await repository.store.getMeta(key);
  if (!stored) throw new Error(`Could not establish ${key}`);
  return stored;
}

const jsonErrorCodes: Record<string, [number, ApiError['code']]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'bad_request'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'bad_request'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'bad_request'],
};

/** Builds the service: store, wallet, auth, event hub, HTTP routes (API and pages), demo seed. */
export async function createManager(config: ManagerConfig, overrides: ManagerOverrides = {}): Promise<Manager> {
  const now = overrides.now ?? Date.now;
  const tls = config.tls === null ? null : { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) };
  const app = Fastify({
    // HTTPS when the manager terminates TLS itself; the handler is the same either way.
    ...(tls === null ? {} : { serverFactory: (handler: RequestListener) => createHttpsServer(tls, handler) as unknown as HttpServer }),
    logger: {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-cabine-proxy-secret"]'],
      serializers: { req: requestLogView },
      ...(overrides.logStream ? { stream: overrides.logStream } : {}),
    },
    bodyLimit: config.bodyLimitBytes,
    // Query strings with the same key twice, prototype keys in JSON: refuse rather than guess.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    forceCloseConnections: true,
  });
  const repository = overrides.repository ?? (await openRepository(config, app.log));
  if (config.environment === 'production') {
    // A database left from a trial with the demo seed still opens the published demo passwords.
    const problems = await demoDataProblems(repository.store);
    if (problems.length > 0) {
      if (!overrides.repository) await repository.close();
      throw new ProductionConfigError(problems);
    }
  }
  const provider = overrides.provider ?? new SandboxCardProcessor();
  const rates = loadRateCatalog(config.rateDeckPath);
  const plan = overrides.plan ?? defaultCallingPlan;
  let hub: WalletEventHub | null = null;
  const wallet = new WalletService({
    repository, provider, rates, plan, now,
    topUpAmountsMinor: config.topUpAmountsMinor,
    defaultSipDomain: config.sipDomain,
    maxCallSeconds: config.maxCallSeconds,
    ringAllowanceSeconds: config.ringAllowanceSeconds,
    maxRefillsPerDay: config.maxRefillsPerDay,
    refillDeclinesBeforeDisable: config.refillDeclinesBeforeDisable,
    lowBalanceMinor: config.lowBalanceMinor,
    onWalletChange: (companyId) => hub?.changed(companyId),
    log: app.log,
  });
  const auth = new AuthService({
    repository, now,
    appSessionTtlMs: 30 * 24 * 3600 * 1000,
    webSessionTtlMs: 12 * 3600 * 1000,
    handoffTtlMs: 60 * 1000,
    maxFailuresPerEmail: 5,
    maxFailuresPerAddress: 50,
    failureWindowMs: 15 * 60 * 1000,
    log: app.log,
  });
  const context: ManagerContext = {
    config, repository, wallet, auth, rates, provider, plan, now,
    hub: new WalletEventHub(repository, (companyId) => walletEventFor(context, companyId), (error) => app.log.error({ err: error }, 'wallet event hub')),
    sipSharedSecret: await secretFromStore(repository, 'sip_shared_secret', config.sipSharedSecret),
    proxySecret: await secretFromStore(repository, 'proxy_secret', config.proxySecret),
  };
  hub = context.hub;

  // JSON for the API, forms for the pages; nothing else (text/plain bodies get 415).
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    const form: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [key, value] of new URLSearchParams(body as string)) form[key] = value;
    done(null, form);
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff');
    if (!request.url.startsWith('/api/')) {
      // A page that needs its own (the hand-off page: one hashed script, no Referer) has set it already.
      if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
      reply.header('x-frame-options', 'DENY');
      if (!reply.hasHeader('referrer-policy')) reply.header('referrer-policy', 'same-origin');
    }
    done(null, payload);
  });

  registerAppCors(app, appOriginsFromEnv());
  const renderWebError = registerWebRoutes(app, context);
  registerHandoffRoutes(app, context);
  registerAccountRoutes(app, context);
  registerWalletRoutes(app, context);
  registerCallRoutes(app, context);
  registerBarringRoutes(app, context);
  registerBudgetRoutes(app, context);
  registerReceiptRoutes(app, context);
  registerRateRoutes(app, context);
  registerCareRoutes(app, context);
  registerPeopleFeature(app, context);
  registerDidRoutes(app, context);
  registerDirectoryRoutes(app, context);
  registerSipDomainRoutes(app, context);
  const openapi = buildOpenApiDocument('1.0.0');
  app.get('/api/v1/openapi.json', (_request, reply) => reply.send(openapi));
  // Liveness: the process serves HTTP (no database round trip, so a database outage never gets it restarted).
  app.get('/healthz', async () => ({ ok: true, dialect: repository.dialect, deckVersion: rates.index.deck.version }));
  // Readiness: the database answers; a load balancer sends no traffic here while it does not.
  app.get('/readyz', async (_request, reply) => {
    try {
      await repository.ping();
      return { ready: true, dialect: repository.dialect };
    } catch (error) {
      reply.code(503).header('retry-after', '1');
      return { ready: false, reason: error instanceof DatabaseUnavailableError ? 'database_unavailable' : 'database_error' };
    }
  });

  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/api/')) return reply.code(404).send({ error: { code: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0] ?? ''}` } });
    return renderWebError(request, reply, 404, 'not found');
  });

  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    let status = 500;
    let body: { error: { code: string; message: string; issues?: ReadonlyArray<{ path: string; message: string }> } };
    if (error instanceof ApiError) {
      status = error.status;
      for (const [name, value] of Object.entries(error.headers ?? {})) reply.header(name, value);
      body = { error: { code: error.code, message: error.message, ...(error.issues ? { issues: error.issues } : {}) } };
    } else if (error instanceof DatabaseUnavailableError) {
      // Nothing is assumed done: the caller retries (same idempotency key), the proxy's queue resends.
      status = 503;
      reply.header('retry-after', '1');
      request.log.warn({ err: error.cause }, 'database unavailable');
      body = { error: { code: 'service_unavailable', message: 'The service is briefly unavailable; try again' } };
    } else if (error.code && jsonErrorCodes[error.code]) {
      const [mapped, code] = jsonErrorCodes[error.code] ?? [400, 'bad_request'];
      status = mapped;
      body = { error: { code, message: error.message } };
    } else if (error.code === 'FST_ERR_BAD_STATUS_CODE' || (error.statusCode && error.statusCode >= 400 && error.statusCode < 500)) {
      status = error.statusCode ?? 400;
      body = { error: { code: 'bad_request', message: error.message } };
    } else {
      request.log.error({ err: error }, 'unhandled error');
      body = { error: { code: 'internal', message: 'Internal error' } };
    }
    if (request.url.startsWith('/api/')) return reply.code(status).send(body);
    if (status === 401) return reply.redirect('/sign-in', 303);
    return renderWebError(request, reply, status, body.error.message);
  });

  if (config.seedDemo) await seedDemo({ repository, wallet, provider, currency: config.currency, scryptLogN: config.scryptLogN, now: now(), sipDomain: config.sipDomain });
  await context.hub.start(config.eventsPollMs);

  return {
    app,
    context,
    close: async () => {
      await app.close();
      await wallet.settle();
      await context.hub.stop();
      await repository.close();
    },
  };
}
