import * as preferences from '@hubspot/api-client/lib/codegen/communication_preferences/index.js';
import * as associations from '@hubspot/api-client/lib/codegen/crm/associations/v4/index.js';
import * as contacts from '@hubspot/api-client/lib/codegen/crm/contacts/index.js';
import * as objects from '@hubspot/api-client/lib/codegen/crm/objects/index.js';
import * as pipelines from '@hubspot/api-client/lib/codegen/crm/pipelines/index.js';
import type { ConnectorHttp } from '../http.ts';

/**
 * HubSpot's official Node SDK (@hubspot/api-client) builds every request and deserializes every
 * answer with its generated models. Its `Client` facade sends through its own fetch with no seam
 * for another transport, so the generated API classes are configured here directly, each with an
 * HTTP library that hands the request to the connector's HTTP layer: rate limits, backoff, OAuth
 * refresh and request counts stay the same for every connector, and the SDK holds no credentials
 * (the layer sets them on every attempt).
 */

/** What every generated module's RequestContext offers (each module has its own copy of the class). */
interface SdkRequest {
  getUrl(): string;
  getHttpMethod(): string;
  getHeaders(): Record<string, string>;
  getBody(): unknown;
}

/** The parts of a generated module a configuration is made from. */
interface SdkModule<Request, Response, Configuration> {
  createConfiguration(parameters: { baseServer: unknown; httpApi: unknown }): Configuration;
  ServerConfiguration: new (url: string, variables: Record<string, string>) => unknown;
  wrapHttpLibrary(library: { send(request: Request): Promise<Response> }): unknown;
  ResponseContext: new (
    status: number,
    headers: Record<string, string>,
    body: { text(): Promise<string>; binary(): Promise<Buffer> },
  ) => Response;
}

function configure<Request extends SdkRequest, Response, Configuration>(
  http: ConnectorHttp,
  sdk: SdkModule<Request, Response, Configuration>,
): Configuration {
  return sdk.createConfiguration({
    baseServer: new sdk.ServerConfiguration(http.root, {}),
    httpApi: sdk.wrapHttpLibrary({
      async send(request) {
        const body = request.getBody();
        if (body !== undefined && typeof body !== 'string') throw new Error('HubSpot requests here carry JSON bodies only');
        // Path and query only: the layer resolves them against the API root it holds now.
        const url = new URL(request.getUrl());
        const answer = await http.exchange(request.getHttpMethod(), `${url.pathname}${url.search}`, body, request.getHeaders());
        const text = answer.text;
        return new sdk.ResponseContext(answer.status, answer.headers, { text: async () => text, binary: async () => Buffer.from(text) });
      },
    }),
  });
}

/** The SDK's API classes this connector uses, all sending through one ConnectorHttp. */
export function hubspotApis(http: ConnectorHttp) {
  const objectsConfig = configure(http, objects as unknown as SdkModule<SdkRequest, objects.ResponseContext, objects.Configuration>);
  const associationsConfig = configure(
    http,
    associations as unknown as SdkModule<SdkRequest, associations.ResponseContext, associations.Configuration>,
  );
  const contactsConfig = configure(http, contacts as unknown as SdkModule<SdkRequest, contacts.ResponseContext, contacts.Configuration>);
  const pipelinesConfig = configure(
    http,
    pipelines as unknown as SdkModule<SdkRequest, pipelines.ResponseContext, pipelines.Configuration>,
  );
  const preferencesConfig = configure(
    http,
    preferences as unknown as SdkModule<SdkRequest, preferences.ResponseContext, preferences.Configuration>,
  );
  return {
    objects: new objects.BasicApi(objectsConfig),
    subscriptionStatus: new preferences.StatusApi(preferencesConfig),
    search: new objects.SearchApi(objectsConfig),
    associations: new associations.BasicApi(associationsConfig),
    associationsBatch: new associations.BatchApi(associationsConfig),
    contacts: new contacts.BasicApi(contactsConfig),
    pipelines: new pipelines.PipelinesApi(pipelinesConfig),
  };
}

export { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/objects/index.js';
export type { SimplePublicObject } from '@hubspot/api-client/lib/codegen/crm/objects/index.js';
