/**
 * The only module that imports `ipcMain`: one handler per channel of `invokeContract`, each of which
 * checks the sender frame, parses the request, calls the implementation and parses the response.
 * Checklist item 17, https://www.electronjs.org/docs/latest/tutorial/security#17-validate-the-sender-of-all-ipc-messages.
 */
import type { IpcMain, IpcMainInvokeEvent, WebFrameMain } from 'electron';
import {
  invokeChannels,
  invokeContract,
  type InvokeChannel,
  type InvokeRequest,
  type InvokeResponse,
  type IpcErrorCode,
  type IpcResult,
} from '../shared/ipc/ipc-contract.js';
import { isAppOrigin } from './app-origin.js';

/** Lists may be returned readonly; they are copied by the response parse anyway. */
type Returned<T> = T extends (infer E)[] ? readonly E[] : T;

/** One channel's implementation: channels that answer nothing may return void. */
type ChannelImplementation<Request, Response> = [Response] extends [undefined]
  ? (request: Request) => Promise<void> | void
  : (request: Request) => Promise<Returned<Response>> | Returned<Response>;

/** What main does for each channel, given an already parsed request; its result is parsed before it leaves. */
export type IpcImplementation = {
  readonly [C in InvokeChannel]: ChannelImplementation<InvokeRequest<C>, InvokeResponse<C>>;
};

type SenderFrame = Pick<WebFrameMain, 'url' | 'parent'> | null | undefined;

/**
 * Whether a message comes from the app's own top-level document. A null frame (navigated away or
 * destroyed since sending), a sub-frame, or any other origin is refused.
 */
export function isAppMainFrame(frame: SenderFrame): boolean {
  return frame !== null && frame !== undefined && frame.parent === null && isAppOrigin(frame.url);
}

function failure(code: IpcErrorCode, message: string): IpcResult<never> {
  return { ok: false, error: { code, message } };
}

function describeIssues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

type HandleEvent = Pick<IpcMainInvokeEvent, 'senderFrame'>;

/**
 * The handler for one channel, separate from `ipcMain` so it can be called directly in tests.
 * Never throws: every outcome is an `IpcResult`.
 */
export function createChannelHandler<C extends InvokeChannel>(
  channel: C,
  implementation: IpcImplementation[C],
  log: (message: string) => void,
): (event: HandleEvent, request: unknown) => Promise<IpcResult<InvokeResponse<C>>> {
  const { request: requestSchema, response: responseSchema } = invokeContract[channel];
  return async (event, request) => {
    if (!isAppMainFrame(event.senderFrame)) {
      log(`ipc: ${channel}: refused a message from ${event.senderFrame?.url ?? 'a destroyed frame'}`);
      return failure('forbidden-sender', `${channel}: only the app's main frame may call this`);
    }
    const parsedRequest = requestSchema.safeParse(request);
    if (!parsedRequest.success) {
      return failure('invalid-request', `${channel}: invalid request: ${describeIssues(parsedRequest.error)}`);
    }
    let value: unknown;
    try {
      value = await (implementation as (request: unknown) => unknown)(parsedRequest.data);
    } catch (error) {
      log(`ipc: ${channel}: failed: ${String(error)}`);
      return failure('failed', `${channel}: ${error instanceof Error ? error.message : 'failed'}`);
    }
    const parsedResponse = responseSchema.safeParse(value);
    if (!parsedResponse.success) {
      log(`ipc: ${channel}: produced an invalid response: ${describeIssues(parsedResponse.error)}`);
      return failure('invalid-response', `${channel}: the app produced an invalid response`);
    }
    return { ok: true, value: parsedResponse.data as InvokeResponse<C> };
  };
}

/** Registers every channel of the contract; returns a function that removes them all. */
export function registerIpcHandlers(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  implementation: IpcImplementation,
  log: (message: string) => void,
): () => void {
  for (const channel of invokeChannels) {
    ipcMain.handle(channel, createChannelHandler(channel, implementation[channel], log));
  }
  return () => {
    for (const channel of invokeChannels) ipcMain.removeHandler(channel);
  };
}
