import type { SipAdapterEvent, SipAdapterListener } from './sip-events.js';

/**
 * What every part of the SIP adapter is handed by sip-adapter.ts: the clock, the dice and the way out to
 * the app's listeners. Passed explicitly, so each part can be read (and driven) on its own.
 */
export interface AdapterContext {
  readonly now: () => number;
  readonly random: () => number;
  readonly emit: (event: SipAdapterEvent) => void;
}

export type Timer = ReturnType<typeof setTimeout> | undefined;

/** Clears a timer and returns undefined, for `state.timer = clearTimer(state.timer)`. */
export function clearTimer(timer: Timer): undefined {
  if (timer !== undefined) clearTimeout(timer);
  return undefined;
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A command could not be carried out: told to the app as an event, never thrown at the UI. */
export function commandFailed(context: AdapterContext, callId: string | null, command: string, error: unknown): void {
  context.emit({ type: 'commandFailed', callId, command, message: describeError(error) });
}

/** The adapter's listeners; one failing listener neither stops the others nor reaches SIP.js. */
export function createEmitter(): { emit(event: SipAdapterEvent): void; subscribe(listener: SipAdapterListener): () => void } {
  const listeners = new Set<SipAdapterListener>();
  return {
    emit(event) {
      for (const listener of [...listeners]) {
        try {
          listener(event);
        } catch (error) {
          console.error('SIP adapter listener failed', error);
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
