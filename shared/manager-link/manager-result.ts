import { z } from 'zod';

/**
 * Why a call to the manager did not give an answer, in terms the UI can act on. Errors travel as data
 * (like `IpcResult`): they cross the IPC boundary intact, and the UI switches over `kind` exhaustively.
 *
 * - unreachable: no HTTP answer (network down, manager stopped, timeout)
 * - signed-out: no manager session in this app, or the manager no longer accepts its token (401)
 * - invalid-credentials: sign-in refused (wrong email or password)
 * - forbidden: the signed-in user may not do this (403: employees editing admin settings)
 * - refused: the manager understood and said no (4xx with a stable `code`, e.g. validation_failed)
 * - server: the manager failed (5xx) or answered outside its contract
 */
export const managerFailureKinds = ['unreachable', 'signed-out', 'invalid-credentials', 'forbidden', 'refused', 'server'] as const;
export type ManagerFailureKind = (typeof managerFailureKinds)[number];

export const managerFailureSchema = z.strictObject({
  kind: z.enum(managerFailureKinds),
  /** The manager's stable error code (shared/api errorCodes) when it sent one. */
  code: z.string().max(64).nullable(),
  /** For logs; the UI shows its own sentence per kind. */
  message: z.string().max(500),
});
export type ManagerFailure = z.infer<typeof managerFailureSchema>;

/** An answer from the manager, or why there is none. */
export type ManagerResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: ManagerFailure };

/** The zod schema of `ManagerResult<T>` for one value schema (IPC responses). */
export function managerResultSchema<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('ok', [
    z.strictObject({ ok: z.literal(true), value }),
    z.strictObject({ ok: z.literal(false), failure: managerFailureSchema }),
  ]);
}

export function managerOk<T>(value: T): ManagerResult<T> {
  return { ok: true, value };
}

export function managerFailure(kind: ManagerFailureKind, message: string, code: string | null = null): ManagerResult<never> {
  return { ok: false, failure: { kind, code, message: message.slice(0, 500) } };
}
