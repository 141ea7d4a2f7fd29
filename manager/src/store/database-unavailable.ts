/**
 * The database could not be reached: the server is down or restarting, the connection broke, or no
 * connection came within the timeout. Requests that meet it answer 503 with Retry-After, and nothing they
 * asked for is assumed done: a caller retries with the same idempotency key (top-ups), and the proxy's
 * durable charging queue resends its reports, so a commit whose answer was lost is found, not repeated.
 */
export class DatabaseUnavailableError extends Error {
  constructor(cause: unknown) {
    super('The database is unavailable', { cause });
    this.name = 'DatabaseUnavailableError';
  }
}

// Socket errors of the connection to the server.
const socketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// SQLSTATE 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 53300 too_many_connections.
const serverCodes = new Set(['57P01', '57P02', '57P03', '53300']);
// node-postgres reports these without a code.
const clientMessages = [/^Connection terminated/, /timeout exceeded when trying to connect/, /is not queryable/, /^Client was closed/];

/** True for errors that mean "no working connection", as opposed to an error in the SQL or the data. */
export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    // SQLSTATE class 08: connection exception.
    return socketCodes.has(code) || serverCodes.has(code) || code.startsWith('08');
  }
  return clientMessages.some((pattern) => pattern.test(error.message));
}

/** `error` as a DatabaseUnavailableError when it is a connection failure, else unchanged. */
export function asUnavailable(error: unknown): unknown {
  return isConnectionFailure(error) && !(error instanceof DatabaseUnavailableError) ? new DatabaseUnavailableError(error) : error;
}
