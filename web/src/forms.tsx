import { useEffect, useState, type FormEvent } from 'react';
import { api, get, post } from './api.ts';
import { ErrorMessage } from './components.tsx';
import { usePurposes } from './consent.tsx';

const FIELD_CHOICES = [
  { key: 'firstName', label: 'First name' },
  { key: 'lastName', label: 'Last name' },
  { key: 'phone', label: 'Phone' },
  { key: 'jobTitle', label: 'Job title' },
  { key: 'company', label: 'Company' },
] as const;

interface Draft {
  id?: string;
  name: string;
  creates: 'lead' | 'contact';
  doubleOptIn: boolean;
  confirmWithinDays: number;
  title: string;
  intro: string;
  fields: Array<{ key: string; label: string; required: boolean }>;
  consents: Array<{ purposeId: string; text: string }>;
  policyVersion: string;
  policyUrl: string;
  successMessage: string;
}

const NEW_FORM: Draft = {
  name: '',
  creates: 'lead',
  doubleOptIn: true,
  confirmWithinDays: 7,
  title: '',
  intro: '',
  fields: [{ key: 'firstName', label: 'First name', required: false }],
  consents: [{ purposeId: '', text: '' }],
  policyVersion: '1',
  policyUrl: '',
  successMessage: 'Thank you.',
};

function draftOf(form: any): Draft {
  return {
    id: form.id,
    name: form.name,
    creates: form.creates,
    doubleOptIn: form.doubleOptIn,
    confirmWithinDays: form.confirmWithinDays,
    title: form.title,
    intro: form.intro,
    fields: form.fields.filter((f: any) => f.key !== 'email'),
    consents: form.consents.map((c: any) => ({ purposeId: c.purposeId, text: c.text })),
    policyVersion: form.policyVersion,
    policyUrl: form.policyUrl,
    successMessage: form.successMessage,
  };
}

/** What a visitor will see, drawn from the builder's state as it is being edited. */
function Preview({ draft, purposeName }: { draft: Draft; purposeName(id: string): string }) {
  return (
    <div className="preview" aria-label="Preview">
      <h2>{draft.title || 'Form title'}</h2>
      {draft.intro && <p>{draft.intro}</p>}
      <label>
        <span>Email *</span>
        <input type="email" disabled />
      </label>
      {draft.fields.map((field) => (
        <label key={field.key}>
          <span>
            {field.label}
            {field.required ? ' *' : ''}
          </span>
          <input disabled />
        </label>
      ))}
      {draft.consents.map((consent, index) => (
        <label key={index} className="check">
          <input type="checkbox" disabled /> {consent.text || `(wording for ${purposeName(consent.purposeId) || 'a purpose'})`}
        </label>
      ))}
      <p className="muted">Privacy policy version {draft.policyVersion}</p>
      <button disabled>Submit</button>
    </div>
  );
}

