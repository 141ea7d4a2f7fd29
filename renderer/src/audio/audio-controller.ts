import { callWaiting, ringbackFrance, ringtone, toneBursts, type TonePattern } from './tone-patterns.js';

/** How long a generated tone is scheduled for; longer than any ringing phase (the server gives up first). */
const toneHorizonSeconds = 600;

/** One <audio> element fed by a WebAudio tone; an element (not the AudioContext) so setSinkId can route it. */
interface TonePlayer {
  readonly element: HTMLAudioElement;
  start(sinkId: string): void;
  /** Moves a playing tone to another output (setSinkId), without restarting it. */
  route(sinkId: string): void;
  stop(): void;
  playing(): boolean;
}

/** The settings' test sound: one second of 440 Hz (the tuning A), loud enough to find the right device. */
const testTone: TonePattern = { frequencies: [440], cadence: [1, 1], level: 0.2 };
const testToneMs = 1_000;

/** `setSinkId` is missing from some TypeScript DOM libs and some browsers: call it when it is there. */
async function routeTo(element: HTMLAudioElement, sinkId: string): Promise<void> {
  const withSink = element as HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };
  if (typeof withSink.setSinkId !== 'function') return;
  // 'default' is our name for the system output; the API spells it as the empty string.
  const id = sinkId === 'default' ? '' : sinkId;
  try {
    await withSink.setSinkId(id);
  } catch {
    // The device went away (unplugged headset): fall back to the system output rather than ring nowhere.
    await withSink.setSinkId('').catch(() => undefined);
  }
}

function createTonePlayer(context: () => AudioContext, container: HTMLElement, role: string, pattern: TonePattern): TonePlayer {
  const element = document.createElement('audio');
  element.dataset['role'] = role;
  element.dataset['playing'] = 'false';
  container.append(element);
  let nodes: { readonly oscillators: OscillatorNode[]; readonly gain: GainNode } | null = null;
  // One destination (one MediaStream and its track) for the player's life, rather than a new one at every
  // ring whose track nobody stopped.
  let destination: MediaStreamAudioDestinationNode | null = null;
  let currentSink = 'default';

  return {
    element,
    route(sinkId) {
      if (sinkId === currentSink) return;
      currentSink = sinkId;
      if (nodes !== null) void routeTo(element, sinkId);
    },
    start(sinkId) {
      currentSink = sinkId;
      if (nodes !== null) return;
      const ctx = context();
      destination ??= ctx.createMediaStreamDestination();
      const gain = ctx.createGain();
      gain.gain.value = 0;
      gain.connect(destination);
      const now = ctx.currentTime + 0.05;
      for (const [from, to] of toneBursts(pattern, toneHorizonSeconds)) {
        gain.gain.setValueAtTime(pattern.level, now + from);
        gain.gain.setValueAtTime(0, now + to);
      }
      const oscillators = pattern.frequencies.map((frequency) => {
        const oscillator = ctx.createOscillator();
        oscillator.frequency.value = frequency;
        oscillator.connect(gain);
        oscillator.start(now);
        return oscillator;
      });
      nodes = { oscillators, gain };
      element.srcObject = destination.stream;
      element.dataset['playing'] = 'true';
      void ctx.resume().catch(() => undefined);
      void routeTo(element, sinkId).then(() => (nodes === null ? undefined : element.play())).catch(() => undefined);
    },
    stop() {
      if (nodes === null) return;
      for (const oscillator of nodes.oscillators) oscillator.stop();
      nodes.gain.disconnect();
      nodes = null;
      element.pause();
      element.srcObject = null;
      element.dataset['playing'] = 'false';
    },
    playing: () => nodes !== null,
  };
}

/**
 * Everything the phone plays: the remote audio of each call, the ringback while an outgoing call rings and
 * the ringtone for incoming calls on the ringer device. Driven from the calls store, never from SIP events.
 */
