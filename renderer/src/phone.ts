import type { HostBridge } from '../../shared/host/host-bridge.js';
import type { DialIntent } from '../../shared/dial/dial-intent.js';
import type { SettingsPatch, SipCredentials } from '../../shared/settings.js';
import { isOnHold } from '../../shared/call/hold-state.js';
import type { AudioController } from './audio/audio-controller.js';
import { createDeviceRouting } from './audio/device-routing.js';
import type { MediaDevicesPort } from './audio/media-devices.js';
import type { SipAdapter } from './sip/sip-adapter.js';
import type { SipAdapterEvent } from './sip/sip-events.js';
import { createStore, type Store } from './state/store.js';
import {
  callRecordFor,
  callWaitingToneWanted,
  frontCall,
  lineSwapPair,
  refusedCallRecord,
  initialCallsState,
  reduceCalls,
  ringbackWanted,
  ringtoneWanted,
  type CallsState,
} from './state/calls-store.js';
import { initialHistoryState, reduceHistory, type HistoryState } from './state/history-store.js';
import {
  initialRegistrationState,
  reduceRegistration,
  registrationIndicator,
  type RegistrationState,
} from './state/registration-store.js';
import { initialSettingsState, reduceSettings, type SettingsState } from './state/settings-store.js';

/** What the UI reads and does. Components hold no SIP state of their own. */
export interface Phone {
  readonly host: HostBridge;
  readonly registration: Store<RegistrationState>;
  readonly calls: Store<CallsState>;
  readonly history: Store<HistoryState>;
  readonly settings: Store<SettingsState>;
  /** Where the password went last time "remember me" was used ('not-remembered' in the browser). */
  readonly secretStorage: Store<'encrypted' | 'not-remembered' | null>;
  signIn(credentials: SipCredentials, remember: boolean): Promise<void>;
  signOut(): Promise<void>;
  /** Fresh credentials for the signed-in account (see SipAdapter.renewCredentials); calls stay up. */
  renewSipCredentials(credentials: SipCredentials): void;
  /**
   * Places the call now, with no question asked: the call placer's last step (calling/call-placer.ts),
   * after the gate. Its id, or null when not possible (not signed in, not connected).
   */
  call(intent: DialIntent): string | null;
  /** Readies the microphone and ICE candidates for the next call (the dialer's key presses). */
  prepareCall(): void;
  /**
   * The last tel:/sip:/callto: link the host passed on. A link only puts its number in the dialer: the
   * user presses Call, which goes through the wallet's gate like any dial, so a link on a web page can
   * never place a paid call by itself. `seq` tells two links to the same number apart.
   */
  readonly dialRequest: Store<DialRequest | null>;
  answer(callId: string): void;
  decline(callId: string): void;
  hangup(callId: string): void;
  /** Hang up the call in front (Escape). */
  hangupFront(): void;
  toggleMute(callId: string): void;
  toggleHold(callId: string): void;
  sendDtmf(callId: string, tones: string): void;
  /**
   * Blind transfer of `callId` to the intent's target: call it only after the call placer's
   * admitTransfer (the paid-call gate), as the transfer controls do.
   */
  transfer(callId: string, intent: DialIntent): void;
  /** Attended transfer: the other party of `callId` takes over the consultation call `consultCallId`. */
  completeTransfer(callId: string, consultCallId: string): void;
  updateSettings(patch: SettingsPatch): Promise<void>;
  /** Lists the audio devices again (after permission was granted); devicechange is followed anyway. */
  refreshDevices(): Promise<void>;
  /** Clears the "device disconnected" notices. */
  dismissDeviceFallbacks(): void;
  /** One second of a test tone on the speaker in force (settings). */
  playTestTone(): Promise<void>;
  /** A call's WebRTC statistics (the quality indicator); null once it has no media. */
  callStats(callId: string): Promise<RTCStatsReport | null>;
  /** The live call goes on hold and the held one (lineSwapPair) becomes live. */
  swap(): void;
  /** The live call and the held one become one local three-way call (sip/call-conference.ts). */
  merge(): void;
  /** Ends the three-way call: the call merged in goes back on hold. */
  split(): void;
  /** Do not disturb: incoming calls get 486 Busy Here and are kept as missed. */
  setDoNotDisturb(on: boolean): void;
  /** Stops listening to the host; for tests and hot reload. */
  dispose(): void;
}