function Builder({ initial, onSaved }: { initial: Draft; onSaved(form: any): void }) {
  const [draft, setDraft] = useState<Draft>(initial);
  const [error, setError] = useState<unknown>(null);
  const [purposes] = usePurposes();
  const consentPurposes = purposes.filter((p) => p.legalBasis === 'consent' && p.status !== 'retired');
  useEffect(() => setDraft(initial), [initial]);

  function toggleField(key: string, label: string, on: boolean) {
    setDraft({ ...draft, fields: on ? [...draft.fields, { key, label, required: false }] : draft.fields.filter((f) => f.key !== key) });
  }
  async function save(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const { id, ...body } = draft;
    try {
      onSaved(id ? await api('PATCH', `/api/v1/forms/${id}`, body) : await post('/api/v1/forms', body));
    } catch (caught) {
      setError(caught);
    }
  }
  return (
    <div className="builder">
      <form className="record-form" onSubmit={save} aria-label="Form builder">
        <label>
          <span>Name (internal)</span>
          <input required value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
        </label>
        <label>
          <span>Title shown</span>
          <input required value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.target.value })} />
        </label>
        <label>
          <span>Introduction</span>
          <input value={draft.intro} onChange={(e) => setDraft({ ...draft, intro: e.target.value })} />
        </label>
        <label>
          <span>New people become</span>
          <select value={draft.creates} onChange={(e) => setDraft({ ...draft, creates: e.target.value as Draft['creates'] })}>
            <option value="lead">leads</option>
            <option value="contact">contacts</option>
          </select>
        </label>
        <fieldset>
          <legend>Fields (email is always asked)</legend>
          {FIELD_CHOICES.map((choice) => {
            const field = draft.fields.find((f) => f.key === choice.key);
            return (
              <div key={choice.key}>
                <label className="check">
                  <input
                    type="checkbox"
                    checked={Boolean(field)}
                    onChange={(e) => toggleField(choice.key, choice.label, e.target.checked)}
                  />{' '}
                  {choice.label}
                </label>
                {field && (
                  <label className="check">
                    <input
                      type="checkbox"
                      checked={field.required}
                      onChange={(e) =>
                        setDraft({
                          ...draft,
                          fields: draft.fields.map((f) => (f.key === choice.key ? { ...f, required: e.target.checked } : f)),
                        })
                      }
                    />{' '}
                    required
                  </label>
                )}
              </div>
            );
          })}
        </fieldset>
        <fieldset>
          <legend>Consent checkboxes (unticked for the visitor)</legend>
          {draft.consents.map((consent, index) => (
            <div key={index} className="consent-row">
              <select
                aria-label={`Purpose ${index + 1}`}
                required
                value={consent.purposeId}
                onChange={(e) =>
                  setDraft({ ...draft, consents: draft.consents.map((c, i) => (i === index ? { ...c, purposeId: e.target.value } : c)) })
                }
              >
                <option value="">Purpose…</option>
                {consentPurposes.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
              <textarea
                aria-label={`Consent wording ${index + 1}`}
                required
                rows={2}
                value={consent.text}
                onChange={(e) =>
                  setDraft({ ...draft, consents: draft.consents.map((c, i) => (i === index ? { ...c, text: e.target.value } : c)) })
                }
              />
              {draft.consents.length > 1 && (
                <button
                  type="button"
                  className="link"
                  onClick={() => setDraft({ ...draft, consents: draft.consents.filter((_c, i) => i !== index) })}
                >
                  remove
                </button>
              )}
            </div>
          ))}
          <button
            type="button"
            className="secondary"
            onClick={() => setDraft({ ...draft, consents: [...draft.consents, { purposeId: '', text: '' }] })}
          >
            Add a consent
          </button>
        </fieldset>
        <label className="check">
          <input type="checkbox" checked={draft.doubleOptIn} onChange={(e) => setDraft({ ...draft, doubleOptIn: e.target.checked })} />{' '}
          Double opt-in (confirmation email)
        </label>
        <label>
          <span>Unconfirmed consents expire after (days)</span>
          <input
            type="number"
            min={1}
            max={90}
            value={draft.confirmWithinDays}
            onChange={(e) => setDraft({ ...draft, confirmWithinDays: Number(e.target.value) })}
          />
        </label>
        <label>
          <span>Privacy policy URL</span>
          <input type="url" required value={draft.policyUrl} onChange={(e) => setDraft({ ...draft, policyUrl: e.target.value })} />
        </label>
        <label>
          <span>Privacy policy version</span>
          <input required value={draft.policyVersion} onChange={(e) => setDraft({ ...draft, policyVersion: e.target.value })} />
        </label>
        <label>
          <span>Message after submitting</span>
          <input required value={draft.successMessage} onChange={(e) => setDraft({ ...draft, successMessage: e.target.value })} />
        </label>
        <div className="actions">
          <button type="submit">{draft.id ? 'Save (a live form gets a new version)' : 'Create form'}</button>
        </div>
        <ErrorMessage error={error} />
      </form>
      <Preview draft={draft} purposeName={(id) => purposes.find((p) => p.id === id)?.name ?? ''} />
    </div>
  );
}

