/**
 * Password links under races (docs/manager.md, "Passwords"): an admin's reset expires the person's older
 * links and stores the new one in one transaction holding the person's row, so concurrent resets (on two
 * managers sharing the database) leave exactly one live link; a reset racing a password-set with the old
 * link either finds that link used or makes it dead, and a dead link never sets a password; a link sets a
 * password once, even when posted twice at the same moment. Real HTTP, SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../manager/src/auth/password-hashing';
import { hashToken } from '../../manager/src/ids';
import type { Backend, BackendName, RunningManager } from './support/manager-harness';
import { startBackend, startManager } from './support/manager-harness';

interface OutboxMessage { readonly to: string; readonly text: string }

const person = 'usr_demo_1002';
const personEmail = 'bruno@cabine.test';

describe.each<BackendName>(['sqlite', 'postgres'])('password links on %s', (backendName) => {
  let backend: Backend;
  let first: RunningManager;
  let second: RunningManager;
  let adminOnFirst: string;
  let adminOnSecond: string;

  beforeAll(async () => {
    backend = await startBackend(backendName);
    const env = await backend.freshEnv();
    first = await startManager(env);
    second = await startManager(backend.sameDatabase(env));
    adminOnFirst = await first.signIn('alice@cabine.test', 'cabine-1001');
    adminOnSecond = await second.signIn('alice@cabine.test', 'cabine-1001');
  });

  afterAll(async () => {
    await first.close();
    await second.close();
    await backend.stop();
  });

  /** Every reset token mailed to the person by either manager (each keeps its own outbox). */
  const mailedTokens = async (): Promise<string[]> => {
    const tokens: string[] = [];
    for (const m of [first, second]) {
      const messages = ((await m.request('GET', '/dev/outbox.json')).body as { messages: OutboxMessage[] }).messages;
      for (const message of messages.filter((entry) => entry.to === personEmail)) {
        const token = /\/set-password\?token=([A-Za-z0-9_-]+)/.exec(message.text)?.[1];
        if (token) tokens.push(token);
      }
    }
    return tokens;
  };
  const liveTokens = async (tokens: readonly string[]): Promise<string[]> => {
    const live: string[] = [];
    for (const token of tokens) if (await first.repository.store.getLivePasswordLink(hashToken(token), Date.now())) live.push(token);
    return live;
  };
  const reset = (m: RunningManager, token: string) => m.request('POST', `/api/v1/people/${person}/password-reset`, { token });
  const setPassword = (m: RunningManager, token: string, password: string) => m.request('POST', '/api/v1/auth/set-password', { body: { token, password } });
  const passwordIs = async (password: string): Promise<boolean> => verifyPassword(password, (await first.repository.store.getUser(person))?.passwordHash ?? '');

  it('16 concurrent resets on two managers leave exactly one live link, and only it sets a password', async () => {
    const before = new Set(await mailedTokens());
    const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => reset(i % 2 === 0 ? first : second, i % 2 === 0 ? adminOnFirst : adminOnSecond)));
    expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 16 }, () => 200));
    const tokens = (await mailedTokens()).filter((token) => !before.has(token));
    expect(tokens).toHaveLength(16);
    const live = await liveTokens(tokens);
    expect(live).toHaveLength(1);
    // Every other link is dead: none of them sets a password.
    for (const token of tokens.filter((candidate) => candidate !== live[0])) {
      expect((await setPassword(first, token, 'stale-link-password')).status).toBe(400);
    }
    expect(await passwordIs('stale-link-password')).toBe(false);
    expect((await setPassword(second, live[0] ?? '', 'bruno-fresh-password')).status).toBe(204);
    expect(await passwordIs('bruno-fresh-password')).toBe(true);
    expect(await liveTokens(tokens)).toEqual([]);
    // Each reset is in the audit trail once, each use once.
    const events = ((await first.request('GET', '/api/v1/audit?limit=200', { token: adminOnFirst })).body as { events: Array<{ action: string; target: string | null }> }).events;
    expect(events.filter((event) => event.action === 'password.link_sent' && event.target === person)).toHaveLength(16);
  });

  it('a reset racing a password-set with the old link: one live link afterwards, and a dead link never set the password', async () => {
    for (let round = 0; round < 8; round += 1) {
      const before = new Set(await mailedTokens());
      expect((await reset(first, adminOnFirst)).status).toBe(200);
      const [oldLink] = (await mailedTokens()).filter((token) => !before.has(token));
      if (!oldLink) throw new Error('no link mailed');
      const password = `race-${backendName}-${round}-password`;
      const [resetAnswer, setAnswer] = await Promise.all([reset(second, adminOnSecond), setPassword(first, oldLink, password)]);
      expect(resetAnswer.status).toBe(200);
      expect([204, 400]).toContain(setAnswer.status);
      // 204: the old link was used before the reset; 400: the reset came first and the old link set nothing.
      expect(await passwordIs(password)).toBe(setAnswer.status === 204);
      const roundTokens = (await mailedTokens()).filter((token) => !before.has(token));
      expect(roundTokens).toHaveLength(2);
      const live = await liveTokens(roundTokens);
      expect(live).toHaveLength(1);
      expect(live[0]).not.toBe(oldLink);
      expect((await setPassword(second, oldLink, `${password}-again`)).status).toBe(400);
      expect(await passwordIs(`${password}-again`)).toBe(false);
    }
  });

  it('replay: a link sets a password once, even posted twice at the same moment on two managers', async () => {
    const before = new Set(await mailedTokens());
    expect((await reset(first, adminOnFirst)).status).toBe(200);
    const [link] = (await mailedTokens()).filter((token) => !before.has(token));
    if (!link) throw new Error('no link mailed');
    const answers = await Promise.all([setPassword(first, link, 'replay-one-password'), setPassword(second, link, 'replay-two-password')]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([204, 400]);
    const winner = answers[0]?.status === 204 ? 'replay-one-password' : 'replay-two-password';
    expect(await passwordIs(winner)).toBe(true);
    // Later replays of the used link: refused, the password unchanged.
    for (const m of [first, second]) expect((await setPassword(m, link, 'replay-late-password')).status).toBe(400);
    expect(await passwordIs(winner)).toBe(true);
  });
});
