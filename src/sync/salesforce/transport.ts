import { PassThrough } from 'node:stream';
import { Connection } from 'jsforce/lib/connection.js';
import 'jsforce/lib/api/bulk2.js';
import { Transport } from 'jsforce/lib/transport.js';
import type { HttpRequest, HttpResponse } from 'jsforce/lib/types/index.js';
import { StreamPromise } from 'jsforce/lib/util/promise.js';
import type { ConnectorHttp } from '../http.ts';

/** The REST API version the connector is written against. */
export const SALESFORCE_API_VERSION = '59.0';

/**
 * A jsforce transport that sends what jsforce built through the connector's HTTP layer, so rate
 * limits, backoff, OAuth refresh (with the token and instance_url sealed before use) and request
 * counts are the same as for every connector. jsforce is given no token: the layer sets it on each
 * attempt. Only path and query are passed on, so a request follows the org to the instance the
 * last token response named even though jsforce still holds the first instance URL.
 */
class ConnectorTransport extends Transport {
  constructor(private readonly http: ConnectorHttp) {
    super();
  }

  override httpRequest(request: HttpRequest): StreamPromise<HttpResponse> {
    const stream = new PassThrough();
    return StreamPromise.create(() => ({
      stream,
      promise: (async (): Promise<HttpResponse> => {
        if (request.body !== undefined && typeof request.body !== 'string')
          throw new Error('Salesforce requests here carry text bodies only');
        // A Bulk API 2.0 upload (PUT …/batches) writes its CSV into the request stream instead.
        const body = request.body ?? (request.method === 'PUT' ? await text(stream) : undefined);
        const url = new URL(request.url, this.http.root);
        const answer = await this.http.exchange(request.method, `${url.pathname}${url.search}`, body, request.headers ?? {});
        return { statusCode: answer.status, headers: answer.headers, body: answer.text };
      })(),
    }));
  }
}

/** A jsforce connection whose every request goes through `http`. */
export function salesforceConnection(http: ConnectorHttp): Connection {
  const connection = new Connection({ instanceUrl: http.root, version: SALESFORCE_API_VERSION });
  connection._transport = new ConnectorTransport(http);
  return connection;
}

async function text(stream: PassThrough): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer | string));
  return Buffer.concat(chunks).toString('utf8');
}
