import { createManager } from './app';
import { loadConfig } from './config';

/**
 * Entry point: `npm run manager`. Loads configuration from the environment, finishes work a previous
 * process left half-done (pending top-ups and refills), then serves until SIGTERM/SIGINT, and stops within
 * CABINE_SHUTDOWN_TIMEOUT_MS.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const manager = await createManager(config);
  const { app, context } = manager;
  // SQLite has one writer process, so everything pending at start-up was orphaned by a crash; with
  // PostgreSQL another instance may still be working on it, so only old entries are taken over.
  const recovered = await context.wallet.recoverPending(context.repository.dialect === 'sqlite' ? 0 : config.pendingRecoveryAgeMs);
  app.log.info({ recovered }, 'recovery at start-up');
  const sweep = setInterval(() => {
    context.wallet.recoverPending(config.pendingRecoveryAgeMs).catch((error: unknown) => app.log.error({ err: error }, 'recovery sweep failed'));
  }, Math.max(5_000, config.pendingRecoveryAgeMs));
  sweep.unref();
  const address = await app.listen({ host: config.host, port: config.port });
  app.log.info({ address, dialect: context.repository.dialect, deck: context.rates.index.deck.version }, 'cabine manager listening');
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'stopping');
    clearInterval(sweep);
    // Bounded: a database that does not answer, or a connection that will not close, cannot hold the stop.
    setTimeout(() => {
      app.log.error({ timeoutMs: config.shutdownTimeoutMs }, 'stop took too long; exiting anyway');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    manager.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
