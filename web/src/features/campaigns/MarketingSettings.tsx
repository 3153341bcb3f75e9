import { accepted } from '../../api/accepted.ts';
import { useState, type FormEvent } from 'react';
import { client, unwrap, type Schemas } from '../../api/client.ts';
import { usePageData } from '../../api/usePageData.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';

type Workspace = Schemas['Workspace'];
type Exception = Workspace['marketingExceptions'][number];

const draftOf = (workspace: Workspace) => ({
  senderName: workspace.senderName ?? '',
  senderEmail: workspace.senderEmail ?? '',
  postalAddress: workspace.postalAddress ?? '',
  marketingExceptions: workspace.marketingExceptions,
});

/**
 * Who campaign e-mails are from (required before a first send) and the B2B exceptions to the
 * opt-in rule the workspace relies on, each with its legal reference; off by default.
 */
export function MarketingSettings() {
  const { data, error, run } = usePageData(['workspace', 'marketing'], async (signal) => ({
    workspace: await unwrap(client.GET('/api/v1/workspace', { signal })),
    exceptions: (await unwrap(client.GET('/api/v1/jurisdictions', { signal }))).items.flatMap((jurisdiction) =>
      jurisdiction.marketing.exceptions.map((exception) => ({ ...exception, jurisdiction: jurisdiction.name })),
    ),
  }));
  // The form starts from the stored settings and keeps what is typed until saved.
  const [edited, setEdited] = useState<ReturnType<typeof draftOf> | null>(null);
  const [saved, setSaved] = useState(false);
  const draft = edited ?? (data ? draftOf(data.workspace) : null);
  const setDraft = (next: ReturnType<typeof draftOf>) => {
    setEdited(next);
    setSaved(false);
  };

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!draft) return;
    const body = {
      senderName: draft.senderName || null,
      senderEmail: draft.senderEmail || null,
      postalAddress: draft.postalAddress || null,
      marketingExceptions: draft.marketingExceptions,
    };
    if (!(await accepted(run(() => unwrap(client.PATCH('/api/v1/workspace', { body })))))) return;
    setEdited(null);
    setSaved(true);
  }
  if (!draft) return <ErrorMessage error={error} />;
  const enabled = draft.marketingExceptions;
  const exceptions = data?.exceptions ?? [];
  const toggle = (key: Exception, on: boolean) =>
    setDraft({ ...draft, marketingExceptions: on ? [...enabled, key] : enabled.filter((k) => k !== key) });

  return (
    <form className="record-form" aria-label="Marketing settings" onSubmit={(event) => void save(event)}>
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
