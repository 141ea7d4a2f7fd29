/**
 * The one way the app places a call (house style 16):
 *
 *   dialer ──► intentFor(input) ──► place(intent)
 *                                     ├─ emergency ─────────────────────────► dial ──► call id
 *                                     └─ gate.admit(intent) ─ go ─ (paid) ──► dial ──► call id ──► admission.placed(id)
 *                                                           └─ stop ──────► null
 *
 * An emergency intent is dialled synchronously, in place()'s first statement, before any wallet code and
 * before any `await`: no state of the wallet, no network and no exception in gate code can delay or stop
 * it. Everything else goes through the gate (the wallet: the cost, the "Paid call" dialog, the premium
 * warning), then to the SIP adapter, and the caller gets the call id back, so a paid call is tracked by
 * that id rather than guessed from the calls store.
 *
 * While the user types, preview() readies the call before the click: the adapter pre-acquires the
 * microphone and ICE candidates, and the gate fetches the quote for the cost line.
 */
import { dialIntentFor, type DialIntent, type DialIntentResult, type DialPlace } from '../../../shared/dial/dial-intent.js';

/** What the gate says about one intent. */
export type Admission =
  | { readonly go: false }
  | {
      readonly go: true;
      /** Told the call id once the adapter created the call (a paid call is tracked by it). */
      readonly placed?: (callId: string) => void;
      /** Told when the adapter could not create the call (not connected): nothing was placed. */
      readonly notPlaced?: () => void;
    };

/** The wallet's side of the placer. */
export interface CallGate {
  /** Whether this (non-emergency) call may go now; may wait for the user's answer to a dialog. */
  admit(intent: DialIntent): Promise<Admission>;
  /** The user is typing this number (null: the field is empty or invalid): prepare its cost line. */
  preview(intent: DialIntent | null): void;
}

/** The SIP side of the placer: the adapter's commands it needs. */
export interface CallDialer {
  /** Places the call now; its id, or null when not possible (not connected). */
  call(intent: DialIntent): string | null;
  /** Readies the microphone and a peer connection for the next call (cheap, idempotent). */
  prepareCall(): void;
}

export interface CallPlacer {
  intentFor(input: string): DialIntentResult;
  /** The field changed: ready the next call and its cost line. */
  preview(input: string): void;
  /** Places the call; resolves with its id, or null when the gate stopped it or it could not be placed. */
  place(intent: DialIntent): Promise<string | null>;
  /**
   * May the call be transferred to this target (a blind transfer)? The same decision as place(): the gate's
   * dialog for a paid number, the premium warning. Nothing is dialled here: the other party places the
   * call, and the proxy charges it to us (docs/call-flow.md "Transfers").
   */
  admitTransfer(intent: DialIntent): Promise<boolean>;
}

export interface CallPlacerParts {
  readonly dialer: CallDialer;
  readonly gate: CallGate;
  /** Where the caller dials from (read at each use: settings and the company sign-in change it). */
  readonly place: () => DialPlace;
}

export function createCallPlacer(parts: CallPlacerParts): CallPlacer {
  const { dialer, gate } = parts;
  const intentFor = (input: string): DialIntentResult => dialIntentFor(input, parts.place());

  const dialAdmitted = async (intent: DialIntent): Promise<string | null> => {
    let admission: Admission;
    try {
      admission = await gate.admit(intent);
    } catch (error) {
      // A broken gate places nothing: the call might tap the wallet (emergency calls never get here).
      console.error('The call gate failed', error);
      return null;
    }
    if (!admission.go) return null;
    const callId = dialer.call(intent);
    if (callId === null) admission.notPlaced?.();
    else admission.placed?.(callId);
    return callId;
  };

  return {
    intentFor,
    preview(input) {
      const result = input.trim() === '' ? null : intentFor(input);
      if (result !== null) dialer.prepareCall();
      gate.preview(result?.ok === true && !result.intent.emergency ? result.intent : null);
    },
    place(intent) {
      if (intent.emergency) return Promise.resolve(dialer.call(intent));
      return dialAdmitted(intent);
    },
    async admitTransfer(intent) {
      if (intent.emergency) return true;
      let admission: Admission;
      try {
        admission = await gate.admit(intent);
      } catch (error) {
        console.error('The call gate failed', error);
        return false;
      }
      // The call will be placed by the other party, not here: no call id for the gate to follow.
      if (admission.go) admission.notPlaced?.();
      return admission.go;
    },
  };
}
