import { useEffect, useState, type FormEvent } from 'react';
import { get, patch } from '../../api.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';

interface Workspace {
  senderName: string | null;
  senderEmail: string | null;
  postalAddress: string | null;
  marketingExceptions: string[];
}

interface Exception {
  key: string;
  title: string;
  text: string;
  reference: string;
  countries: string[];
}

interface Jurisdiction {
  key: string;
  name: string;
  marketing: { regime: string; reference: string; softOptIn: string | null; exceptions: Exception[] };
}

/**
 * Who campaign e-mails are from (required before a first send) and the B2B exceptions to the
 * opt-in rule the workspace relies on, each with its legal reference; off by default.
 */
export function MarketingSettings() {
  const [draft, setDraft] = useState({ senderName: '', senderEmail: '', postalAddress: '' });
  const [enabled, setEnabled] = useState<string[]>([]);
  const [exceptions, setExceptions] = useState<Array<Exception & { jurisdiction: string }>>([]);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const show = (workspace: Workspace) => {
    setDraft({
      senderName: workspace.senderName ?? '',
      senderEmail: workspace.senderEmail ?? '',
      postalAddress: workspace.postalAddress ?? '',
    });
    setEnabled(workspace.marketingExceptions);
  };
  useEffect(() => {
    get<Workspace>('/api/v1/workspace').then(show, setError);
    get<{ items: Jurisdiction[] }>('/api/v1/jurisdictions').then(
      (page) =>
        setExceptions(
          page.items.flatMap((jurisdiction) =>
            jurisdiction.marketing.exceptions.map((exception) => ({ ...exception, jurisdiction: jurisdiction.name })),
          ),
        ),
      setError,
    );
  }, []);

  async function save(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setSaved(false);
    try {
      show(
        await patch<Workspace>('/api/v1/workspace', {
          senderName: draft.senderName || null,
          senderEmail: draft.senderEmail || null,
          postalAddress: draft.postalAddress || null,
          marketingExceptions: enabled,
        }),
      );
      setSaved(true);
    } catch (caught) {
      setError(caught);
    }
  }
  const toggle = (key: string, on: boolean) => setEnabled(on ? [...enabled, key] : enabled.filter((k) => k !== key));

  return (
    <form className="record-form" aria-label="Marketing settings" onSubmit={save}>
      <h2>Sender and marketing rules</h2>
      <p className="muted">
        Every campaign e-mail names its sender and carries a postal address (Directive 2000/31/EC Art. 6; CAN-SPAM). Required before a first
        send.
      </p>
      <label>
        <span>Sender name</span>
        <input value={draft.senderName} onChange={(e) => setDraft({ ...draft, senderName: e.target.value })} />
      </label>
      <label>
        <span>Sender address</span>
        <input type="email" value={draft.senderEmail} onChange={(e) => setDraft({ ...draft, senderEmail: e.target.value })} />
      </label>
      <label>
        <span>Postal address</span>
        <textarea rows={2} value={draft.postalAddress} onChange={(e) => setDraft({ ...draft, postalAddress: e.target.value })} />
      </label>
      <fieldset>
        <legend>B2B exceptions to the opt-in rule</legend>
        {exceptions.map((exception) => (
          <label key={exception.key} className="check">
            <input type="checkbox" checked={enabled.includes(exception.key)} onChange={(e) => toggle(exception.key, e.target.checked)} />{' '}
            {exception.title}{' '}
            <span className="muted">
              ({exception.jurisdiction}, {exception.countries.join(', ')}; {exception.reference})
            </span>
            <div className="muted">{exception.text}</div>
          </label>
        ))}
      </fieldset>
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="submit">Save settings</button>
        {saved && <span role="status">Saved.</span>}
      </div>
    </form>
  );
}
