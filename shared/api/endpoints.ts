import type { z } from 'zod';
import {
  barringRequestSchema, dailyCapRequestSchema, handoffRequestSchema, handoffResponseSchema, highRiskSettingSchema, meResponseSchema,
  signInRequestSchema, signInResponseSchema, sipConfigResponseSchema, userListResponseSchema, userViewSchema,
} from './auth-schemas';
import {
  authorizeCallRequestSchema, authorizeCallResponseSchema, completeCallRequestSchema, completeCallResponseSchema,
  extendCallRequestSchema, extendCallResponseSchema, releaseCallRequestSchema, releaseCallResponseSchema,
} from './call-schemas';
import { outsideCallsSettingSchema, outsideCallsViewSchema } from './barring-schemas';
import { directoryEndpoints } from './directory-endpoints';
import { numberEndpoints } from './number-endpoints';
import { peopleEndpoints } from './people-endpoints';
import { sipDomainEndpoints } from './sip-domain-endpoints';
import { budgetListResponseSchema, budgetRequestSchema, budgetViewSchema } from './budget-schemas';
import { callReceiptSchema, receiptParamsSchema } from './receipt-schemas';
import { apiBasePath, companyIdParamsSchema, errorBodySchema, idParamsSchema } from './common-schemas';
import { quoteQuerySchema, quoteResponseSchema, rateCountriesResponseSchema, ratesQuerySchema, ratesResponseSchema } from './rate-schemas';
import {
  activityQuerySchema, activityResponseSchema, autoRefillSettingsSchema, autoRefillViewSchema, cancelTopUpRequestSchema,
  cardRequestSchema, cardResponseSchema, integrityReportSchema, notificationListResponseSchema, topUpListResponseSchema,
  topUpOptionsResponseSchema, topUpRequestSchema, topUpResponseSchema, topUpViewSchema, walletViewSchema,
} from './wallet-schemas';

/**
 * Who may call an endpoint: anyone; any signed-in user (bearer token, or the web session cookie); a
 * company admin; a customer-care operator; the SIP proxy (shared-secret header).
 */
export type EndpointAuth = 'none' | 'user' | 'admin' | 'operator' | 'proxy';

/** One endpoint of the manager's HTTP API: the single description both the server and clients use. */
export interface EndpointSpec {
  readonly method: 'GET' | 'POST' | 'PUT';
  /** Fastify-style path with :params, under /api/v1. */
  readonly path: string;
  readonly summary: string;
  readonly auth: EndpointAuth;
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  /** True when the request must carry an Idempotency-Key header. */
  readonly idempotent?: boolean;
  /** Success responses by status; `null` for no body. Error bodies are always `errorBodySchema`. */
  readonly responses: Readonly<Record<number, z.ZodType | null>>;
  /** Content type of the success body when it is not JSON (the SSE stream). */
  readonly produces?: string;
}

const p = (path: string): string => `${apiBasePath}${path}`;

