import { join } from 'node:path';
import { startBaresip, type RunningBaresip } from '../../deploy/baresip-process.js';
import { freePortPair } from '../../deploy/child-process.js';
import { managerApi } from '../unit/deploy/manager-api.js';
import { expect, test } from './fixtures.js';
import { dial, expectAudioIn, hangUp, signedInSoftphone } from './softphone.js';

/**
 * Calls between the WebRTC softphone (Chromium, fake microphone) and plain-RTP endpoints, with real media
 * through rtpengine: the carrier stand-in behind the trunk (baresip answering any number with a tone) and
 * a desk phone (baresip registered as extension 1002). "Audio both ways" means: Chromium's peer connection
 * receives RTP that keeps flowing, and baresip decoded non-silent audio from Chromium (its sndfile dump).
 */

/** Loudest sample baresip decoded so far in its latest call (0 = silence or nothing). */
async function loudestReceived(baresip: RunningBaresip): Promise<number> {
  return (await baresip.receivedAudio()).peak;
}

/** `kamcmd pv.shvGet billing_sent`: charging reports the proxy delivered. */
async function billingReportsSent(rpc: (args: readonly string[]) => Promise<string>): Promise<number> {
  const output = await rpc(['pv.shvGet', 'billing_sent']);
  return Number(/value:\s*(\d+)/.exec(output)?.[1] ?? Number.NaN);
}

test.describe('calls to the phone network and desk phones', () => {
  test('+44 20 7946 0000 reaches the carrier stand-in with audio both ways and is charged what the plan says', async ({ browser, stack }) => {
    const carrier = stack.carrier.baresip;
    if (carrier === undefined) throw new Error('the e2e stack runs the baresip carrier');
    const api = managerApi(stack.manager.url);
    const token = await api.signIn('alice@cabine.test', 'cabine-1001');
    const before = await api.wallet(token);
    const reportsBefore = await billingReportsSent((args) => stack.kamailio.rpc(args));
    const callsBefore = carrier.events.filter((event) => event.type === 'CALL_ESTABLISHED').length;

    const alice = await signedInSoftphone(browser, stack, 0);
    await dial(alice, '+44 20 7946 0000');
    await expect(alice.page.locator('[data-call-state="established"]')).toBeVisible({ timeout: 15_000 });
    await expect.poll(() => carrier.events.filter((event) => event.type === 'CALL_ESTABLISHED').length).toBe(callsBefore + 1);
    // The carrier's tone reaches the browser (DTLS-SRTP from rtpengine)...
    await expectAudioIn(alice.page);
    // ...and the browser's fake microphone reaches the carrier (plain RTP from rtpengine).
    await expect.poll(() => loudestReceived(carrier), { timeout: 10_000 }).toBeGreaterThan(1_000);
    expect((await stack.rtpengine.callIds()).length).toBeGreaterThan(0);

    await hangUp(alice);
    await carrier.waitForEvent('CALL_CLOSED', 10_000, () => carrier.events.filter((event) => event.type === 'CALL_CLOSED').length > callsBefore);
    // UK landlines are in the plan: the call is reported, the reservation released, nothing charged.
    await expect.poll(() => billingReportsSent((args) => stack.kamailio.rpc(args))).toBeGreaterThan(reportsBefore);
    const after = await api.wallet(token);
    expect(after.reservedMinor).toBe(0);
    expect(after.balanceMinor).toBe(before.balanceMinor);
    await alice.context.close();
  });

  test('a desk phone (baresip, UDP, plain RTP) and Cabine call each other with audio both ways', async ({ browser, stack }) => {
    const bruno = stack.users[1];
    if (bruno === undefined) throw new Error('no demo user 1002');
    const deskPhone = await startBaresip({
      runDir: join(stack.runDir, 'desk-phone'),
      sipPort: await freePortPair('127.0.0.1', true),
      ctrlPort: await freePortPair(),
      rtpPortMin: 46_000,
      rtpPortMax: 46_099,
      account: { role: 'desk-phone', ...bruno, domain: stack.domain, registrar: `127.0.0.1:${stack.kamailio.udpPort}`, autoAnswer: true },
    });
    try {
      const alice = await signedInSoftphone(browser, stack, 0);

      // Cabine calls the desk phone, which answers by itself.
      await dial(alice, bruno.username);
      await expect(alice.page.locator('[data-call-state="established"]')).toBeVisible({ timeout: 15_000 });
      await expectAudioIn(alice.page);
      await expect.poll(() => loudestReceived(deskPhone), { timeout: 10_000 }).toBeGreaterThan(1_000);
      await hangUp(alice);
      await deskPhone.waitForEvent('CALL_CLOSED');

      // The desk phone calls Cabine, which answers with the "Answer" button.
      await deskPhone.dial(`sip:${alice.username}@${stack.domain}`);
      await expect(alice.page.locator('[data-call-state="incoming"]')).toBeVisible();
      await alice.page.getByRole('button', { name: 'Answer' }).click();
      await expect(alice.page.locator('[data-call-state="established"]')).toBeVisible();
      await deskPhone.waitForEvent('CALL_ESTABLISHED', 10_000, (event) => event.direction === 'outgoing');
      await expectAudioIn(alice.page);
      await expect.poll(() => loudestReceived(deskPhone), { timeout: 10_000 }).toBeGreaterThan(1_000);
      await deskPhone.hangup();
      await expect(alice.page.locator('[data-call-state]')).toHaveCount(0);
      await alice.context.close();
    } finally {
      await deskPhone.stop();
    }
  });
});
