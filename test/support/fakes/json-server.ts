import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a fake API answers: a status, a JSON body (none for 204) or a text one (CSV), extra headers. */
export interface FakeAnswer {
  status: number;
  body?: unknown;
  text?: string;
  headers?: Record<string, string>;
}
export type FakeHandler = (method: string, url: URL, headers: http.IncomingHttpHeaders, raw: string) => FakeAnswer;

/** The HTTP side shared by the fake CRMs: reads the body, logs each request with its status, answers JSON. */
export async function listenJson(
  handle: FakeHandler,
  log: Array<{ method: string; path: string; status: number; host?: string }>,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://fake');
      let answer: FakeAnswer;
      try {
        answer = handle(request.method ?? 'GET', url, request.headers, Buffer.concat(chunks).toString('utf8'));
      } catch (error) {
        // A fake that cannot answer in the vendor's shape fails the test process, not just this request.
        answer = { status: 500, body: { message: (error as Error).message } };
        setImmediate(() => {
          throw error;
        });
      }
      const { status, body, text, headers } = answer;
      log.push({ method: request.method ?? 'GET', path: url.pathname, status, host: request.headers.host ?? '' });
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(text ?? (body === undefined ? '' : JSON.stringify(body)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A fake API: a request log the tests count, a URL once started, and the vendor's own handler. */
export abstract class FakeApi {
  readonly log: Array<{ method: string; path: string; status: number; host?: string }> = [];
  url = '';
  private listener: { url: string; close: () => Promise<void> } | undefined;
  private others: Array<{ url: string; close: () => Promise<void> }> = [];

  protected abstract handle(method: string, url: URL, headers: http.IncomingHttpHeaders, raw: string): FakeAnswer;

  /** An outage: every request gets the 503 a vendor's edge answers with during maintenance. */
  down = false;

  private answer(method: string, url: URL, headers: http.IncomingHttpHeaders, raw: string): FakeAnswer {
    if (this.down) return { status: 503, text: '<html><body>Service Unavailable</body></html>', headers: { 'content-type': 'text/html' } };
    return this.handle(method, url, headers, raw);
  }

  async start(): Promise<string> {
    this.listener = await listenJson((method, url, headers, raw) => this.answer(method, url, headers, raw), this.log);
    this.url = this.listener.url;
    return this.url;
  }

  /** The same service on a second address (an org moved to another Salesforce instance). */
  async listenAgain(): Promise<string> {
    const other = await listenJson((method, url, headers, raw) => this.answer(method, url, headers, raw), this.log);
    this.others.push(other);
    return other.url;
  }

  async stop(): Promise<void> {
    await this.listener?.close();
    for (const other of this.others) await other.close();
  }
}
