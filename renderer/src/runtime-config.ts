import { z } from 'zod';
import { checkSipServerUrl } from '../../shared/sip/server-url.js';

/**
 * Defaults the server hosting the web softphone hands to the page (`/cabine-config.json`, written by
 * scripts/lib/static-server.ts): where the SIP server and the manager are. Absent in the desktop app; then the sign-in form
 * starts empty or with the remembered account.
 */
export const runtimeConfigSchema = z.object({
  /** `wss://`, or `ws://` to this machine only (shared/sip/server-url.ts). */
  sipServer: z.string().max(512).refine((s) => checkSipServerUrl(s) === 'ok').optional(),
  sipDomain: z.string().max(253).regex(/^[A-Za-z0-9.-]+$/).optional(),
  /** The company manager of this deployment: pre-fills the company sign-in. */
  managerUrl: z.string().max(2048).regex(/^https?:\/\/\S+$/).optional(),
});
export type RuntimeConfig = z.infer<typeof runtimeConfigSchema>;

export async function loadRuntimeConfig(fetchJson: (url: string) => Promise<unknown>): Promise<RuntimeConfig> {
  try {
    const parsed = runtimeConfigSchema.safeParse(await fetchJson('./cabine-config.json'));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}