export interface AudioController {
  /** Call from a user gesture (the sign-in click) so the page may play sound later. */
  unlock(): void;
  setRingback(on: boolean): void;
  setRingtone(on: boolean, sinkId: string): void;
  /** The call-waiting tone, on the speaker of the call in progress (not the ringer): a call rings in while we talk. */
  setCallWaitingTone(on: boolean): void;
  /** Plays (or stops) one call's remote audio. */
  setRemoteAudio(callId: string, stream: MediaStream | null): void;
  /** Silences a call's audio locally (for example while it is on hold). */
  setAudible(callId: string, audible: boolean): void;
  /**
   * The output calls play on (their remote audio and the ringback), applied at once to calls in progress
   * (HTMLMediaElement.setSinkId: no renegotiation); 'default' is the system's.
   */
  setSpeaker(sinkId: string): void;
  /** Moves a ringtone that is playing to another output. */
  setRinger(sinkId: string): void;
  /** Plays one second of a test tone on `sinkId`; resolves when it ends. */
  playTestTone(sinkId: string): Promise<void>;
}

export function createAudioController(container: HTMLElement): AudioController {
  let audioContext: AudioContext | null = null;
  const context = (): AudioContext => {
    audioContext ??= new AudioContext({ latencyHint: 'interactive' });
    return audioContext;
  };
  const ringback = createTonePlayer(context, container, 'ringback', ringbackFrance);
  const ringer = createTonePlayer(context, container, 'ringtone', ringtone);
  const tester = createTonePlayer(context, container, 'test-tone', testTone);
  const waiting = createTonePlayer(context, container, 'call-waiting', callWaiting);
  const remote = new Map<string, HTMLAudioElement>();
  let speaker = 'default';
  // A running AudioContext renders (silence) all the time on the audio thread: suspended while no tone
  // plays, it costs nothing between calls nor while a call's media connects. start() resumes it; the page
  // may, having been unlocked by a gesture (sticky user activation).
  const suspendWhenSilent = (): void => {
    if (audioContext !== null && !ringback.playing() && !ringer.playing() && !tester.playing() && !waiting.playing() && audioContext.state === 'running') {
      void audioContext.suspend().catch(() => undefined);
    }
  };

  return {
    unlock() {
      void context()
        .resume()
        .then(suspendWhenSilent)
        .catch(() => undefined);
    },
    setRingback(on) {
      if (on) ringback.start(speaker);
      else if (ringback.playing()) {
        ringback.stop();
        suspendWhenSilent();
      }
    },
    setRingtone(on, sinkId) {
      if (on) ringer.start(sinkId);
      else if (ringer.playing()) {
        ringer.stop();
        suspendWhenSilent();
      }
    },
    setCallWaitingTone(on) {
      if (on) waiting.start(speaker);
      else if (waiting.playing()) {
        waiting.stop();
        suspendWhenSilent();
      }
    },
    setRemoteAudio(callId, stream) {
      let element = remote.get(callId);
      if (stream === null) {
        if (element !== undefined) {
          element.pause();
          element.srcObject = null;
          element.remove();
          remote.delete(callId);
        }
        return;
      }
      if (element === undefined) {
        element = document.createElement('audio');
        element.dataset['role'] = 'remote';
        element.dataset['callId'] = callId;
        element.autoplay = true;
        container.append(element);
        remote.set(callId, element);
        // A new element plays on the system output already: no setSinkId (an await at media time) for it.
        if (speaker !== 'default') void routeTo(element, speaker);
      }
      if (element.srcObject !== stream) element.srcObject = stream;
      void element.play().catch(() => undefined);
    },
    setAudible(callId, audible) {
      const element = remote.get(callId);
      if (element !== undefined) element.muted = !audible;
    },
    setSpeaker(sinkId) {
      if (sinkId === speaker) return;
      speaker = sinkId;
      for (const element of remote.values()) void routeTo(element, sinkId);
      ringback.route(sinkId);
      waiting.route(sinkId);
    },
    setRinger(sinkId) {
      ringer.route(sinkId);
    },
    playTestTone(sinkId) {
      tester.stop();
      tester.start(sinkId);
      return new Promise((resolve) => {
        setTimeout(() => {
          tester.stop();
          suspendWhenSilent();
          resolve();
        }, testToneMs);
      });
    },
  };
}
