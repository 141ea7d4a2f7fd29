import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startBaresip } from '../../deploy/baresip-process.js';
import { freePortPair } from '../../deploy/child-process.js';
import { managerApi } from '../unit/deploy/manager-api.js';
import { expect, test, type Stack } from './fixtures.js';
import { dial, expectAudioIn, hangUp, signedInSoftphone, type Softphone } from './softphone.js';

/**
 * Transfers (issue 12 §3) with three users in Chromium through the real Kamailio and rtpengine: Alice
 * (1001) calls Bruno (1002), who transfers her to Chloé (1003), blind or after consulting her, or goes
 * back to Alice; and a blind transfer to a paid number at the carrier stand-in, charged to Bruno (the
 * transferor) in the ledger. "Talking" means each page's peer connection is connected and keeps receiving
 * RTP (softphone.ts expectAudioIn), once the page shows exactly the one call it should have.
 */

const paidNumber = '+13405550100';

/** The page shows one call, in conversation, whose panel names `who`. */
async function expectOneCallWith(phone: Softphone, who: RegExp): Promise<void> {
  await expect(phone.page.locator('[data-call-state]')).toHaveCount(1, { timeout: 15_000 });
  const panel = phone.page.locator('[data-call-state="established"]');
  await expect(panel).toBeVisible({ timeout: 15_000 });
  await expect(panel.locator('.remote, .remote-number').first()).toHaveText(who);
}

async function answer(page: Page): Promise<void> {
  await expect(page.locator('[data-call-state="incoming"], [data-waiting-call-state="incoming"]').first()).toBeVisible({ timeout: 15_000 });
  await page.getByRole('button', { name: 'Answer' }).first().click();
}

/** Alice calls Bruno, who answers; both hear each other. */
async function aliceCallsBruno(alice: Softphone, bruno: Softphone): Promise<void> {
  await dial(alice, bruno.username);
  await answer(bruno.page);
  await expect(alice.page.locator('[data-call-state="established"]')).toBeVisible({ timeout: 15_000 });
  await expectAudioIn(alice.page);
  await expectAudioIn(bruno.page);
}

async function openTransfer(phone: Softphone, target: string): Promise<void> {
  await phone.page.getByRole('button', { name: 'Transfer', exact: true }).click();
  await phone.page.getByLabel('Transfer to').fill(target);
}

async function threePhones(browser: Parameters<typeof signedInSoftphone>[0], stack: Stack): Promise<[Softphone, Softphone, Softphone]> {
  return [await signedInSoftphone(browser, stack, 0), await signedInSoftphone(browser, stack, 1), await signedInSoftphone(browser, stack, 2)];
}

async function closeAll(phones: readonly Softphone[]): Promise<void> {
  await Promise.allSettled(phones.map((phone) => phone.context.close()));
}

