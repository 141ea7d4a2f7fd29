/**
 * The app's client of the manager's HTTP API, used by the company link (company-link.ts) that the Electron
 * main process and the web host both run. Paths, methods and response schemas come from
 * `shared/api/endpoints.ts`, the same description the server registers its routes from (house style 3);
 * every answer is parsed before use (house style 4).
 *
 * The network is a parameter: both hosts pass their global `fetch`, tests pass a fake.
 */
import type { z } from 'zod';
import { apiErrorSchema, endpoints, type EndpointSpec } from '../api/endpoints';
import type { HandoffRequest, SignInRequest } from '../api/auth-schemas';
import type { AutoRefillSettings } from '../api/wallet-schemas';
import { managerFailure, managerOk, type ManagerResult } from './manager-result';

/** The parts of a fetch `Response` the client reads. */
export interface FetchResponseLike {
  readonly status: number;
  json(): Promise<unknown>;
  readonly body: { getReader(): StreamReaderLike } | null;
}

/** The parts of a `ReadableStreamDefaultReader<Uint8Array>` the event stream reads. */
export interface StreamReaderLike {
  read(): Promise<{ done: boolean; value?: Uint8Array }>;
  cancel(): Promise<void>;
}

/** `fetch`, narrowed to what the client sends. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<FetchResponseLike>;

export interface ManagerClientDeps {
  /** The manager's origin, e.g. "https://manager.example.fr" (see parseManagerUrl). */
  readonly origin: string;
  readonly fetch: FetchLike;
  /** The bearer token, or null before sign-in. */
  readonly token: () => string | null;
  /** Gives up on an answer after this long (the caller's timer); resolves to report a timeout. */
  readonly timeout?: (milliseconds: number) => Promise<void>;
  /** How long to wait for an answer; 10 s by default. */
  readonly timeoutMs?: number;
  /** A fresh Idempotency-Key for endpoints that need one. */
  readonly idempotencyKey?: () => string;
}

type Spec = EndpointSpec;
type SuccessValue<S extends Spec> = S['responses'] extends Readonly<Record<number, infer R>> ? (R extends z.ZodType ? z.output<R> : undefined) : never;

export interface ManagerRequest {
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string | number>>;
  readonly params?: Readonly<Record<string, string>>;
}

/** Fills `:params` in a path; values are URI-encoded. */
function fillPath(path: string, params: Readonly<Record<string, string>> = {}): string {
  return path.replace(/:([A-Za-z]+)/g, (_whole, name: string) => encodeURIComponent(params[name] ?? ''));
}

function queryString(query: Readonly<Record<string, string | number>> | undefined): string {
  if (query === undefined) return '';
  const pairs = Object.entries(query).map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  return pairs.length === 0 ? '' : `?${pairs.join('&')}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The result of one request: parsed success, or a failure mapped from the status and the error body. */
export async function callEndpoint<S extends Spec>(deps: ManagerClientDeps, spec: S, request: ManagerRequest = {}): Promise<ManagerResult<SuccessValue<S>>> {
  const token = deps.token();
  if (spec.auth !== 'none' && token === null) return managerFailure('signed-out', 'Not signed in to the manager');
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token !== null && spec.auth !== 'none') headers['authorization'] = `Bearer ${token}`;
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  if (spec.idempotent === true) headers['idempotency-key'] = deps.idempotencyKey?.() ?? '';
  const url = `${deps.origin}${fillPath(spec.path, request.params)}${queryString(request.query)}`;
  const init = { method: spec.method, headers, ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}) };

  let response: FetchResponseLike;
  try {
    const answer = deps.fetch(url, init);
    const timeoutMs = deps.timeoutMs ?? 10_000;
    const timedOut = deps.timeout?.(timeoutMs).then(() => 'timeout' as const);
    const first = await (timedOut === undefined ? answer : Promise.race([answer, timedOut]));
    if (first === 'timeout') return managerFailure('unreachable', `No answer from the manager within ${String(timeoutMs)} ms`);
    response = first;
  } catch (error) {
    return managerFailure('unreachable', `The manager could not be reached: ${describe(error)}`);
  }

  const schema = spec.responses[response.status];
  if (schema !== undefined) {
    if (schema === null) return managerOk(undefined as SuccessValue<S>);
    let json: unknown;
    try {
      json = await response.json();
    } catch (error) {
      return managerFailure('server', `The manager's answer is not JSON: ${describe(error)}`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) return managerFailure('server', `The manager's answer does not match the contract (${spec.method} ${spec.path})`);
    return managerOk(parsed.data as SuccessValue<S>);
  }

  let code: string | null = null;
  let message = `HTTP ${String(response.status)}`;
  try {
    const body = apiErrorSchema.safeParse(await response.json());
    if (body.success) {
      code = body.data.error.code;
      message = body.data.error.message;
    }
  } catch {
    // An error without a JSON body keeps the status line as its message.
  }
  // Only sign-in is open to anyone: a 401 there means wrong credentials, elsewhere a token the manager dropped.
  if (response.status === 401) return managerFailure(spec.auth === 'none' ? 'invalid-credentials' : 'signed-out', message, code);
  if (response.status === 403) return managerFailure('forbidden', message, code);
  if (response.status >= 400 && response.status < 500) return managerFailure('refused', message, code);
  return managerFailure('server', message, code);
}

/** The endpoints the app uses, as methods. */
export function createManagerClient(deps: ManagerClientDeps) {
  return {
    origin: deps.origin,
    signIn: (body: SignInRequest) => callEndpoint(deps, endpoints.signIn, { body }),
    signOut: () => callEndpoint(deps, endpoints.signOut),
    me: () => callEndpoint(deps, endpoints.me),
    sipConfig: () => callEndpoint(deps, endpoints.sipConfig),
    handoff: (body: HandoffRequest) => callEndpoint(deps, endpoints.handoff, { body }),
    wallet: () => callEndpoint(deps, endpoints.wallet),
    quote: (number: string) => callEndpoint(deps, endpoints.quote, { query: { number } }),
    rateCountries: () => callEndpoint(deps, endpoints.rateCountries),
    rates: (country: string) => callEndpoint(deps, endpoints.rates, { query: { country } }),
    activity: (limit = 20) => callEndpoint(deps, endpoints.activity, { query: { limit } }),
    budget: () => callEndpoint(deps, endpoints.myBudget),
    directory: () => callEndpoint(deps, endpoints.directory),
    callReceipt: (seq: number) => callEndpoint(deps, endpoints.callReceipt, { params: { seq: String(seq) } }),
    topUpOptions: () => callEndpoint(deps, endpoints.topUpOptions),
    setAutoRefill: (body: AutoRefillSettings) => callEndpoint(deps, endpoints.putAutoRefill, { body }),
  };
}

export type ManagerClient = ReturnType<typeof createManagerClient>;
