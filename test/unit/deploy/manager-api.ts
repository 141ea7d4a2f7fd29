/**
 * A small client of the manager's HTTP API for the SIP tests: sign in, read the wallet and the ledger
 * (activity), top up, cancel a top-up (customer care), and the proxy's own endpoints. Bodies are parsed
 * with the shared zod schemas, so a contract drift fails here and not silently.
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { signInResponseSchema, sipConfigResponseSchema } from '../../../shared/api/auth-schemas.js';
import { outsideCallsViewSchema } from '../../../shared/api/barring-schemas.js';
import { completeCallResponseSchema } from '../../../shared/api/call-schemas.js';
import { activityResponseSchema, topUpListResponseSchema, topUpResponseSchema, walletViewSchema } from '../../../shared/api/wallet-schemas.js';

const base = '/api/v1';

export interface ManagerApi {
  /** Signs in and returns a bearer token. */
  signIn(email: string, password: string): Promise<string>;
  wallet(token: string): Promise<z.infer<typeof walletViewSchema>>;
  /** The newest ledger entries (up to 100). */
  activity(token: string): Promise<z.infer<typeof activityResponseSchema>['items']>;
  topUp(token: string, amountMinor: number): Promise<z.infer<typeof topUpResponseSchema>>;
  /** Customer care cancels every succeeded top-up of a company (reversing entries). */
  cancelTopUps(operatorToken: string, companyId: string): Promise<void>;
  sipConfig(token: string): Promise<z.infer<typeof sipConfigResponseSchema>>;
  /** An admin limits a user's outside calls (PUT /users/:id/outside-calls). */
  setOutsideCalls(token: string, userId: string, setting: { scope: 'plan' | 'all' } | { scope: 'countries'; countries: string[] }): Promise<unknown>;
  /** The proxy's complete call, as Kamailio sends it (for replay tests). */
  complete(proxySecret: string, callId: string, answeredSeconds: number): Promise<z.infer<typeof completeCallResponseSchema>>;
}

export function managerApi(url: string): ManagerApi {
  const request = async <T extends z.ZodType>(
    schema: T,
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    headers: Record<string, string>,
    body?: unknown,
  ): Promise<z.output<T>> => {
    const response = await fetch(`${url}${base}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(`${method} ${path}: ${response.status} ${text}`);
    }
    return schema.parse(JSON.parse(text));
  };
  const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

  return {
    async signIn(email, password) {
      return (await request(signInResponseSchema, 'POST', '/auth/sign-in', {}, { email, password })).token;
    },
    wallet: (token) => request(walletViewSchema, 'GET', '/wallet', bearer(token)),
    async activity(token) {
      return (await request(activityResponseSchema, 'GET', '/activity?limit=100', bearer(token))).items;
    },
    topUp: (token, amountMinor) =>
      request(topUpResponseSchema, 'POST', '/wallet/topups', { ...bearer(token), 'idempotency-key': randomUUID() }, { amountMinor, currency: 'EUR' }),
    async cancelTopUps(operatorToken, companyId) {
      const { topUps } = await request(topUpListResponseSchema, 'GET', `/care/companies/${companyId}/topups`, bearer(operatorToken));
      for (const topUp of topUps.filter((row) => row.status === 'succeeded')) {
        await request(topUpResponseSchema, 'POST', `/care/topups/${topUp.id}/cancel`, bearer(operatorToken), { reason: 'test: empty the wallet' });
      }
    },
    setOutsideCalls: (token, userId, setting) => request(outsideCallsViewSchema, 'PUT', `/users/${userId}/outside-calls`, bearer(token), setting),
    sipConfig: (token) => request(sipConfigResponseSchema, 'GET', '/sip-config', bearer(token)),
    complete: (proxySecret, callId, answeredSeconds) =>
      request(completeCallResponseSchema, 'POST', '/calls/complete', { 'x-cabine-proxy-secret': proxySecret }, { callId, answeredSeconds }),
  };
}
