import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handoffResponseSchema } from '../../shared/api/auth-schemas';
import type { Backend, BackendName, RunningManager, TestResponse } from './support/manager-harness';
import { startBackend, startManager, TestClock } from './support/manager-harness';

/** Every log line the manager wrote, raw. */
const logLines: string[] = [];
const logStream = { write: (line: string) => void logLines.push(line) };

const cookieValue = (response: TestResponse, name: string): string | undefined => {
  for (const cookie of response.headers.getSetCookie()) {
    const match = new RegExp(`^${name}=([^;]*)`).exec(cookie);
    if (match) return decodeURIComponent(match[1] ?? '');
  }
  return undefined;
};

/**
 * The hand-off code (the app's bearer token turned into a browser session) attacked from the outside: in a
 * URL, posted from another site, without the page's binding cookie, replayed, late, raced. Nothing but the
 * page the app opened, posting the code with its own binding cookie, gets a session; and no code ever
 * reaches the log.
 */
describe.each<BackendName>(['sqlite', 'postgres'])('hand-off code on %s', (backendName) => {
  let backend: Backend;
  let m: RunningManager;
  let clock: TestClock;
  let adminToken: string;
  const codes: string[] = [];

  beforeAll(async () => {
    backend = await startBackend(backendName);
    clock = new TestClock();
    m = await startManager({ ...(await backend.freshEnv()), CABINE_LOG_LEVEL: 'info' }, { now: clock.now, logStream });
    adminToken = await m.signIn('alice@cabine.test', 'cabine-1001');
  });

  afterAll(async () => {
    await m?.close();
    await backend?.stop();
  });

  const newCode = async (next = '/prepaid/add-funds'): Promise<string> => {
    const created = await m.request('POST', '/api/v1/handoff', { token: adminToken, body: { next } });
    expect(created.status).toBe(201);
    const body = handoffResponseSchema.parse(created.body);
    expect(body.url).toBe(`/handoff#code=${body.code}`);
    expect(Date.parse(body.expiresAt) - clock.now()).toBeLessThanOrEqual(60_000);
    codes.push(body.code);
    return body.code;
  };

  /** What the page does: GET /handoff (binding cookie + the same value in the form). */
  const loadPage = async (): Promise<string> => {
    const page = await m.request('GET', '/handoff');
    expect(page.status).toBe(200);
    const binding = cookieValue(page, 'cabine_handoff');
    expect(binding).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(String(page.body)).toContain(`name="_csrf" value="${binding}"`);
    expect(page.headers.getSetCookie().join('\n')).toMatch(/cabine_handoff=[^;]+; Path=\/; Max-Age=60; SameSite=Strict; HttpOnly/);
    return binding ?? '';
  };

  const post = (form: Record<string, string>, headers: Record<string, string>) =>
    m.request('POST', '/handoff', { rawBody: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });

  const sameOrigin = (binding: string | null): Record<string, string> => ({
    origin: m.baseUrl, 'sec-fetch-site': 'same-origin', ...(binding === null ? {} : { cookie: `cabine_handoff=${binding}` }),
  });

  /** The page's own post: code and binding, from this origin. */
  const redeem = async (code: string) => {
    const binding = await loadPage();
    return post({ code, _csrf: binding }, sameOrigin(binding));
  };

  const expectRefused = (response: TestResponse): void => {
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/sign-in?handoff=invalid');
    expect(cookieValue(response, 'cabine_session')).toBeUndefined();
  };

  it('serves a page with one hashed script and no code; only its post signs this browser in, once', async () => {
    const page = await m.request('GET', '/handoff');
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+'; style-src 'self';.* form-action 'self'/);
    expect(page.headers.get('referrer-policy')).toBe('same-origin');
    expect(page.headers.get('cache-control')).toBe('no-store');
    const code = await newCode();
    const first = await redeem(code);
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/prepaid/add-funds');
    const session = cookieValue(first, 'cabine_session');
    expect(first.headers.getSetCookie().join('\n')).toMatch(/cabine_session=[^;]+; Path=\/; Max-Age=\d+; SameSite=Strict; HttpOnly/);
    expect(cookieValue(first, 'cabine_handoff')).toBe('');
    const addFunds = await m.request('GET', '/prepaid/add-funds', { headers: { cookie: `cabine_session=${session}` } });
    expect(addFunds.status).toBe(200);
    expect(addFunds.body).toContain('Add Funds');
    expectRefused(await redeem(code));
  });

  it('never redeems on GET: a ?code= in the URL signs nobody in and burns the code', async () => {
    const code = await newCode();
    expectRefused(await m.request('GET', `/handoff?code=${code}`));
    expectRefused(await redeem(code));
  });

  it('refuses a post without the binding cookie, with another page load\'s binding, or from another site, and burns the code', async () => {
    const attempts: Array<(code: string) => Promise<TestResponse>> = [
      // No binding cookie (a forged form from anywhere, or a client that never loaded the page).
      (code) => post({ code, _csrf: 'x'.repeat(43) }, sameOrigin(null)),
      // The binding of one page load, the form value of another.
      async (code) => post({ code, _csrf: await loadPage() }, sameOrigin(await loadPage())),
      // The right pair, but the browser says the post came from another site.
      async (code) => {
        const binding = await loadPage();
        return post({ code, _csrf: binding }, { ...sameOrigin(binding), origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
      },
      async (code) => {
        const binding = await loadPage();
        return post({ code, _csrf: binding }, { ...sameOrigin(binding), 'sec-fetch-site': 'same-site' });
      },
      // Neither Origin nor Sec-Fetch-Site: not provably from our page.
      async (code) => {
        const binding = await loadPage();
        return post({ code, _csrf: binding }, { cookie: `cabine_handoff=${binding}` });
      },
    ];
    for (const attempt of attempts) {
      const code = await newCode();
      expectRefused(await attempt(code));
      expectRefused(await redeem(code));
    }
  });

  it('refuses a code after 60 s, and signs one browser in when two race with the same code', async () => {
    const late = await newCode();
    clock.advance(60_001);
    expectRefused(await redeem(late));
    const code = await newCode();
    const [first, second] = await Promise.all([loadPage(), loadPage()]);
    const results = await Promise.all([first, second].map((binding) => post({ code, _csrf: binding }, sameOrigin(binding))));
    expect(results.filter((response) => cookieValue(response, 'cabine_session') !== undefined)).toHaveLength(1);
  });

  it('writes no code to the log, not even one sent in a URL', async () => {
    expect(codes.length).toBeGreaterThan(5);
    const log = logLines.join('');
    expect(log).toContain('"url":"/handoff?code=[redacted]"');
    expect(log).toContain('"event":"handoff_refused"');
    for (const code of codes) expect(log).not.toContain(code);
  });
});
