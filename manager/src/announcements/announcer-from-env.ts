/**
 * The manager's balance announcer, configured from the environment:
 *   - `CABINE_ANNOUNCEMENT_DIR`: absolute cache directory of the prompts (on rtpengine's machine); unset, no
 *     call is announced;
 *   - `CABINE_ESPEAK` (default `espeak-ng`), `CABINE_ANNOUNCEMENT_LEAD_MS` (silence before the words, 700).
 */
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import type { ManagerContext } from '../http/manager-context';
import { createCallAnnouncer, promptPathPattern, type CallAnnouncer } from './call-announcement';
import { createPromptCache } from './prompt-cache';

const envSchema = z.object({
  CABINE_ANNOUNCEMENT_DIR: z
    .string()
    .refine(isAbsolute, 'must be an absolute path')
    .refine((dir) => promptPathPattern.test(`${dir}/x.wav`), 'may only contain A-Z a-z 0-9 . _ / -')
    .optional(),
  CABINE_ESPEAK: z.string().min(1).default('espeak-ng'),
  CABINE_ANNOUNCEMENT_LEAD_MS: z.coerce.number().int().min(0).max(3000).default(700),
});

export function callAnnouncerFromEnv(env: NodeJS.ProcessEnv, ctx: Pick<ManagerContext, 'repository' | 'config'>, log: { warn(object: object, message: string): void }): CallAnnouncer | null {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new Error(`balance announcement settings: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  const { CABINE_ANNOUNCEMENT_DIR: dir, CABINE_ESPEAK: espeak, CABINE_ANNOUNCEMENT_LEAD_MS: leadSilenceMs } = parsed.data;
  if (dir === undefined) return null;
  return createCallAnnouncer({
    prompts: createPromptCache({ dir, espeak, leadSilenceMs }),
    countryOf: async (sipDomain) => (await ctx.repository.store.getCompanyByDomain(sipDomain ?? ctx.config.sipDomain))?.country ?? null,
    log,
  });
}
