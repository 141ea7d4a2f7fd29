/**
 * A three-way call mixed on this phone (issue 12 §4): each remote party is sent our microphone plus the
 * other party's audio, from one Web Audio graph.
 *
 * ```
 *   microphone ──┬──────────────► to A (destination A) ──replaceTrack──► A's RTP sender
 *   from B ──────┼──────────────┘
 *                └──────────────► to B (destination B) ──replaceTrack──► B's RTP sender
 *   from A ─────────────────────┘
 * ```
 *
 * The mixed tracks replace the senders' microphone tracks with `RTCRtpSender.replaceTrack`, which needs no
 * renegotiation (W3C WebRTC, section 5.2: the new track has the same kind), and split puts the microphone
 * tracks back the same way. We hear both parties through their own <audio> elements (audio-controller.ts),
 * so nothing here plays locally. Chromium feeds a MediaStreamAudioSourceNode from a remote WebRTC track
 * only while that track also plays somewhere, which those elements do.
 */

/** The part of RTCRtpSender the mixer uses. */
export interface MixerSender {
  readonly track: MediaStreamTrack | null;
  replaceTrack(track: MediaStreamTrack | null): Promise<void>;
}

/** One party of the conference: its remote audio and the sender that carries our audio to it. */
export interface ConferenceLeg {
  readonly id: string;
  readonly remote: MediaStream;
  readonly sender: MixerSender;
}

/** The part of AudioContext the mixer uses (AudioContext itself in the app, a recorder in unit tests). */
export interface MixerContext {
  createMediaStreamSource(stream: MediaStream): AudioNode;
  createMediaStreamDestination(): MediaStreamAudioDestinationNode;
  resume(): Promise<void>;
  close(): Promise<void>;
}

/** A running mix; `stop` restores every sender's own track and releases the graph. */
export interface ConferenceMix {
  readonly legIds: readonly string[];
  stop(): Promise<void>;
}

/**
 * Mixes `legs` (two or more) with `microphone` (a stream of our microphone track): each leg's sender gets
 * the microphone and every other leg's remote audio. The senders' tracks before the mix are kept and put
 * back by stop().
 */
export async function startConferenceMix(context: MixerContext, microphone: MediaStream, legs: readonly ConferenceLeg[]): Promise<ConferenceMix> {
  if (legs.length < 2) throw new RangeError('a conference needs two calls');
  const original = legs.map((leg) => leg.sender.track);
  const mic = context.createMediaStreamSource(microphone);
  const sources = legs.map((leg) => context.createMediaStreamSource(leg.remote));
  const destinations = legs.map((leg, index) => {
    const destination = context.createMediaStreamDestination();
    mic.connect(destination);
    sources.forEach((source, other) => {
      if (other !== index) source.connect(destination);
    });
    return destination;
  });
  await context.resume();
  const mixedTracks = destinations.map((destination) => destination.stream.getAudioTracks()[0] ?? null);
  try {
    await Promise.all(legs.map((leg, index) => leg.sender.replaceTrack(mixedTracks[index] ?? null)));
  } catch (error) {
    await Promise.allSettled(legs.map((leg, index) => leg.sender.replaceTrack(original[index] ?? null)));
    await release();
    throw error;
  }

  async function release(): Promise<void> {
    mic.disconnect();
    for (const source of sources) source.disconnect();
    for (const track of mixedTracks) track?.stop();
    await context.close().catch(() => undefined);
  }

  let stopped = false;
  return {
    legIds: legs.map((leg) => leg.id),
    async stop() {
      if (stopped) return;
      stopped = true;
      // A leg whose call already ended has a closed connection: its replaceTrack rejects, which is fine.
      await Promise.allSettled(legs.map((leg, index) => leg.sender.replaceTrack(original[index] ?? null)));
      await release();
    },
  };
}
