/**
 * The cap of a paid call against its own caller (issue 8): the proxy cuts a call when its funds run out, and
 * a caller who wants to talk on for free has two tricks at hand. He can re-INVITE every few seconds (the
 * dialog module's default restarts the dialog's timer with its whole lifetime on each one), or send a BYE the
 * proxy will not relay (aimed at another host): if the dialog module took that BYE, it would end the dialog,
 * stop its cap and charge the call so far, while the real call with the trunk goes on. Neither may work: the
 * call is cut at the funded second and charged exactly that.
 *
 * Real Kamailio and manager (demo company, emptied then funded with 5 cents: 9 s at 0.322 EUR/min), the
 * caller is hand-made SIP over UDP, the trunk a recording endpoint that accepts everything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUsers } from '../../../shared/config/defaults.js';
import { startFraudStack, type FraudStack } from './support/fraud-stack.js';
import { call, sendInDialog } from './support/raw-dialog.js';
import { header, plainSdp } from './support/raw-sip.js';

const [alice] = demoUsers;
if (alice === undefined) {
  throw new Error('the tests need the demo admin');
}
const paidNumber = '+13405550100';

describe('a paid call\'s cap (real Kamailio and manager, a recording trunk)', () => {
  let bed: FraudStack;

  beforeAll(async () => {
    // 5-cent top-ups fund a call for 9 s.
    bed = await startFraudStack({ name: 'cap', elsewhereHost: '127.0.0.78', managerEnv: { CABINE_TOPUP_AMOUNTS: '5,50,1000,2500' } });
  });

  afterAll(async () => {
    await bed?.stop();
  });

  it('re-INVITEs do not reset it and a BYE the proxy refuses does not end its charging', async () => {
    // Empty the wallet (customer care reverses the demo top-up), then fund 9 s of a 0.322 EUR/min call.
    const { stack, api, adminToken, trunk, elsewhere } = bed;
    await api.cancelTopUps(await api.signIn('care@cabine.test', 'cabine-care'), 'cmp_demo');
    await api.topUp(adminToken, 5);
    const socket = await bed.attacker(61);
    const paid = await call(socket, stack.domain, alice, paidNumber);
    expect(paid.final.status).toBe(200);
    const answeredAt = Date.now();
    const cut = socket.next((message) => message.method === 'BYE' && header(message, 'call-id') === paid.callId, 20_000, "the proxy's BYE at the cap");
    // A hang-up aimed elsewhere: refused before the dialog module sees it, so the dialog (and its cap and
    // charging) goes on; a dialog module that took it would stop the cap with the call still up.
    const detour = await socket.finalFor(sendInDialog(socket, paid, 'BYE', { uri: `sip:nobody@${elsewhere.address}` }));
    expect(detour.status).toBe(403);
    // A re-INVITE every 2 s (the dialog module's default restarts the timer on each one).
    let refreshes = 0;
    const refresh = async (): Promise<void> => {
      while (Date.now() - answeredAt < 8_000) {
        const final = await socket.finalFor(sendInDialog(socket, paid, 'INVITE', { body: plainSdp(socket.host, 40_060 + refreshes * 2) }));
        expect(final.status).toBe(200);
        sendInDialog(socket, paid, 'ACK', { cseq: paid.cseq - 1 });
        refreshes += 1;
        await new Promise((resolve) => setTimeout(resolve, 2_000)); // the attacker's own pace, not a wait for an outcome
      }
    };
    await refresh();
    const bye = await cut;
    socket.respond(bye, 200, 'OK');
    const lasted = (Date.now() - answeredAt) / 1000;
    console.info(`cap: ${refreshes} re-INVITEs, cut after ${lasted} s (funded 9 s)`);
    expect(refreshes).toBeGreaterThanOrEqual(3);
    expect(lasted).toBeGreaterThanOrEqual(8.5);
    expect(lasted).toBeLessThanOrEqual(11);
    await trunk.next((request) => request.method === 'BYE' && header(request, 'call-id') === paid.callId);
    await expect
      .poll(async () => (await api.activity(adminToken)).filter((item) => item.kind === 'call_charge' && item.reference.startsWith(`${paid.callId}~`)).map((item) => item.call?.answeredSeconds), { timeout: 10_000 })
      .toEqual([9]);
    expect(await bed.wallet()).toEqual({ balanceMinor: 0, reservedMinor: 0 });
  });
});