/** Forms: list, builder with live preview, publishing, and the cookie banner. */
export function FormsPage() {
  const [forms, setForms] = useState<any[]>([]);
  const [editing, setEditing] = useState<Draft | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = () => void get<{ items: any[] }>('/api/v1/forms').then((page) => setForms(page.items), setError);
  useEffect(load, []);

  async function setStatus(form: any, status: string) {
    setError(null);
    try {
      await api('PATCH', `/api/v1/forms/${form.id}`, { status });
      load();
    } catch (caught) {
      setError(caught);
    }
  }
  return (
    <main className="wide">
      <header className="page-header">
        <h1>Forms</h1>
        <button onClick={() => setEditing({ ...NEW_FORM })}>New form</button>
      </header>
      <ErrorMessage error={error} />
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Status</th>
            <th>Version</th>
            <th>Submissions</th>
            <th>Links</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {forms.map((form) => (
            <tr key={form.id}>
              <td>{form.name}</td>
              <td>{form.status}</td>
              <td>v{form.version}</td>
              <td>{form.submissions}</td>
              <td>
                {form.status === 'live' ? (
                  <a href={form.publicUrl} target="_blank" rel="noreferrer">
                    hosted page
                  </a>
                ) : (
                  <span className="muted">not live</span>
                )}
                <div className="muted">POST JSON to {form.submitUrl}</div>
              </td>
              <td className="actions">
                <button className="secondary" onClick={() => setEditing(draftOf(form))}>
                  Edit
                </button>
                {form.status !== 'live' && <button onClick={() => setStatus(form, 'live')}>Go live</button>}
                {form.status === 'live' && (
                  <button className="secondary" onClick={() => setStatus(form, 'archived')}>
                    Close
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {editing && (
        <Builder
          initial={editing}
          onSaved={() => {
            setEditing(null);
            load();
          }}
        />
      )}
      <CookieBanner />
    </main>
  );
}

function CookieBanner() {
  const [banner, setBanner] = useState<any>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => void get('/api/v1/cookie-banner').then(setBanner, setError), []);
  if (!banner) return <ErrorMessage error={error} />;
  async function save(event: FormEvent) {
    event.preventDefault();
    try {
      setError(null);
      setBanner(
        await api('PUT', '/api/v1/cookie-banner', {
          text: banner.text,
          policyUrl: banner.policyUrl,
          allowedOrigins: banner.allowedOrigins,
        }),
      );
    } catch (caught) {
      setError(caught);
    }
  }
  return (
    <section aria-label="Cookie banner">
      <h2>Cookie banner</h2>
      <p className="muted">
        Categories are the active purposes with a cookie category: {banner.categories.map((c: any) => c.key).join(', ') || 'none yet'}. Put
        this on your pages: <code>{`<script src="${banner.scriptUrl}" async></script>`}</code>. Hold each script until its category is
        accepted by writing it as <code>{'<script type="text/plain" data-lawful-category="analytics" src="…"></script>'}</code>; the banner
        activates it after consent, never under Global Privacy Control for a category that sells or shares. Elements with{' '}
        <code>data-lawful-cookie-settings</code> reopen the banner.
      </p>
      <form className="inline" onSubmit={save}>
        <input aria-label="Banner text" value={banner.text} onChange={(e) => setBanner({ ...banner, text: e.target.value })} />
        <input
          aria-label="Policy URL"
          type="url"
          value={banner.policyUrl}
          onChange={(e) => setBanner({ ...banner, policyUrl: e.target.value })}
        />
        <input
          aria-label="Your sites (origins, comma-separated)"
          placeholder="https://www.example.org"
          value={banner.allowedOrigins.join(', ')}
          onChange={(e) =>
            setBanner({
              ...banner,
              allowedOrigins: e.target.value
                .split(',')
                .map((origin: string) => origin.trim())
                .filter(Boolean),
            })
          }
        />
        <button type="submit">Save</button>
      </form>
      <ErrorMessage error={error} />
    </section>
  );
}
