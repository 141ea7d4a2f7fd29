/**
 * A tiny observable holder of one feature's readonly state. Each feature owns one store and changes it
 * only through its pure transition function, so the transitions stay unit-testable without React.
 */
export interface Store<S> {
  getState(): S;
  /** Applies a pure transition; listeners run only when the state object actually changed. */
  update(transition: (state: S) => S): void;
  subscribe(listener: () => void): () => void;
}

export function createStore<S>(initial: S): Store<S> {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    getState: () => state,
    update(transition) {
      const next = transition(state);
      if (Object.is(next, state)) return;
      state = next;
      for (const listener of [...listeners]) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
