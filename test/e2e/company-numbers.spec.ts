import { carrierCallerNumber } from '../../deploy/carrier-process.js';
import { companyNumberViewSchema } from '../../shared/api/number-schemas.js';
import { expect, test } from './fixtures.js';
import { expectAudioIn, signedInSoftphone } from './softphone.js';

/**
 * A call from the phone network to a company number rings the app of the person it is assigned to (issue
 * 11): the carrier stand-in (baresip behind the trunk) dials Alice's DID; her softphone in Chromium rings,
 * shows the caller's number, answers with audio both ways through rtpengine (DTLS-SRTP to the browser,
 * plain RTP to the carrier); a second call that she does not answer, which the caller gives up, is in her
 * history as missed, with the caller's number.
 */
const aliceNumber = '+33199000021';

test.describe('calls from the phone network to a company number', () => {
  test('ring the assigned person in the app, with audio both ways; an unanswered one is in the history as missed', async ({ browser, stack }) => {
    const carrier = stack.carrier.baresip;
    if (carrier === undefined) throw new Error('the e2e stack runs the baresip carrier');
    const post = async (method: string, path: string, email: string, password: string, body: unknown) => {
      const signIn = await fetch(`${stack.manager.url}/api/v1/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
      const { token } = (await signIn.json()) as { token: string };
      const response = await fetch(`${stack.manager.url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(response.status, path).toBeLessThan(300);
      return response.json() as Promise<unknown>;
    };
    const number = companyNumberViewSchema.parse(await post('POST', '/care/companies/cmp_demo/numbers', 'care@cabine.test', 'cabine-care', { e164: aliceNumber }));
    await post('PUT', `/numbers/${number.id}/assignment`, 'alice@cabine.test', 'cabine-1001', { kind: 'user', userId: 'usr_demo_1001' });

    const alice = await signedInSoftphone(browser, stack, 0);
    const established = () => carrier.events.filter((event) => event.type === 'CALL_ESTABLISHED').length;
    const closed = () => carrier.events.filter((event) => event.type === 'CALL_CLOSED').length;

    const establishedBefore = established();
    await carrier.dial(`sip:${aliceNumber}@127.0.0.1:${stack.kamailio.udpPort}`);
    await expect(alice.page.locator('[data-call-state="incoming"]')).toBeVisible({ timeout: 15_000 });
    await expect(alice.page.getByText(carrierCallerNumber).first()).toBeVisible();
    await alice.page.getByRole('button', { name: 'Answer' }).click();
    await expect(alice.page.locator('[data-call-state="established"]')).toBeVisible();
    await expect.poll(established).toBe(establishedBefore + 1);
    expect((await stack.rtpengine.callIds()).length).toBeGreaterThan(0);
    // The carrier's tone reaches the browser, the browser's fake microphone reaches the carrier.
    await expectAudioIn(alice.page);
    await expect.poll(async () => (await carrier.receivedAudio()).peak, { timeout: 10_000 }).toBeGreaterThan(1_000);
    const closedBefore = closed();
    await carrier.hangup();
    await expect.poll(closed).toBe(closedBefore + 1);
    await expect(alice.page.locator('[data-call-state]')).toHaveCount(0);
    await expect(alice.page.locator(`tr[data-direction="incoming"][data-number="${carrierCallerNumber}"][data-outcome="answered"]`)).toHaveCount(1);

    // The caller gives up while Alice's app rings: a missed call from the caller's number.
    await carrier.dial(`sip:${aliceNumber}@127.0.0.1:${stack.kamailio.udpPort}`);
    await expect(alice.page.locator('[data-call-state="incoming"]')).toBeVisible({ timeout: 15_000 });
    await carrier.hangup();
    await expect(alice.page.locator('[data-call-state]')).toHaveCount(0);
    await expect(alice.page.locator(`tr[data-direction="incoming"][data-number="${carrierCallerNumber}"][data-outcome="missed"]`)).toHaveCount(1);
    await alice.context.close();
  });
});
