// SSE is read off the wire here (framing, heartbeats): the generated client parses JSON only, so this is a raw request.
import type { JsonRequestInit } from './json-request';

export interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
  retry?: string;
}

/** An SSE response read as it arrives: messages and comments so far, and waits on them. */
export interface OpenStream {
  response: Response;
  readonly messages: SseMessage[];
  /** Comment lines (heartbeats), without the colon. */
  readonly comments: string[];
  /** Settles when the server ends the body. */
  readonly ended: Promise<void>;
  /** Waits until a message matches (one already read counts). */
  waitFor(predicate: (message: SseMessage) => boolean, timeoutMs?: number): Promise<SseMessage>;
  /** Waits until the server has ended the stream. */
  waitForEnd(timeoutMs?: number): Promise<void>;
  close(): void;
}

/** Anything that sends API requests as a test caller: a RunningApi. */
interface Requester {
  rawRequest(path: string, init?: JsonRequestInit): Promise<Response>;
}

/** Opens `path` with Accept: text/event-stream through `api` and reads it in the background. */
export async function openStream(api: Requester, path: string, init: JsonRequestInit = {}): Promise<OpenStream> {
  const abort = new AbortController();
  const headers = new Headers(init.headers);
  headers.set('accept', 'text/event-stream');
  const response = await api.rawRequest(path, { ...init, headers, signal: abort.signal });
  const messages: SseMessage[] = [];
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  const changed = () => waiters.forEach((waiter) => waiter());

  const read = async () => {
    if (!response.body || !response.ok) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const message: SseMessage = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            const field = /^(id|event|data|retry): ?(.*)$/.exec(line);
            if (field) message[field[1] as keyof SseMessage] = field[2];
          }
          if (Object.keys(message).length > 0) messages.push(message);
          changed();
        }
      }
    } catch {
      // Aborted by close().
    }
  };
  let done = false;
  const ended = read().then(() => {
    done = true;
    changed();
  });

  const until = (check: () => boolean, timeoutMs: number, what: string) =>
    new Promise<void>((resolve, reject) => {
      const waiter = () => {
        if (!check()) return;
        clearTimeout(timer);
        waiters.delete(waiter);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`${what} within ${timeoutMs} ms; read ${JSON.stringify(messages)}`));
      }, timeoutMs);
      waiters.add(waiter);
      waiter();
    });

  return {
    response,
    messages,
    comments,
    ended,
    async waitFor(predicate, timeoutMs = 20_000) {
      await until(() => messages.some(predicate), timeoutMs, 'no matching SSE message');
      return messages.find(predicate) as SseMessage;
    },
    waitForEnd: (timeoutMs = 20_000) => until(() => done, timeoutMs, 'the stream did not end'),
    close: () => abort.abort(),
  };
}
