/**
 * The local three-way call (issue 12 §4): Merge takes the live call and a held one, resumes the held one
 * (re-INVITE sendrecv) and mixes them on this phone (audio/conference-mixer.ts); Split puts the
 * microphone tracks back and holds the call that was merged in, leaving the other one live. A member's
 * call that ends dissolves the conference the same way, without a hold.
 */
import { startConferenceMix, type ConferenceLeg, type ConferenceMix, type MixerContext } from '../audio/conference-mixer.js';
import { commandFailed } from './adapter-context.js';
import type { CallEntry, CallSessions } from './call-entry.js';
import { handlerOf } from './call-media.js';
import { holdCall, resumeCall } from './call-reinvites.js';

export interface Conference {
  /** The call that was live at Merge first, then the one merged in. */
  members: readonly string[];
  mix: ConferenceMix | null;
  /** Merge and Split run one at a time: each waits for the one before. */
  pending: Promise<void>;
  readonly createContext: () => MixerContext;
}

export function newConference(createContext: () => MixerContext = () => new AudioContext({ latencyHint: 'interactive' })): Conference {
  return { members: [], mix: null, pending: Promise.resolve(), createContext };
}

function audioSender(entry: CallEntry): RTCRtpSender | undefined {
  const pc = handlerOf(entry.session)?.peerConnection;
  return pc?.getSenders().find((sender) => sender.track?.kind === 'audio') ?? pc?.getTransceivers().find((t) => t.receiver.track.kind === 'audio')?.sender;
}

function legOf(entry: CallEntry): ConferenceLeg | null {
  const sdh = handlerOf(entry.session);
  const sender = audioSender(entry);
  if (sdh === null || sender === undefined) return null;
  return { id: entry.info.id, remote: sdh.remoteMediaStream, sender };
}

function announce(sessions: CallSessions, conference: Conference): void {
  sessions.context.emit({ type: 'conferenceChange', callIds: conference.members });
}

function queue(conference: Conference, work: () => Promise<void>): Promise<void> {
  conference.pending = conference.pending.then(work, work);
  return conference.pending;
}

/** Resumes `held` and mixes it with `live`; a failure leaves both calls as they were (the held one resumed). */
export function mergeCalls(sessions: CallSessions, conference: Conference, live: CallEntry, held: CallEntry): Promise<void> {
  return queue(conference, async () => {
    if (conference.members.length > 0 || live.state !== 'established' || held.state !== 'established') return;
    if (live.hold !== 'active' || held.hold !== 'held') return;
    const liveLeg = legOf(live);
    const heldLeg = legOf(held);
    const microphone = liveLeg?.sender.track;
    if (liveLeg === null || heldLeg === null || microphone === null || microphone === undefined) {
      commandFailed(sessions.context, live.info.id, 'merge', new Error('no audio to mix'));
      return;
    }
    // Mixed first, resumed second: the held party hears both of us from its first resumed packet.
    try {
      conference.mix = await startConferenceMix(conference.createContext(), new MediaStream([microphone]), [liveLeg, heldLeg]);
    } catch (error) {
      commandFailed(sessions.context, live.info.id, 'merge', error);
      return;
    }
    conference.members = [live.info.id, held.info.id];
    announce(sessions, conference);
    resumeCall(sessions, held);
  });
}

async function dissolve(sessions: CallSessions, conference: Conference): Promise<void> {
  const mix = conference.mix;
  conference.mix = null;
  conference.members = [];
  announce(sessions, conference);
  await mix?.stop();
}

/** Ends the mix: the first member stays live, the one merged in goes back on hold. */
export function splitConference(sessions: CallSessions, conference: Conference): Promise<void> {
  return queue(conference, async () => {
    const merged = conference.members[1];
    if (merged === undefined) return;
    await dissolve(sessions, conference);
    const entry = sessions.calls.get(merged);
    if (entry !== undefined) holdCall(sessions, entry);
  });
}

/** A member's call ended: the others get their own microphone back. */
export function leaveConference(sessions: CallSessions, conference: Conference, callId: string): Promise<void> {
  return queue(conference, async () => {
    if (conference.members.includes(callId)) await dissolve(sessions, conference);
  });
}
