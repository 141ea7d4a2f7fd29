import type { ErrorCode } from '../../../shared/api/common-schemas';

/** An error with an HTTP status and a stable code; the error handler turns it into the JSON error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly issues?: ReadonlyArray<{ path: string; message: string }>,
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}
