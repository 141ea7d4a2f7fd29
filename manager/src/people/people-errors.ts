import type { ErrorCode } from '../../../shared/api/common-schemas';
import { ApiError } from '../http/api-error';

/** Why the people service refused, for the pages to word in the visitor's language. */
export type PeopleRefusal =
  | 'email_taken' | 'extension_taken' | 'extension_format' | 'extension_short_number' | 'no_free_extension'
  | 'self_change' | 'last_admin' | 'domain_taken' | 'dead_link' | 'wrong_password' | 'deactivated' | 'taken_meanwhile';

/** An API error that also says why in a stable word (`refusal`), which the API clients see as the code's message. */
export class PeopleError extends ApiError {
  constructor(status: number, code: ErrorCode, readonly refusal: PeopleRefusal, message: string, issues?: ReadonlyArray<{ path: string; message: string }>) {
    super(status, code, message, issues);
  }
}
