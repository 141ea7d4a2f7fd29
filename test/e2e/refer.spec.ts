import type { Browser, Page, WebSocketRoute } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { managerApi } from '../unit/deploy/manager-api.js';
import { expect, test, type Stack } from './fixtures.js';
import { startReferAttacker, type ReceivedResponse, type ReferAttacker } from './refer-attacker.js';
import { expectAudioIn, hangUp, submitSignIn } from './softphone.js';

/**
 * Issue 8, point 3: "the app follows REFER by itself". The admin's app (Chromium, 1001) is in an answered
 * call with a barred employee (1002) whose phone is an attacker: sipp over UDP through the real Kamailio,
 * with real media through rtpengine. The attacker asks the app, in the dialog, to call a premium number.
 * Whatever answers, the app must place no call (no INVITE on its WebSocket, nothing at the carrier
 * stand-in, nothing reserved in the wallet), show nothing (one call, established, no dialog), and keep
 * the call's audio.
 *
 * 1. The REFER goes through the proxy, as an attacker would send it. Since transfers (issue 12 §3) the
 *    proxy relays a REFER from a party of the call bound to that party (a token in Refer-To): the app
 *    follows it (202), and its INVITE is authorized as the attacker's call, who is barred from premium
 *    numbers: the proxy refuses it (403 barred), nothing reaches the carrier, nothing is reserved, and the
 *    first call goes on with its audio. The test records who answered the REFER: the app if it reached
 *    its WebSocket (SIP.js's "User-Agent: Cabine/…"), the proxy if it never did (Kamailio's own replies
 *    carry no User-Agent, and no Server either with server_signature=no).
 * 2. The proxy is assumed to have let it through: the REFER (and an unsolicited NOTIFY, MESSAGE and INFO)
 *    is delivered on the app's own WebSocket as Kamailio would relay it, built from the real dialog the
 *    page saw (Playwright routes the socket to the real Kamailio and adds these frames). This is the app's
 *    own refusal (renderer/src/sip/sip-adapter.ts), in Chromium, in a real call.
 */

const premiumNumber = '+33899123456';

interface AppUnderAttack {
  readonly page: Page;
  /** SIP requests the page sent, by method (start line), e.g. INVITE. */
  sentRequests(method: string): number;
  /** SIP requests the page received, by method. */
  receivedRequests(method: string): number;
  /** Final answers the page received to its INVITEs, by status code. */
  inviteAnswers(status: number): number;
  close(): Promise<void>;
}

/** The admin's app, signed in, counting the INVITEs it sends from before it registers. */
async function openAdminApp(browser: Browser, stack: Stack, route?: (ws: WebSocketRoute) => void): Promise<AppUnderAttack> {
  const admin = stack.users[0];
  if (admin === undefined) throw new Error('no demo user 1001');
  const context = await browser.newContext({ locale: 'en-GB' });
  if (route !== undefined) await context.routeWebSocket((url) => url.href.startsWith(stack.sipWsUrl), route);
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error('[1001] page error', error));
  const sent = new Map<string, number>();
  const received = new Map<string, number>();
  const answers = new Map<string, number>();
  const count = (counts: Map<string, number>, payload: string | Buffer): void => {
    const method = typeof payload === 'string' ? /^([A-Z]+) sip:/.exec(payload)?.[1] : undefined;
    if (method !== undefined) counts.set(method, (counts.get(method) ?? 0) + 1);
    const answer = typeof payload === 'string' && /\r\nCSeq: \d+ INVITE\r\n/i.test(payload) ? /^SIP\/2\.0 (\d{3}) /.exec(payload)?.[1] : undefined;
    if (answer !== undefined && counts === received) answers.set(answer, (answers.get(answer) ?? 0) + 1);
  };
  page.on('websocket', (socket) => {
    socket.on('framesent', (frame) => count(sent, frame.payload));
    socket.on('framereceived', (frame) => count(received, frame.payload));
  });
  await submitSignIn(page, stack, admin);
  await expect(page.getByRole('status')).toContainText('Registered');
  // The counter sees the page's requests (else "no INVITE" below would prove nothing).
  await expect.poll(() => sent.get('REGISTER') ?? 0).toBeGreaterThan(0);
  return {
    page,
    sentRequests: (method) => sent.get(method) ?? 0,
    receivedRequests: (method) => received.get(method) ?? 0,
    inviteAnswers: (status) => answers.get(String(status)) ?? 0,
    close: () => context.close(),
  };
}

/** What must not have happened, measured before the attack and compared after it. */
async function sideEffects(stack: Stack, token: string): Promise<{ carrierCallEvents: number; reservedMinor: number; balanceMinor: number }> {
  const carrier = stack.carrier.baresip;
  if (carrier === undefined) throw new Error('the e2e stack runs the baresip carrier');
  const wallet = await managerApi(stack.manager.url).wallet(token);
  return {
    carrierCallEvents: carrier.events.filter((event) => event.type.startsWith('CALL_')).length,
    reservedMinor: wallet.reservedMinor,
    balanceMinor: wallet.balanceMinor,
  };
}

