import { byId, client, unwrap, type BodyOf } from '../../api/client.ts';

/** The people who have consents: contacts and leads share the same consent endpoints under their own path. */
export type PersonPath = 'contacts' | 'leads';

export const personConsentApi = (path: PersonPath, id: string) => ({
  consents: (signal?: AbortSignal) => unwrap(client.GET(`/api/v1/${path}/{id}/consents`, { ...byId(id), signal })),
  record: (body: BodyOf<'/api/v1/contacts/{id}/consents'>) => unwrap(client.POST(`/api/v1/${path}/{id}/consents`, { ...byId(id), body })),
  restrict: (reason: string) => unwrap(client.PUT(`/api/v1/${path}/{id}/restriction`, { ...byId(id), body: { reason } })),
  liftRestriction: () => unwrap(client.DELETE(`/api/v1/${path}/{id}/restriction`, byId(id))),
  recordSoftOptIn: (body: BodyOf<'/api/v1/contacts/{id}/soft-opt-in', 'put'>) =>
    unwrap(client.PUT(`/api/v1/${path}/{id}/soft-opt-in`, { ...byId(id), body })),
  removeSoftOptIn: () => unwrap(client.DELETE(`/api/v1/${path}/{id}/soft-opt-in`, byId(id))),
  /** The proof of consent, as a file the browser downloads (not a call of the app). */
  proofHref: (format: 'pdf' | 'json') => `/api/v1/${path}/${id}/consents/proof${format === 'pdf' ? '?format=pdf' : ''}`,
});