/** A number a link asked the dialer to show. */
export interface DialRequest {
  readonly number: string;
  readonly seq: number;
}

export interface PhoneParts {
  readonly host: HostBridge;
  readonly adapter: SipAdapter;
  readonly audio: AudioController;
  /** The OS's audio devices (audio/media-devices.ts); none when absent. */
  readonly devices?: MediaDevicesPort;
}

/** Wires the adapter's events into the feature stores and the stores into audio and the host. */
export function createPhone(parts: PhoneParts): Phone {
  const { host, adapter, audio } = parts;
  const registration = createStore(initialRegistrationState);
  const calls = createStore(initialCallsState);
  const history = createStore(initialHistoryState);
  const settings = createStore(initialSettingsState);
  const secretStorage = createStore<'encrypted' | 'not-remembered' | null>(null);
  const dialRequest = createStore<DialRequest | null>(null);

  const onAdapterEvent = (event: SipAdapterEvent): void => {
    switch (event.type) {
      case 'connectionChange':
      case 'registrationChange':
        registration.update((state) => reduceRegistration(state, event));
        return;
      case 'remoteAudio':
        audio.setRemoteAudio(event.callId, event.stream);
        // The calls store notes early media (audio before the answer), which stops the ringback.
        break;
      case 'callEnded': {
        const ended = calls.getState().calls.find((call) => call.id === event.callId);
        if (ended !== undefined) {
          const record = callRecordFor(ended, event.reason, event.at);
          history.update((state) => reduceHistory(state, { type: 'appended', record }));
          host.appendHistory(record).catch((error: unknown) => console.error('Could not save the call history', error));
        }
        break;
      }
      case 'callRefused': {
        const record = refusedCallRecord(event.call, event.at);
        history.update((state) => reduceHistory(state, { type: 'appended', record }));
        host.appendHistory(record).catch((error: unknown) => console.error('Could not save the call history', error));
        break;
      }
      case 'callCreated':
        if (event.call.direction === 'incoming') {
          void host.notifyIncomingCall({ callId: event.call.id, from: event.call.remoteDisplay }).catch(() => undefined);
        }
        break;
      case 'holdChange':
        audio.setAudible(event.callId, !isOnHold(event.hold));
        break;
      case 'callProgress':
      case 'callAnswering':
      case 'callAnswered':
      case 'muteChange':
      case 'commandFailed':
      case 'doNotDisturbChange':
      case 'conferenceChange':
        break;
    }
    calls.update((state) => reduceCalls(state, event));
  };

  const noDevices: MediaDevicesPort = { enumerate: () => Promise.resolve([]), onChange: () => () => undefined };
  // Mid-call device changes: the microphone by replaceTrack, the outputs by setSinkId (no re-INVITE).
  const devices = createDeviceRouting(parts.devices ?? noDevices, settings, (routed) => {
    void adapter.setMicrophone(routed.microphone).catch((error: unknown) => console.error('Could not switch the microphone', error));
    audio.setSpeaker(routed.speaker);
    audio.setRinger(routed.ringer);
  });

  const unsubscribers: Array<() => void> = [
    adapter.subscribe(onAdapterEvent),
    calls.subscribe(() => {
      const state = calls.getState();
      audio.setRingback(ringbackWanted(state));
      audio.setRingtone(ringtoneWanted(state), devices.routed().ringer);
      audio.setCallWaitingTone(callWaitingToneWanted(state));
    }),
    () => devices.dispose(),
    registration.subscribe(() => host.showRegistrationState(registrationIndicator(registration.getState().phase))),
    host.onAnswerFromNotification((callId) => adapter.answer(callId)),
    host.onResume(() => adapter.reconnectNow()),
    // The host may replay a link that launched the app synchronously, before createPhone returns: only
    // a store is touched here.
    host.onDialRequest((number) => dialRequest.update((previous) => ({ number, seq: (previous?.seq ?? 0) + 1 }))),
  ];

  const phone: Phone = {
    host,
    registration,
    calls,
    history,
    settings,
    secretStorage,
    dialRequest,
    async signIn(credentials, remember) {
      audio.unlock();
      registration.update((state) => reduceRegistration(state, { type: 'signIn', account: credentials.account }));
      adapter.connect(credentials);
      if (remember) {
        secretStorage.update(() => null);
        const where = await host.saveSipCredentials(credentials).catch(() => null);
        secretStorage.update(() => where);
      } else {
        await host.forgetSipCredentials().catch(() => undefined);
      }
    },
    renewSipCredentials(credentials) {
      adapter.renewCredentials(credentials);
    },
    async signOut() {
      await adapter.disconnect();
      registration.update((state) => reduceRegistration(state, { type: 'signOut' }));
    },
    call(intent) {
      audio.unlock();
      // A new call while one is live puts that one on hold first (its own dialog: no glare with the INVITE).
      for (const live of calls.getState().calls) if (live.state === 'established' && live.hold === 'active') adapter.hold(live.id);
      return adapter.call(intent.target, intent.display);
    },
    prepareCall() {
      adapter.prepareCall();
    },
    answer: (callId) => {
      audio.unlock();
      adapter.answer(callId);
    },
    decline: (callId) => adapter.decline(callId),
    hangup: (callId) => adapter.hangup(callId),
    hangupFront() {
      const front = frontCall(calls.getState());
      if (front !== null) adapter.hangup(front.id);
    },
    toggleMute(callId) {
      const call = calls.getState().calls.find((c) => c.id === callId);
      if (call !== undefined) adapter.setMuted(callId, !call.muted);
    },
    toggleHold(callId) {
      const call = calls.getState().calls.find((c) => c.id === callId);
      if (call === undefined) return;
      if (call.hold === 'active') adapter.hold(callId);
      else if (call.hold === 'held') adapter.resume(callId);
    },
    sendDtmf(callId, tones) {
      adapter.sendDtmf(callId, tones);
    },
    transfer: (callId, intent) => adapter.transfer(callId, intent.target),
    completeTransfer: (callId, consultCallId) => adapter.completeTransfer(callId, consultCallId),
    async updateSettings(patch) {
      const next = await host.updateSettings(patch);
      settings.update((state) => reduceSettings(state, { type: 'settingsChanged', settings: next }));
    },
    refreshDevices: () => devices.refresh(),
    dismissDeviceFallbacks() {
      settings.update((state) => reduceSettings(state, { type: 'fallbacksDismissed' }));
    },
    playTestTone: () => audio.playTestTone(devices.routed().speaker),
    callStats: (callId) => adapter.callStats(callId),
    swap() {
      const pair = lineSwapPair(calls.getState());
      if (pair === null) return;
      adapter.hold(pair.live.id);
      adapter.resume(pair.held.id);
    },
    merge() {
      const pair = lineSwapPair(calls.getState());
      if (pair !== null) void adapter.merge(pair.live.id, pair.held.id);
    },
    split: () => void adapter.split(),
    setDoNotDisturb: (on) => adapter.setDoNotDisturb(on),
    dispose() {
      for (const unsubscribe of unsubscribers) unsubscribe();
    },
  };

  void host.getSettings().then(
    (loaded) => {
      settings.update((state) => reduceSettings(state, { type: 'settingsChanged', settings: loaded }));
      void devices.refresh();
    },
    (error: unknown) => console.error('Could not load the settings', error),
  );
  void host.loadHistory().then(
    (records) => history.update((state) => reduceHistory(state, { type: 'loaded', records })),
    (error: unknown) => console.error('Could not load the call history', error),
  );

  return phone;
}
