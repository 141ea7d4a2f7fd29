/**
 * Speaks the remaining balance before a paid call, in the UI's language, as the phone system does (help
 * page: "they will hear the remaining account balance before the call connects"). Web Speech API
 * (https://webspeech.spec.whatwg.org/#tts-section). It never blocks the call: without speech synthesis or
 * a voice for the language it resolves at once, and a voice that never finishes is cut off after `maxMs`.
 */
export interface SpeechEnvironment {
  readonly synthesis: Pick<SpeechSynthesis, 'speak' | 'cancel' | 'getVoices'> | undefined;
  readonly createUtterance: ((text: string) => SpeechSynthesisUtterance) | undefined;
  readonly wait: (milliseconds: number) => Promise<void>;
  readonly maxMs?: number;
}

export type AnnounceOutcome = 'spoken' | 'no-voice' | 'cut-off';

export type AnnounceBalance = (text: string, language: string) => Promise<AnnounceOutcome>;

/** The voice for `language` ('fr' → any fr-*), or null. */
export function voiceFor(voices: readonly Pick<SpeechSynthesisVoice, 'lang'>[], language: string): number {
  const base = language.toLowerCase().split('-')[0] ?? language;
  return voices.findIndex((voice) => voice.lang.toLowerCase().split(/[-_]/)[0] === base);
}

export function createBalanceAnnouncer(env: SpeechEnvironment): AnnounceBalance {
  return async (text, language) => {
    const { synthesis, createUtterance } = env;
    if (synthesis === undefined || createUtterance === undefined) return 'no-voice';
    let voices: SpeechSynthesisVoice[];
    try {
      voices = synthesis.getVoices();
    } catch {
      return 'no-voice';
    }
    const index = voiceFor(voices, language);
    const voice = voices[index];
    if (voice === undefined) return 'no-voice';
    const finished = new Promise<AnnounceOutcome>((resolve) => {
      try {
        const utterance = createUtterance(text);
        utterance.lang = voice.lang;
        utterance.voice = voice;
        utterance.onend = () => resolve('spoken');
        utterance.onerror = () => resolve('no-voice');
        synthesis.cancel();
        synthesis.speak(utterance);
      } catch {
        resolve('no-voice');
      }
    });
    const outcome = await Promise.race([finished, env.wait(env.maxMs ?? 8000).then(() => 'cut-off' as const)]);
    if (outcome === 'cut-off') synthesis.cancel();
    return outcome;
  };
}