/** Every endpoint, by name. */
export const endpoints = {
  signIn: { method: 'POST', path: p('/auth/sign-in'), summary: 'Sign in with email and password; returns a bearer token for the app.', auth: 'none', body: signInRequestSchema, responses: { 200: signInResponseSchema } },
  signOut: { method: 'POST', path: p('/auth/sign-out'), summary: 'Revoke the bearer token.', auth: 'user', responses: { 204: null } },
  me: { method: 'GET', path: p('/me'), summary: 'The signed-in user and company.', auth: 'user', responses: { 200: meResponseSchema } },
  sipConfig: { method: 'GET', path: p('/sip-config'), summary: 'Time-limited SIP credentials (Kamailio auth_ephemeral) for the signed-in user.', auth: 'user', responses: { 200: sipConfigResponseSchema } },
  handoff: { method: 'POST', path: p('/handoff'), summary: 'One-time code (short-lived, single use) that opens a manager page already signed in.', auth: 'user', body: handoffRequestSchema, responses: { 201: handoffResponseSchema } },
  wallet: { method: 'GET', path: p('/wallet'), summary: 'Balance, currency, automatic refill and low-balance flag.', auth: 'user', responses: { 200: walletViewSchema } },
  walletEvents: { method: 'GET', path: p('/wallet/events'), summary: 'Server-Sent Events stream ("event: wallet") of wallet changes.', auth: 'user', responses: { 200: null }, produces: 'text/event-stream' },
  topUpOptions: { method: 'GET', path: p('/wallet/top-up-options'), summary: 'The amounts an admin may add.', auth: 'user', responses: { 200: topUpOptionsResponseSchema } },
  topUp: { method: 'POST', path: p('/wallet/topups'), summary: 'Add funds from the card on file (admins). Requires Idempotency-Key.', auth: 'admin', body: topUpRequestSchema, idempotent: true, responses: { 201: topUpResponseSchema, 402: topUpResponseSchema } },
  getTopUp: { method: 'GET', path: p('/wallet/topups/:id'), summary: 'One top-up (receipt).', auth: 'user', params: idParamsSchema, responses: { 200: topUpViewSchema } },
  getAutoRefill: { method: 'GET', path: p('/wallet/auto-refill'), summary: 'Automatic refill settings.', auth: 'user', responses: { 200: autoRefillViewSchema } },
  putAutoRefill: { method: 'PUT', path: p('/wallet/auto-refill'), summary: 'Change automatic refill (admins).', auth: 'admin', body: autoRefillSettingsSchema, responses: { 200: autoRefillViewSchema } },
  getCard: { method: 'GET', path: p('/wallet/card'), summary: 'The card on file (brand and last digits only).', auth: 'user', responses: { 200: cardResponseSchema } },
  putCard: { method: 'PUT', path: p('/wallet/card'), summary: 'Replace the card on file (admins).', auth: 'admin', body: cardRequestSchema, responses: { 200: cardResponseSchema } },
  putDailyCap: { method: 'PUT', path: p('/company/daily-cap'), summary: 'Daily spending cap on calls (admins).', auth: 'admin', body: dailyCapRequestSchema, responses: { 200: walletViewSchema } },
  getHighRisk: { method: 'GET', path: p('/company/high-risk'), summary: 'Whether the company may call high-risk destinations (satellite, international networks).', auth: 'user', responses: { 200: highRiskSettingSchema } },
  putHighRisk: { method: 'PUT', path: p('/company/high-risk'), summary: 'Allow or block high-risk destinations for the whole company (admins); blocked by default.', auth: 'admin', body: highRiskSettingSchema, responses: { 200: highRiskSettingSchema } },
  listUsers: { method: 'GET', path: p('/users'), summary: "The company's users (admins).", auth: 'admin', responses: { 200: userListResponseSchema } },
  putBarring: { method: 'PUT', path: p('/users/:id/barring'), summary: 'Bar or allow paid-service numbers for a user (admins).', auth: 'admin', params: idParamsSchema, body: barringRequestSchema, responses: { 200: userViewSchema } },
  getOutsideCalls: { method: 'GET', path: p('/users/:id/outside-calls'), summary: "A user's outside-call scope: plan only, chosen countries, or everything (admins).", auth: 'admin', params: idParamsSchema, responses: { 200: outsideCallsViewSchema } },
  putOutsideCalls: { method: 'PUT', path: p('/users/:id/outside-calls'), summary: "Limit a user's outside calls to the plan, to chosen countries (ISO 3166-1 alpha-2), or allow everything (admins).", auth: 'admin', params: idParamsSchema, body: outsideCallsSettingSchema, responses: { 200: outsideCallsViewSchema } },
  myBudget: { method: 'GET', path: p('/budget'), summary: "The signed-in user's monthly budget for calls and what is left of it this UTC month.", auth: 'user', responses: { 200: budgetViewSchema } },
  listBudgets: { method: 'GET', path: p('/company/budgets'), summary: "Every calling user's monthly budget and this month's spend (admins).", auth: 'admin', responses: { 200: budgetListResponseSchema } },
  getBudget: { method: 'GET', path: p('/users/:id/budget'), summary: "A user's monthly budget and this month's spend (admins).", auth: 'admin', params: idParamsSchema, responses: { 200: budgetViewSchema } },
  putBudget: { method: 'PUT', path: p('/users/:id/budget'), summary: "Set or clear (null) a user's monthly budget for calls (admins); calls past it are refused monthly_budget.", auth: 'admin', params: idParamsSchema, body: budgetRequestSchema, responses: { 200: budgetViewSchema } },
  callReceipt: { method: 'GET', path: p('/receipts/calls/:seq'), summary: "A charged call's receipt by its ledger seq (the activity item's seq): destination, rate, increments, durations, price. The caller's own calls; admins every call of the company; otherwise 404.", auth: 'user', params: receiptParamsSchema, responses: { 200: callReceiptSchema } },
  notifications: { method: 'GET', path: p('/notifications'), summary: 'Notifications for admins (declined refills...).', auth: 'admin', responses: { 200: notificationListResponseSchema } },
  quote: { method: 'GET', path: p('/quote'), summary: 'What a call to a number would cost, and how long the balance lasts.', auth: 'user', query: quoteQuerySchema, responses: { 200: quoteResponseSchema } },
  rateCountries: { method: 'GET', path: p('/rates/countries'), summary: 'Countries in the rate deck.', auth: 'user', responses: { 200: rateCountriesResponseSchema } },
  rates: { method: 'GET', path: p('/rates'), summary: 'Every rate for one country.', auth: 'user', query: ratesQuerySchema, responses: { 200: ratesResponseSchema } },
  activity: { method: 'GET', path: p('/activity'), summary: 'Wallet activity, newest first: call charges, top-ups, refills, reversals.', auth: 'user', query: activityQuerySchema, responses: { 200: activityResponseSchema } },
  careTopUps: { method: 'GET', path: p('/care/companies/:companyId/topups'), summary: "A company's top-ups (customer care).", auth: 'operator', params: companyIdParamsSchema, responses: { 200: topUpListResponseSchema } },
  careCancelTopUp: { method: 'POST', path: p('/care/topups/:id/cancel'), summary: 'Cancel a top-up with a reversing entry (customer care).', auth: 'operator', params: idParamsSchema, body: cancelTopUpRequestSchema, responses: { 200: topUpResponseSchema } },
  careIntegrity: { method: 'GET', path: p('/care/integrity'), summary: 'Run the ledger integrity check (customer care).', auth: 'operator', responses: { 200: integrityReportSchema } },
  authorizeCall: { method: 'POST', path: p('/calls/authorize'), summary: 'SIP proxy: may this call go ahead, and for how long?', auth: 'proxy', body: authorizeCallRequestSchema, responses: { 200: authorizeCallResponseSchema } },
  extendCall: { method: 'POST', path: p('/calls/extend'), summary: 'SIP proxy: a call in progress asks again; after a top-up or refill it may last longer (never shorter).', auth: 'proxy', body: extendCallRequestSchema, responses: { 200: extendCallResponseSchema } },
  completeCall: { method: 'POST', path: p('/calls/complete'), summary: 'SIP proxy: the call ended after N answered seconds; charge it once.', auth: 'proxy', body: completeCallRequestSchema, responses: { 200: completeCallResponseSchema } },
  releaseCall: { method: 'POST', path: p('/calls/release'), summary: 'SIP proxy: the attempt failed (never connected, cancelled, authorize timed out); free its reservation, or leave a tombstone so a late authorize is refused.', auth: 'proxy', body: releaseCallRequestSchema, responses: { 200: releaseCallResponseSchema } },
  ...peopleEndpoints,
  ...numberEndpoints,
  ...directoryEndpoints,
  ...sipDomainEndpoints,
} as const satisfies Record<string, EndpointSpec>;

export type EndpointName = keyof typeof endpoints;

/** The error body, re-exported here so clients import one module. */
export const apiErrorSchema = errorBodySchema;