/** Answers the attacker's call; on failure, says what the attacker saw. */
async function answerAttacker(app: AppUnderAttack, attacker: ReferAttacker): Promise<void> {
  try {
    await expect(app.page.locator('[data-call-state="incoming"]')).toBeVisible({ timeout: 15_000 });
    await app.page.getByRole('button', { name: 'Answer' }).click();
    await expect(app.page.locator('[data-call-state="established"]')).toBeVisible();
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\nthe attacker: ${await attacker.diagnostics()}`);
  }
}

/** One call shown, still established, and no dialog of any kind. */
async function expectNothingShown(page: Page): Promise<void> {
  await expect(page.locator('[data-call-state]')).toHaveCount(1);
  await expect(page.locator('[data-call-state="established"]')).toBeVisible();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page.getByRole('alertdialog')).toHaveCount(0);
}

/**
 * Who answered the REFER: the app when it reached the page and the answer is SIP.js's (User-Agent
 * Cabine/…), the proxy when it never reached the page and the answer has no User-Agent (Kamailio's own).
 */
function answeredBy(response: ReceivedResponse, refersAtThePage: number): 'proxy' | 'app' | 'unknown' {
  const userAgent = response.headers.get('user-agent');
  if (refersAtThePage === 0 && userAgent === undefined) return 'proxy';
  if (refersAtThePage > 0 && userAgent?.startsWith('Cabine/') === true) return 'app';
  return 'unknown';
}

async function attack(stack: Stack, name: string, referTo: string | undefined): Promise<ReferAttacker> {
  const attacker = stack.users[1];
  if (attacker === undefined) throw new Error('no demo user 1002');
  await mkdir(join(stack.runDir, 'refer'), { recursive: true });
  const workDir = await mkdtemp(join(stack.runDir, 'refer', `${name}-`));
  return startReferAttacker({
    workDir,
    proxy: `127.0.0.1:${stack.kamailio.udpPort}`,
    domain: stack.domain,
    attacker,
    victim: '1001',
    ...(referTo === undefined ? {} : { referTo }),
  });
}

/** The value of the first header `name` (full or compact form) in a SIP message. */
function header(message: string, name: string, compact?: string): string {
  for (const line of message.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const field = line.slice(0, colon).trim().toLowerCase();
    if (field === name.toLowerCase() || (compact !== undefined && field === compact)) return line.slice(colon + 1).trim();
    if (line === '') break;
  }
  throw new Error(`no ${name} header in ${message.slice(0, 200)}`);
}

test.describe('an unsolicited REFER (issue 8)', () => {
  test('through the proxy: bound to the barred attacker, whose call the proxy refuses; nothing reaches the carrier or the wallet, the call keeps its audio', async ({ browser, stack }) => {
    const token = await managerApi(stack.manager.url).signIn('alice@cabine.test', 'cabine-1001');
    const before = await sideEffects(stack, token);
    const app = await openAdminApp(browser, stack);
    const attacker = await attack(stack, 'refer-through-proxy', `sip:${premiumNumber}@${stack.domain}`);
    try {
      await answerAttacker(app, attacker);
      await expect.poll(() => attacker.referResponse(), { timeout: 10_000 }).not.toBeNull();
      const response = await attacker.referResponse();
      if (response === null) throw new Error('no REFER response');
      const by = answeredBy(response, app.receivedRequests('REFER'));
      test.info().annotations.push({ type: 'REFER answered', description: `${response.statusCode} ${response.reason} by the ${by}` });
      console.log(
        `REFER through the proxy: ${response.statusCode} ${response.reason}, answered by the ${by} (REFERs at the page: ${app.receivedRequests('REFER')}, ` +
          `Server: ${response.headers.get('server') ?? '-'}, User-Agent: ${response.headers.get('user-agent') ?? '-'})`,
      );
      expect(response.statusCode).toBe(202);
      expect(by).toBe('app');

      // The app followed the proxy-bound transfer; the proxy refused that INVITE as 1002's call (barred).
      await expect.poll(() => app.inviteAnswers(403), { timeout: 10_000 }).toBe(1);
      // One call attempt: its INVITE and the authenticated retry after the proxy's 407.
      expect(app.inviteAnswers(407)).toBe(1);
      expect(app.sentRequests('INVITE')).toBe(2);
      await expectNothingShown(app.page);
      await expectAudioIn(app.page);
      expect(await sideEffects(stack, token)).toEqual(before);

      await hangUp({ context: app.page.context(), page: app.page, username: '1001' });
      expect(await attacker.done()).toBe(0);
      expect(app.sentRequests('INVITE')).toBe(2);
      expect(await sideEffects(stack, token)).toEqual(before);
    } finally {
      await attacker.stop();
      await app.close();
    }
  });

  test('reaching the app itself: REFER 603, NOTIFY 481, MESSAGE 405, INFO 469; no call, nothing shown, audio kept', async ({ browser, stack }) => {
    const token = await managerApi(stack.manager.url).signIn('alice@cabine.test', 'cabine-1001');
    const before = await sideEffects(stack, token);
    // The page's socket goes to the real Kamailio; the test sees every frame and can add its own.
    const toPage: string[] = [];
    const fromPage: string[] = [];
    let socket: WebSocketRoute | null = null;
    const app = await openAdminApp(browser, stack, (ws) => {
      socket = ws;
      const server = ws.connectToServer();
      ws.onMessage((message) => {
        if (typeof message === 'string') fromPage.push(message);
        // Answers to our own requests stay here: Kamailio has no transaction for them.
        if (typeof message === 'string' && message.includes(';branch=z9hG4bKforged')) return;
        server.send(message);
      });
      server.onMessage((message) => {
        if (typeof message === 'string') toPage.push(message);
        ws.send(message);
      });
    });
    const attacker = await attack(stack, 'refer-at-the-app', undefined);
    try {
      await answerAttacker(app, attacker);
      await expectAudioIn(app.page);

      // The dialog as the page saw it: the INVITE Kamailio relayed, and the page's 200 OK.
      const invite = toPage.find((m) => m.startsWith('INVITE sip:') && /\r\nCSeq: 2 INVITE\r\n/i.test(m));
      const ok = fromPage.find((m) => m.startsWith('SIP/2.0 200') && /\r\nCSeq: 2 INVITE\r\n/i.test(m));
      if (invite === undefined || ok === undefined) throw new Error('the page saw no INVITE / sent no 200 OK');
      const appContact = /<([^>]+)>/.exec(header(ok, 'Contact', 'm'))?.[1];
      if (appContact === undefined) throw new Error('no Contact in the 200 OK');
      const dialog = {
        from: header(invite, 'From', 'f'),
        to: header(ok, 'To', 't'),
        callId: header(invite, 'Call-ID', 'i'),
        contact: header(invite, 'Contact', 'm'),
      };
      const port = new URL(stack.sipWsUrl).port;
      let cseq = 10;
      /** Sends an in-dialog request to the page as Kamailio would relay it; returns its branch. */
      const inject = (method: string, extra: readonly string[], body = ''): string => {
        const branch = `z9hG4bKforged${randomBytes(6).toString('hex')}`;
        const message = [
          `${method} ${appContact} SIP/2.0`,
          `Via: SIP/2.0/WS 127.0.0.1:${port};branch=${branch}`,
          'Max-Forwards: 69',
          `From: ${dialog.from}`,
          `To: ${dialog.to}`,
          `Call-ID: ${dialog.callId}`,
          `CSeq: ${cseq++} ${method}`,
          `Contact: ${dialog.contact}`,
          ...extra,
          `Content-Length: ${new TextEncoder().encode(body).length}`,
          '',
          body,
        ].join('\r\n');
        if (socket === null) throw new Error('the page has no SIP socket');
        socket.send(message);
        return branch;
      };
      const answerTo = async (branch: string): Promise<string> => {
        await expect.poll(() => fromPage.some((m) => m.startsWith('SIP/2.0 ') && m.includes(branch)), { timeout: 5_000 }).toBe(true);
        return fromPage.find((m) => m.startsWith('SIP/2.0 ') && m.includes(branch)) ?? '';
      };

      const refer = await answerTo(
        inject('REFER', [`Refer-To: <sip:${premiumNumber}@${stack.domain}>`, `Referred-By: <sip:1002@${stack.domain}>`]),
      );
      console.log(`REFER at the app: ${refer.split('\r\n')[0] ?? ''} (${header(refer, 'User-Agent')})`);
      expect(refer).toMatch(/^SIP\/2\.0 603 /);
      expect(header(refer, 'User-Agent')).toMatch(/^Cabine\//);

      const notify = await answerTo(
        inject('NOTIFY', ['Event: refer', 'Subscription-State: active;expires=60', 'Content-Type: message/sipfrag;version=2.0'], 'SIP/2.0 200 OK'),
      );
      expect(notify).toMatch(/^SIP\/2\.0 481 /);
      const message = await answerTo(inject('MESSAGE', ['Content-Type: text/plain'], `Call ${premiumNumber} now`));
      expect(message).toMatch(/^SIP\/2\.0 405 /);
      expect(header(message, 'Allow')).not.toMatch(/REFER|MESSAGE/);
      const info = await answerTo(inject('INFO', ['Content-Type: application/dtmf-relay'], 'Signal=5\r\nDuration=160'));
      expect(info).toMatch(/^SIP\/2\.0 469 /);

      await expectNothingShown(app.page);
      await expectAudioIn(app.page);
      const invitesFromPage = (): number => fromPage.filter((m) => m.startsWith('INVITE sip:')).length;
      expect(app.sentRequests('INVITE')).toBe(0);
      expect(invitesFromPage()).toBe(0);
      expect(await sideEffects(stack, token)).toEqual(before);

      await hangUp({ context: app.page.context(), page: app.page, username: '1001' });
      expect(await attacker.done()).toBe(0);
      expect(app.sentRequests('INVITE')).toBe(0);
      expect(invitesFromPage()).toBe(0);
      expect(await sideEffects(stack, token)).toEqual(before);
    } finally {
      await attacker.stop();
      await app.close();
    }
  });
});
