import { accepted } from '../../api/accepted.ts';
import { useState, type FormEvent } from 'react';
import type { BodyOf, Schemas } from '../../api/client.ts';

const EMPTY = { name: '', subject: '', body: 'Hello {{firstName}},\n\n' };

/** The e-mail templates campaigns send, and a form for a new one. */
export function TemplatesPanel({
  templates,
  onSubmit,
}: {
  templates: Array<Schemas['Template']>;
  onSubmit(template: BodyOf<'/api/v1/email-templates'>): Promise<unknown>;
}) {
  const [template, setTemplate] = useState(EMPTY);
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (await accepted(onSubmit(template))) setTemplate(EMPTY);
  }
  return (
    <form className="record-form" aria-label="New template" onSubmit={(event) => void submit(event)}>
      <h2>Templates</h2>
      <ul>
        {templates.map((t) => (
          <li key={t.id}>{t.name}</li>
        ))}
      </ul>
      <label>
        <span>Name</span>
        <input required value={template.name} onChange={(e) => setTemplate({ ...template, name: e.target.value })} />
      </label>
      <label>
        <span>Subject</span>
        <input required value={template.subject} onChange={(e) => setTemplate({ ...template, subject: e.target.value })} />
      </label>
      <label>
        <span>
          Text ({'{{firstName}}'}, {'{{lastName}}'}, {'{{email}}'}; unsubscribe and privacy links are added)
        </span>
        <textarea required rows={5} value={template.body} onChange={(e) => setTemplate({ ...template, body: e.target.value })} />
      </label>
      <div className="actions">
        <button type="submit">Save template</button>
      </div>
    </form>
  );
}
