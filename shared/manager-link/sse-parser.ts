/**
 * An incremental Server-Sent Events parser (HTML Living Standard §9.2.6 "Interpreting an event stream"),
 * for streams read with fetch: `EventSource` cannot send the Authorization header the manager needs.
 * Feed it decoded text as it arrives; it returns the events completed so far.
 */
export interface ServerSentEvent {
  /** The `event:` field; "message" when absent. */
  readonly event: string;
  /** The `data:` lines joined with "\n". */
  readonly data: string;
  /** The `id:` field, or null. */
  readonly id: string | null;
}

/** Longest buffered line: a server that never ends a line cannot make the app hold unbounded text. */
const maxLineLength = 64 * 1024;

export interface SseParser {
  feed(text: string): readonly ServerSentEvent[];
}

export function createSseParser(): SseParser {
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let id: string | null = null;

  const dispatch = (out: ServerSentEvent[]): void => {
    if (data.length > 0) out.push({ event: event === '' ? 'message' : event, data: data.join('\n'), id });
    event = '';
    data = [];
  };

  return {
    feed(text) {
      buffer += text;
      const out: ServerSentEvent[] = [];
      for (;;) {
        const match = /\r\n|\r|\n/.exec(buffer);
        if (match === null) break;
        // A lone CR at the very end may be the first half of CRLF: wait for more text.
        if (match[0] === '\r' && match.index === buffer.length - 1) break;
        const line = buffer.slice(0, match.index);
        buffer = buffer.slice(match.index + match[0].length);
        if (line === '') {
          dispatch(out);
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        let value = colon === -1 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
        else if (field === 'id' && !value.includes('\u0000')) id = value;
      }
      if (buffer.length > maxLineLength) buffer = '';
      return out;
    },
  };
}
