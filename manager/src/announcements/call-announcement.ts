/**
 * The announcement attached to the manager's answer to the proxy's authorize: for a call the wallet pays
 * (`charged`), the prompt the proxy plays to the caller as early media before it sends the call to the
 * trunk (docs/sip-server.md, "Balance announcement"). Included calls, toll-free and emergency numbers never
 * tap the wallet, so they are not announced and connect at once; neither are refused calls.
 *
 * Never in the way of a call: a prompt that cannot be rendered in time (no espeak-ng, a full disk, a slow
 * machine) is logged and the call goes ahead without it.
 */
import type { AuthorizeCallResponse } from '../../../shared/api/call-schemas';
import { announcementLanguage, announcementText } from './announcement-text';
import type { PromptCache } from './prompt-cache';

/** The fields the proxy reads (jansson_get) to play the announcement. */
export interface AnnouncementFields {
  /** Absolute path of the WAV prompt. */
  readonly announcement: string;
  /** Its length in ms: the proxy holds the call that long before it goes to the trunk. */
  readonly announcementMs: number;
}

export interface CallAnnouncerDeps {
  readonly prompts: PromptCache;
  /** The company's country (ISO 3166-1 alpha-2), for the prompt's language; null if unknown. */
  readonly countryOf: (sipDomain: string | undefined) => Promise<string | null>;
  /** Longest the rendering may hold up the authorize answer (default 400 ms). */
  readonly budgetMs?: number;
  readonly log: { warn(object: object, message: string): void };
}

/** Returns the announcement for an authorized paid call, or null (not announced). */
export type CallAnnouncer = (answer: AuthorizeCallResponse, sipDomain: string | undefined) => Promise<AnnouncementFields | null>;

/** A path the proxy accepts in rtpengine's `file=` flag (no spaces, quotes or shell/SIP syntax). */
export const promptPathPattern = /^\/[A-Za-z0-9._/-]+\.wav$/;

export function createCallAnnouncer(deps: CallAnnouncerDeps): CallAnnouncer {
  const budgetMs = deps.budgetMs ?? 400;
  return async (answer, sipDomain) => {
    if (!answer.allowed || !answer.charged) return null;
    let timer: NodeJS.Timeout | undefined;
    try {
      const country = (await deps.countryOf(sipDomain)) ?? 'FR';
      const language = announcementLanguage(country);
      const text = announcementText({ language, balanceMinor: answer.balanceMinor, currency: answer.currency, fundedSeconds: answer.maxDurationSeconds });
      const late = new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), budgetMs);
      });
      const prompt = await Promise.race([deps.prompts.render(language, text), late]);
      if (prompt === null) {
        deps.log.warn({ callId: answer.callId, budgetMs }, 'balance announcement not ready in time; the call goes ahead without it');
        return null;
      }
      if (!promptPathPattern.test(prompt.file)) {
        deps.log.warn({ callId: answer.callId, file: prompt.file }, 'prompt path not playable by the proxy; the call goes ahead without it');
        return null;
      }
      return { announcement: prompt.file, announcementMs: prompt.durationMs };
    } catch (error) {
      deps.log.warn({ err: error, callId: answer.callId }, 'balance announcement failed; the call goes ahead without it');
      return null;
    } finally {
      clearTimeout(timer);
    }
  };
}