test.describe('transfers', () => {
  test('blind: Bruno transfers Alice to Chloé; Alice and Chloé talk, Bruno is out', async ({ browser, stack }) => {
    const phones = await threePhones(browser, stack);
    const [alice, bruno, chloe] = phones;
    try {
      await aliceCallsBruno(alice, bruno);
      await openTransfer(bruno, '1003');
      // The open transfer form: no serious or critical accessibility violation.
      const serious = (await new AxeBuilder({ page: bruno.page }).analyze()).violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(serious.map((v) => `${v.id} ${v.nodes.map((node) => node.target.join(' ')).join(', ')}`)).toEqual([]);
      await bruno.page.getByRole('button', { name: 'Transfer now' }).click();
      // Bruno's call ends once Alice agreed (202); Alice's phone calls Chloé, who answers.
      await expect(bruno.page.locator('[data-call-state]')).toHaveCount(0, { timeout: 15_000 });
      await answer(chloe.page);
      await expectOneCallWith(alice, /1003|Chloé/);
      await expectOneCallWith(chloe, /1001|Alice/);
      await expectAudioIn(alice.page);
      await expectAudioIn(chloe.page);
      await expect(bruno.page.locator('[data-call-state]')).toHaveCount(0);
      await hangUp(alice);
      await expect(chloe.page.locator('[data-call-state]')).toHaveCount(0);
    } finally {
      await closeAll(phones);
    }
  });

  test('attended: Bruno consults Chloé, completes; Alice and Chloé talk, Bruno is out', async ({ browser, stack }) => {
    const phones = await threePhones(browser, stack);
    const [alice, bruno, chloe] = phones;
    try {
      await aliceCallsBruno(alice, bruno);
      await openTransfer(bruno, '1003');
      await bruno.page.getByRole('button', { name: 'Consult first' }).click();
      await answer(chloe.page);
      await expect(bruno.page.getByRole('button', { name: 'Complete transfer' })).toBeEnabled({ timeout: 15_000 });
      await expect(chloe.page.locator('[data-call-state="established"]')).toBeVisible();
      await bruno.page.getByRole('button', { name: 'Complete transfer' }).click();
      // Alice's phone calls Chloé with Replaces: Chloé's phone takes it at once and drops Bruno.
      await expect(bruno.page.locator('[data-call-state]')).toHaveCount(0, { timeout: 15_000 });
      await expectOneCallWith(alice, /1003|Chloé/);
      await expectOneCallWith(chloe, /1001|Alice/);
      await expectAudioIn(alice.page);
      await expectAudioIn(chloe.page);
      await hangUp(chloe);
      await expect(alice.page.locator('[data-call-state]')).toHaveCount(0);
    } finally {
      await closeAll(phones);
    }
  });

  test('attended, go back: the consultation ends, Alice and Bruno talk again', async ({ browser, stack }) => {
    const phones = await threePhones(browser, stack);
    const [alice, bruno, chloe] = phones;
    try {
      await aliceCallsBruno(alice, bruno);
      await openTransfer(bruno, '1003');
      await bruno.page.getByRole('button', { name: 'Consult first' }).click();
      await answer(chloe.page);
      await expect(bruno.page.getByRole('button', { name: 'Go back' })).toBeVisible({ timeout: 15_000 });
      await expect(chloe.page.locator('[data-call-state="established"]')).toBeVisible();
      await bruno.page.getByRole('button', { name: 'Go back' }).click();
      await expect(chloe.page.locator('[data-call-state]')).toHaveCount(0, { timeout: 15_000 });
      await expect(bruno.page.locator('[data-call-state]')).toHaveCount(1);
      await expect(bruno.page.locator('[data-call-state="established"]')).toHaveAttribute('data-hold', 'active', { timeout: 10_000 });
      await expect(alice.page.locator('[data-call-state="established"]')).toHaveAttribute('data-hold', 'active', { timeout: 10_000 });
      await expectAudioIn(alice.page);
      await expectAudioIn(bruno.page);
      await hangUp(bruno);
    } finally {
      await closeAll(phones);
    }
  });

  test('attended toward an outside number: no "Complete transfer", the notice says why, and "Go back" resumes Alice', async ({ browser, stack }) => {
    const alice = await signedInSoftphone(browser, stack, 0);
    const bruno = await signedInSoftphone(browser, stack, 1);
    try {
      await aliceCallsBruno(alice, bruno);
      await openTransfer(bruno, '+1 340 555 0100');
      await bruno.page.getByRole('button', { name: 'Consult first' }).click();
      await expect(bruno.page.locator('[data-call-state="established"][data-hold="active"]')).toContainText('+1', { timeout: 20_000 });
      await expect(bruno.page.getByText('An outside number can only be transferred to directly')).toBeVisible();
      await expect(bruno.page.getByRole('button', { name: 'Complete transfer' })).toHaveCount(0);
      await bruno.page.getByRole('button', { name: 'Go back' }).click();
      await expect(bruno.page.locator('[data-call-state]')).toHaveCount(1, { timeout: 15_000 });
      await expect(bruno.page.locator('[data-call-state="established"]')).toHaveAttribute('data-hold', 'active', { timeout: 10_000 });
      await expectAudioIn(alice.page);
      await expectAudioIn(bruno.page);
      await hangUp(bruno);
    } finally {
      await closeAll([alice, bruno]);
    }
  });

  test('blind, the transferee a desk phone (baresip, UDP): it follows the proxy-bound REFER and talks to Chloé', async ({ browser, stack }) => {
    const alice = stack.users[0];
    if (alice === undefined) throw new Error('no demo user 1001');
    const deskPhone = await startBaresip({
      runDir: join(stack.runDir, 'transfer-desk-phone'),
      sipPort: await freePortPair('127.0.0.1', true),
      ctrlPort: await freePortPair(),
      rtpPortMin: 46_200,
      rtpPortMax: 46_299,
      account: { role: 'desk-phone', ...alice, domain: stack.domain, registrar: `127.0.0.1:${stack.kamailio.udpPort}`, autoAnswer: true },
    });
    const bruno = await signedInSoftphone(browser, stack, 1);
    const chloe = await signedInSoftphone(browser, stack, 2);
    try {
      await deskPhone.dial(`sip:${bruno.username}@${stack.domain}`);
      await answer(bruno.page);
      await expectAudioIn(bruno.page);
      await openTransfer(bruno, '1003');
      await bruno.page.getByRole('button', { name: 'Transfer now' }).click();
      await expect(bruno.page.locator('[data-call-state]')).toHaveCount(0, { timeout: 15_000 });
      await answer(chloe.page);
      await expectOneCallWith(chloe, /1001|Alice/);
      await expectAudioIn(chloe.page);
      await expect.poll(async () => (await deskPhone.receivedAudio()).peak, { timeout: 10_000 }).toBeGreaterThan(1_000);
      // The desk phone dialled the Refer-To as the proxy marked it: its INVITE was taken as Bruno's transfer.
      const proxyLog = await readFile(join(stack.runDir, 'kamailio', 'kamailio.log'), 'utf8');
      expect(proxyLog).toContain(`transfer: ${alice.username} calls 1003 for ${bruno.username}`);
      await hangUp(chloe);
    } finally {
      await closeAll([bruno, chloe]);
      await deskPhone.stop();
    }
  });

  test('blind to a paid number: Alice talks to the carrier, the call is charged to Bruno, the transferor', async ({ browser, stack }) => {
    const carrier = stack.carrier.baresip;
    if (carrier === undefined) throw new Error('the e2e stack runs the baresip carrier');
    const api = managerApi(stack.manager.url);
    const token = await api.signIn('alice@cabine.test', 'cabine-1001');
    const established = () => carrier.events.filter((event) => event.type === 'CALL_ESTABLISHED').length;
    const closed = () => carrier.events.filter((event) => event.type === 'CALL_CLOSED').length;
    const lastSeq = Math.max(0, ...(await api.activity(token)).map((item) => item.seq));
    const callsBefore = established();
    const closedBefore = closed();
    const alice = await signedInSoftphone(browser, stack, 0);
    const bruno = await signedInSoftphone(browser, stack, 1);
    try {
      await aliceCallsBruno(alice, bruno);
      await openTransfer(bruno, '+1 340 555 0100');
      await bruno.page.getByRole('button', { name: 'Transfer now' }).click();
      await expect(bruno.page.locator('[data-call-state]')).toHaveCount(0, { timeout: 15_000 });
      await expect.poll(established, { timeout: 20_000 }).toBe(callsBefore + 1);
      await expect(alice.page.locator('[data-call-state]')).toHaveCount(1, { timeout: 15_000 });
      await expect(alice.page.locator('[data-call-state="established"]')).toBeVisible({ timeout: 15_000 });
      await expectAudioIn(alice.page);
      await expect.poll(async () => (await carrier.receivedAudio()).peak, { timeout: 10_000 }).toBeGreaterThan(1_000);
      await hangUp(alice);
      await carrier.waitForEvent('CALL_CLOSED', 10_000, () => closed() > closedBefore);
      // The ledger line of the transferred leg names Bruno's extension: the manager reserved and charged it as his.
      await expect
        .poll(async () => (await api.activity(token)).filter((item) => item.seq > lastSeq && item.kind === 'call_charge').map((item) => [item.call?.number, item.call?.extension]), { timeout: 15_000 })
        .toEqual([[paidNumber, '1002']]);
      expect((await api.wallet(token)).reservedMinor).toBe(0);
    } finally {
      await closeAll([alice, bruno]);
    }
  });
});
