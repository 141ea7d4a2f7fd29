/**
 * Which microphone calls use, and switching it during calls without renegotiating: the new track replaces
 * the old one on the call's RTP sender (RTCRtpSender.replaceTrack, W3C webrtc section 5.2: "without
 * renegotiation" as long as the new track fits the negotiated encoding, which an audio track always does
 * here), so no re-INVITE is sent and the far end hears the new device within a packet or two.
 *
 * The choice is applied inside getUserMedia (audio/microphone-constraints.ts), never in the constraints SIP.js
 * compares at each re-INVITE: those stay `{ audio: true }`, so a hold/resume after a switch keeps the
 * switched track instead of SIP.js opening the device again.
 */
import { applyTrackState, handlerOf } from './call-media.js';
import type { CallSessions } from './call-entry.js';

export { openMicrophone as openChosenMicrophone, systemDefaultDevice as defaultMicrophone } from '../audio/microphone-constraints.js';

export interface MicrophoneChoice {
  deviceId: string;
}

/**
 * Puts the chosen microphone on every call that has a peer connection. Each call gets its own track (a
 * track is stopped when its call ends); the old one is stopped once replaced. Mute and hold apply to the
 * new track as to the old. Resolves once every call has switched; a call that ends meanwhile is skipped,
 * and so is a call whose sender is in a conference mix (see below).
 */
export async function switchCallMicrophones(
  sessions: CallSessions,
  getUserMedia: (constraints: MediaStreamConstraints) => Promise<MediaStream>,
): Promise<void> {
  const switches = [...sessions.calls.values()].map(async (entry) => {
    const sdh = handlerOf(entry.session);
    const pc = sdh?.peerConnection;
    const sender = pc?.getSenders().find((s) => s.track?.kind === 'audio');
    if (sdh === null || pc === undefined || sender === undefined) return;
    // A sender carrying another track than the call's own microphone is in a three-way call's mix
    // (call-conference.ts, audio/conference-mixer.ts): replacing it here would cut the other party out.
    // Such a call keeps the microphone it had until Split gives its sender its own track back.
    const own = sdh.localMediaStream.getAudioTracks()[0];
    if (own !== undefined && sender.track !== own) return;
    const stream = await getUserMedia({ audio: true, video: false });
    const track = stream.getAudioTracks()[0];
    if (track === undefined) return;
    if (pc.connectionState === 'closed' || pc.signalingState === 'closed') {
      track.stop();
      return;
    }
    const old = sender.track;
    await sender.replaceTrack(track);
    // SIP.js's local stream is what its close() and track toggles read besides the senders.
    const local = sdh.localMediaStream;
    if (old !== null) {
      local.removeTrack(old);
      old.stop();
    }
    local.addTrack(track);
    applyTrackState(entry);
  });
  await Promise.all(switches);
}
