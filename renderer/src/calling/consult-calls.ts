/**
 * Attended transfers in progress: each consultation call (the call to the transfer target, placed while
 * the call to transfer waits on hold) and the call it will hand over. Plain readonly data with pure
 * transitions; the one store lives here because only the transfer controls read and change it.
 */
import { createStore, type Store } from '../state/store.js';

/** Consultation call id → the id of the call it will transfer. */
export type ConsultCalls = ReadonlyMap<string, string>;

export const consultCalls: Store<ConsultCalls> = createStore<ConsultCalls>(new Map());

/**
 * Adds a consultation, forgetting those whose calls have ended (not in `liveCallIds`). The new one is kept
 * whatever the calls store says: placed calls reach the store once their INVITE is on the wire, which may
 * be after the placer returned their id.
 */
export function withConsult(state: ConsultCalls, consultCallId: string, transferredCallId: string, liveCallIds: ReadonlySet<string>): ConsultCalls {
  const kept = [...state].filter(([consult, transferred]) => liveCallIds.has(consult) && liveCallIds.has(transferred));
  return new Map([...kept, [consultCallId, transferredCallId]]);
}

export function withoutConsult(state: ConsultCalls, consultCallId: string): ConsultCalls {
  if (!state.has(consultCallId)) return state;
  const next = new Map(state);
  next.delete(consultCallId);
  return next;
}
