import { get } from 'node:http';

export interface SseEvent {
  event: string;
  data: string;
}

/** A client of a server-sent-events stream that keeps every event and waits for the ones a test expects. */
export async function connectEvents(url: string) {
  const events: SseEvent[] = [];
  const waiters: { test: (event: SseEvent) => boolean; resolve: (event: SseEvent) => void }[] = [];
  let buffer = '';
  const request = get(url);
  await new Promise<void>((resolve, reject) => {
    request.once('error', reject);
    request.once('response', (response) => {
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (!event || data === undefined) continue;
          const parsed = { event, data };
          events.push(parsed);
          for (const waiter of [...waiters]) {
            if (waiter.test(parsed)) {
              waiters.splice(waiters.indexOf(waiter), 1);
              waiter.resolve(parsed);
            }
          }
        }
      });
      resolve();
    });
  });
  return {
    events,
    /** The next event (arriving from now on) that passes `test`. */
    next(test: (event: SseEvent) => boolean, timeoutMs = 20_000): Promise<SseEvent> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`No matching event within ${timeoutMs} ms; got: ${events.map((e) => e.data.replace(/"(title|source|html|pdf)":"[^"]*",/g, '')).join(' | ')}`)), timeoutMs);
        waiters.push({ test, resolve: (event) => (clearTimeout(timer), resolve(event)) });
      });
    },
    close: () => request.destroy(),
  };
}
