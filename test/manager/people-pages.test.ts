/**
 * The People, password and audit pages (manager/src/web/pages/people-pages.ts), in English and French, and
 * their attacks: an employee posting to People, a form without its CSRF token, another company's id, a dead
 * link; a Settings page write recorded in the audit trail. Real HTTP on SQLite; forms as a browser posts them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personListResponseSchema } from '../../shared/api/people-schemas';
import type { Backend, RunningManager } from './support/manager-harness';
import { addCompany, startBackend, startManager } from './support/manager-harness';

describe('People pages', () => {
  let backend: Backend;
  let m: RunningManager;

  /** Signs in through the web form (login CSRF double submit): the session cookie and its CSRF token. */
  const webSignIn = async (email: string, password: string): Promise<{ cookie: string; csrf: string }> => {
    const form = await m.request('GET', '/sign-in');
    const loginCookie = /cabine_login_csrf=([^;]+)/.exec(form.headers.get('set-cookie') ?? '')?.[1] ?? '';
    const loginCsrf = /name="_csrf" value="([^"]+)"/.exec(String(form.body))?.[1] ?? '';
    const answer = await m.request('POST', '/sign-in', {
      headers: { cookie: `cabine_login_csrf=${loginCookie}`, 'content-type': 'application/x-www-form-urlencoded' },
      rawBody: new URLSearchParams({ _csrf: loginCsrf, email, password, next: '/prepaid/people' }).toString(),
    });
    expect(answer.status).toBe(303);
    const cookie = `cabine_session=${/cabine_session=([^;]+)/.exec(answer.headers.get('set-cookie') ?? '')?.[1] ?? ''}`;
    const page = await m.request('GET', '/account/password', { headers: { cookie } });
    return { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(String(page.body))?.[1] ?? '' };
  };
  const get = (path: string, who: { cookie: string }, lang: 'en' | 'fr' = 'en') => m.request('GET', path, { headers: { cookie: `${who.cookie}; cabine_lang=${lang}` } });
  const post = (path: string, who: { cookie: string; csrf: string }, fields: Record<string, string>, lang: 'en' | 'fr' = 'en') =>
    m.request('POST', path, { headers: { cookie: `${who.cookie}; cabine_lang=${lang}`, 'content-type': 'application/x-www-form-urlencoded' }, rawBody: new URLSearchParams({ _csrf: who.csrf, ...fields }).toString() });

  beforeAll(async () => {
    backend = await startBackend('sqlite');
    m = await startManager(await backend.freshEnv());
  });

  afterAll(async () => {
    await m.close();
    await backend.stop();
  });

  it('the admin adds, changes, deactivates and removes people on the page, in English and French', async () => {
    const alice = await webSignIn('alice@cabine.test', 'cabine-1001');
    const fr = await get('/prepaid/people', alice, 'fr');
    expect(fr.status).toBe(200);
    expect(String(fr.body)).toContain('<h1>Personnes</h1>');
    expect(String(fr.body)).toContain('Ajouter et envoyer l’e-mail de bienvenue');
    const added = await post('/prepaid/people', alice, { displayName: 'Fanny Page', email: 'fanny@cabine.test', role: 'employee', extension: '', premiumBarred: '1', budget: '12,50' }, 'fr');
    expect(added.status).toBe(200);
    expect(String(added.body)).toContain('Un e-mail de bienvenue');
    const token = await m.signIn('alice@cabine.test', 'cabine-1001');
    const fanny = personListResponseSchema.parse((await m.request('GET', '/api/v1/people', { token })).body).people.find((p) => p.email === 'fanny@cabine.test');
    expect(fanny).toMatchObject({ status: 'invited', premiumBarred: true, monthlyBudgetMinor: 1250 });
    // A short number as extension: refused in the page's language, nothing changed.
    const short = await post(`/prepaid/people/${fanny?.id ?? ''}`, alice, { role: 'employee', extension: '1015' }, 'fr');
    expect(short.status).toBe(400);
    expect(String(short.body)).toContain('numéro court');
    const taken = await post(`/prepaid/people/${fanny?.id ?? ''}`, alice, { role: 'employee', extension: '1002' });
    expect(taken.status).toBe(409);
    expect(String(taken.body)).toContain('This extension is already taken.');
    expect((await post(`/prepaid/people/${fanny?.id ?? ''}/deactivate`, alice, {})).status).toBe(200);
    expect((await post(`/prepaid/people/${fanny?.id ?? ''}/remove`, alice, {})).status).toBe(400);
    expect((await post(`/prepaid/people/${fanny?.id ?? ''}/remove`, alice, { confirm: '1' })).status).toBe(200);
    expect(personListResponseSchema.parse((await m.request('GET', '/api/v1/people', { token })).body).people.map((p) => p.email)).not.toContain('fanny@cabine.test');
  });

  it('attacks on the forms: an employee, a missing CSRF token, another company\'s id, a dead link', async () => {
    const bruno = await webSignIn('bruno@cabine.test', 'cabine-1002');
    expect((await get('/prepaid/people', bruno)).status).toBe(403);
    const sneaky = await post('/prepaid/people', bruno, { displayName: 'Sneaky', email: 'sneaky@cabine.test', role: 'admin' });
    expect(sneaky.status).toBe(403);
    expect((await post('/prepaid/people/usr_demo_1003/deactivate', bruno, {})).status).toBe(403);
    expect((await get('/audit', bruno)).status).toBe(403);
    const alice = await webSignIn('alice@cabine.test', 'cabine-1001');
    expect((await post('/prepaid/people/usr_demo_1003/deactivate', { cookie: alice.cookie, csrf: 'forged' }, {})).status).toBe(403);
    await addCompany(m.repository, 'cmp_other', 'other.example', 'boss@other.example', 'other-password');
    expect((await post('/prepaid/people/usr_cmp_other_admin/deactivate', alice, {})).status).toBe(404);
    const token = await m.signIn('alice@cabine.test', 'cabine-1001');
    const people = personListResponseSchema.parse((await m.request('GET', '/api/v1/people', { token })).body).people;
    expect(people.find((p) => p.id === 'usr_demo_1003')?.status).toBe('active');
    expect(people.map((p) => p.email)).not.toContain('sneaky@cabine.test');
    const dead = await m.request('POST', '/set-password', { headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'cabine_lang=fr' }, rawBody: new URLSearchParams({ token: 'A'.repeat(43), password: 'long-enough-pw', repeat: 'long-enough-pw' }).toString() });
    expect(dead.status).toBe(400);
    expect(String(dead.body)).toContain('Ce lien n’est plus valable');
  });

  it('own password change on the page; a Settings write lands in the audit trail page', async () => {
    const chloe = await webSignIn('chloe@cabine.test', 'cabine-1003');
    const differ = await post('/account/password', chloe, { current: 'cabine-1003', password: 'chloe-new-password', repeat: 'something-else' });
    expect(differ.status).toBe(400);
    expect((await post('/account/password', chloe, { current: 'wrong', password: 'chloe-new-password', repeat: 'chloe-new-password' })).status).toBe(403);
    expect((await post('/account/password', chloe, { current: 'cabine-1003', password: 'chloe-new-password', repeat: 'chloe-new-password' })).status).toBe(200);
    await m.signIn('chloe@cabine.test', 'chloe-new-password');

    const alice = await webSignIn('alice@cabine.test', 'cabine-1001');
    expect((await post('/prepaid/settings', alice, { enabled: '1', thresholdMinor: '500', amountMinor: '2500' })).status).toBe(200);
    const audit = await get('/audit', alice, 'fr');
    expect(audit.status).toBe(200);
    expect(String(audit.body)).toContain('Journal d’audit');
    expect(String(audit.body)).toMatch(/data-action="refill\.changed"[^]*alice@cabine\.test/);
    expect(String(audit.body)).toContain('data-action="password.changed"');
    const care = await webSignIn('care@cabine.test', 'cabine-care');
    expect(String((await get('/audit', care)).body)).toContain('cmp_demo');
  });
});
