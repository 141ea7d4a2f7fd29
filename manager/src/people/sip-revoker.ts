import type { SipRevocationRow } from '../store/repository';

/** What the proxy did about one revocation. */
export interface RevocationOutcome {
  readonly contactsRemoved: boolean;
  readonly dialogsEnded: number;
}

/**
 * Tells the SIP proxy about a revocation at once: refuse the extension's credentials up to an expiry, and,
 * when the person is being cut off (`cutOff`), drop their registrations and end their calls in progress.
 * The proxy also rebuilds the whole list from GET /api/v1/proxy/sip-revocations when it starts and every
 * few seconds after, so a push it missed (restarted, unreachable) still takes effect.
 */
export interface SipRevoker {
  readonly kind: 'kamailio' | 'none';
  apply(revocation: SipRevocationRow, cutOff: boolean): Promise<RevocationOutcome>;
}

/** No proxy to tell (a manager alone, most HTTP tests): the proxy's periodic rebuild is the only path. */
export const noSipRevoker: SipRevoker = {
  kind: 'none',
  apply: () => Promise.resolve({ contactsRemoved: false, dialogsEnded: 0 }),
};

interface RpcReply {
  readonly result?: unknown;
  readonly error?: { readonly code?: number; readonly message?: string };
}

/** user@host of a SIP URI (`sip:1002@cabine.test;transport=ws` → 1002@cabine.test), lower-cased host. */
function uriAddress(uri: unknown): string | null {
  if (typeof uri !== 'string') return null;
  const match = /^sips?:([^@;>]+)@([^;:>]+)/.exec(uri.replace(/^.*</, ''));
  return match?.[1] && match[2] ? `${match[1]}@${match[2].toLowerCase()}` : null;
}

/** Every dialog record in a dlg.list answer (an array, or an object holding one), defensively. */
function dialogRecords(result: unknown): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const visit = (value: unknown, depth: number): void => {
    if (depth > 4 || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value.slice(0, 10_000)) visit(item, depth + 1);
      return;
    }
    const record = value as Record<string, unknown>;
    if ('h_entry' in record && 'h_id' in record) out.push(record);
    else for (const item of Object.values(record)) visit(item, depth + 1);
  };
  visit(result, 0);
  return out;
}

/**
 * Added to the BYEs of a revoked call (dlg.end_dlg's extra headers), beside the `SIP;cause=402` Reason the
 * dialog module puts on every BYE it sends (kamailio.cfg `dlg_extra_hdrs`, there for the cut at the funded
 * time): the app then does not tell the other party the funds ran out (renderer/src/sip/end-reason.ts).
 */
export const revocationByeReason = 'Reason: SIP;cause=403;text="Account deactivated"\r\n';

/**
 * Kamailio's jsonrpcs module over HTTP (`POST <url>` with the proxy secret; kamailio.cfg accepts it only from
 * loopback on its plain ws port and only for the five commands used here):
 *   htable.seti sipdeny <ext>@<domain> <expiry>   refuse credentials up to that expiry (route[REVOCATION])
 *   ul.rm location <ext>@<domain>                  drop the registrations (usrloc use_domain 1: the AoR)
 *   dlg.list, then dlg.end_dlg <h_entry> <h_id> <extra headers>
 *                                                  end each call the extension is a party to (BYE both ways,
 *                                                  with revocationByeReason; event_route[dialog:end] charges
 *                                                  it as any hang-up)
 */
export class KamailioRpcRevoker implements SipRevoker {
  readonly kind = 'kamailio';
  private nextId = 1;

  constructor(private readonly url: string, private readonly proxySecret: string, private readonly timeoutMs = 3000) {}

  private async rpc(method: string, params: readonly (string | number)[]): Promise<RpcReply> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-cabine-proxy-secret': this.proxySecret },
      body: JSON.stringify({ jsonrpc: '2.0', method, params, id: this.nextId++ }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`Kamailio RPC ${method}: HTTP ${response.status} ${text.slice(0, 200)}`);
    return JSON.parse(text) as RpcReply;
  }

  async apply(revocation: SipRevocationRow, cutOff: boolean): Promise<RevocationOutcome> {
    const key = `${revocation.extension}@${revocation.sipDomain}`;
    const set = await this.rpc('htable.seti', ['sipdeny', key, revocation.refuseExpiryUpto]);
    if (set.error) throw new Error(`Kamailio RPC htable.seti: ${set.error.message ?? 'error'}`);
    if (!cutOff) return { contactsRemoved: false, dialogsEnded: 0 };
    // ul.rm answers an error when the AoR has no contacts: not a failure.
    const removed = await this.rpc('ul.rm', ['location', key]);
    const list = await this.rpc('dlg.list', []);
    let dialogsEnded = 0;
    for (const dialog of dialogRecords(list.result)) {
      const parties = [uriAddress(dialog.from_uri), uriAddress(dialog.to_uri)];
      if (!parties.includes(key)) continue;
      const ended = await this.rpc('dlg.end_dlg', [Number(dialog.h_entry), Number(dialog.h_id), revocationByeReason]);
      if (!ended.error) dialogsEnded += 1;
    }
    return { contactsRemoved: removed.error === undefined, dialogsEnded };
  }
}

/** CABINE_KAMAILIO_RPC_URL (e.g. http://127.0.0.1:15080/RPC): push revocations to Kamailio; unset: none. */
export function sipRevokerFromEnv(env: NodeJS.ProcessEnv, proxySecret: string): SipRevoker {
  const url = env.CABINE_KAMAILIO_RPC_URL;
  if (url === undefined || url === '') return noSipRevoker;
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('CABINE_KAMAILIO_RPC_URL must be http(s)');
  return new KamailioRpcRevoker(url, proxySecret);
}
