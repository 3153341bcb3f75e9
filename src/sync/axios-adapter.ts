import type { AxiosAdapter, AxiosResponse } from 'axios';
import type { ConnectorHttp } from './http.ts';

/**
 * An axios adapter that sends what a vendor's SDK built (URL, query, JSON body) through the
 * connector's own HTTP layer, so its rate-limit handling, backoff, OAuth refresh (with the new
 * tokens sealed before they are used) and request statistics apply to SDK calls too. The SDK is
 * given no credentials: this layer sets them on every attempt, so a retry after a refresh does not
 * repeat a stale token the SDK would have stamped on the request.
 */
export function connectorAdapter(http: ConnectorHttp): AxiosAdapter {
  return async (config) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(config.headers.toJSON())) {
      if (value !== undefined && value !== null) headers[name] = String(value);
    }
    const body =
      config.data === undefined || config.data === null
        ? undefined
        : typeof config.data === 'string'
          ? config.data
          : JSON.stringify(config.data);
    // Path and query only: a retry after a token refresh goes to the API root that token named.
    const url = new URL(config.url!, http.root);
    const answer = await http.exchange((config.method ?? 'get').toUpperCase(), `${url.pathname}${url.search}`, body, headers);
    const response: AxiosResponse = {
      data: answer.text,
      status: answer.status,
      statusText: answer.statusText,
      headers: answer.headers,
      config,
      request: {},
    };
    return response;
  };
}
