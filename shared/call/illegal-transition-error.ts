/**
 * A state machine was asked for a move its table does not allow. It always means a bug in whoever fed the
 * event (usually the SIP adapter mapping a SIP.js callback), so it is thrown rather than ignored.
 */
export class IllegalTransitionError extends Error {
  constructor(
    /** Which machine refused, e.g. 'call' or 'hold'. */
    readonly machine: string,
    readonly from: string,
    readonly event: string,
  ) {
    super(`Illegal ${machine} transition: '${event}' in state '${from}'`);
    this.name = 'IllegalTransitionError';
  }
}
