/**
 * A call's media as the app controls it: mute, hold's track switch, DTMF, and ending a call whose media
 * died. Reached through SIP.js's Web.SessionDescriptionHandler (or our subclass of it).
 */
import { Web, type Session } from 'sip.js';
import { isOnHold } from '../../../shared/call/hold-state.js';
import { isLive, type CallEntry, type CallSessions } from './call-entry.js';
import { isDtmfTones } from './registration-rejection.js';

/** RFC 4733 tone length and gap, the common defaults of desk phones (and above RTCDTMFSender's minimums). */
const dtmfDurationMs = 160;
const dtmfGapMs = 70;

export function handlerOf(session: Session): Web.SessionDescriptionHandler | null {
  const sdh = session.sessionDescriptionHandler;
  return sdh instanceof Web.SessionDescriptionHandler ? sdh : null;
}

/** Our microphone flows only when neither muted nor held; their audio plays only when not held. */
export function applyTrackState(entry: CallEntry): void {
  const sdh = handlerOf(entry.session);
  if (sdh === null || sdh.peerConnection === undefined) return;
  const held = isOnHold(entry.hold);
  try {
    sdh.enableSenderTracks(!held && !entry.muted);
    sdh.enableReceiverTracks(!held);
  } catch {
    // Peer connection already closed: nothing to switch.
  }
}

export function setMuted(sessions: CallSessions, entry: CallEntry, muted: boolean): void {
  if (entry.muted === muted) return;
  entry.muted = muted;
  applyTrackState(entry);
  sessions.context.emit({ type: 'muteChange', callId: entry.info.id, muted });
}

export function sendDtmf(entry: CallEntry, tones: string): boolean {
  if (entry.state !== 'established' || !isDtmfTones(tones)) return false;
  const sdh = handlerOf(entry.session);
  if (sdh === null) return false;
  return sdh.sendDtmf(tones.toUpperCase(), { duration: dtmfDurationMs, interToneGap: dtmfGapMs });
}

export function peerConnections(sessions: CallSessions): RTCPeerConnection[] {
  const result: RTCPeerConnection[] = [];
  for (const entry of sessions.calls.values()) {
    const pc = handlerOf(entry.session)?.peerConnection;
    if (pc !== undefined) result.push(pc);
  }
  return result;
}

/**
 * ICE gives up ('failed', about 30 s after the other side stopped answering consent checks, RFC 7675)
 * when the other side vanished without a BYE reaching us, e.g. when the proxy lost the dialog's route.
 * The call is over then; end it rather than show a silent call forever.
 */
export function endWhenMediaFails(sessions: CallSessions, entry: CallEntry): void {
  const pc = handlerOf(entry.session)?.peerConnection;
  if (pc === undefined) return;
  const onChange = (): void => {
    if (pc.connectionState !== 'failed' || !isLive(sessions, entry)) return;
    pc.removeEventListener('connectionstatechange', onChange);
    entry.endReason ??= 'connection-lost';
    void entry.session.bye().catch(() => void entry.session.dispose());
  };
  pc.addEventListener('connectionstatechange', onChange);
}
