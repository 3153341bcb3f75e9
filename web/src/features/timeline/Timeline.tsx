import { accepted } from '../../api/accepted.ts';
import { useState, type FormEvent } from 'react';
import { client, unwrap, type Schemas } from '../../api/client.ts';
import { usePageData } from '../../api/usePageData.ts';
import { useRoute } from '../../router.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { dateTime, labelOf } from '../../ui/labels.ts';

type RecordRef = Schemas['RecordRef'];
type NoteKind = Schemas['Note']['kind'];
const KINDS: NoteKind[] = ['note', 'call', 'email', 'meeting'];

interface Props {
  recordType: RecordRef['type'];
  recordId: string;
}

/**
 * Notes, calls, emails and meetings on one record, newest first. #/contacts/123/log-call (the
 * palette's "Log call on …") opens it ready for a call, even on the record's page already open.
 */
export function Timeline(props: Props) {
  const loggingCall = useRoute().at(-1) === 'log-call';
  return <RecordTimeline key={loggingCall ? 'call' : 'note'} {...props} loggingCall={loggingCall} />;
}

function RecordTimeline({ recordType, recordId, loggingCall }: Props & { loggingCall: boolean }) {
  const [body, setBody] = useState('');
  const [kind, setKind] = useState<NoteKind>(loggingCall ? 'call' : 'note');
  const { data, error, run } = usePageData(['notes', recordType, recordId], (signal) =>
    unwrap(client.GET('/api/v1/notes', { params: { query: { recordType, recordId, limit: 100 } }, signal })),
  );
  async function add(event: FormEvent) {
    event.preventDefault();
    if (
      await accepted(run(() => unwrap(client.POST('/api/v1/notes', { body: { kind, body, record: { type: recordType, id: recordId } } }))))
    )
      setBody('');
  }
  const notes = data?.items ?? [];
  return (
    <section aria-label="Timeline">
      <h2>Timeline</h2>
      <form className="inline" onSubmit={(event) => void add(event)}>
        <select aria-label="Activity type" value={kind} onChange={(event) => setKind(event.target.value as NoteKind)}>
          {KINDS.map((option) => (
            <option key={option} value={option}>
              {labelOf(option)}
            </option>
          ))}
        </select>
        <input
          aria-label="Note"
          placeholder="Log a note, call, email or meeting…"
          autoFocus={loggingCall}
          value={body}
          onChange={(event) => setBody(event.target.value)}
          required
        />
        <button type="submit">Add</button>
      </form>
      <ErrorMessage error={error} />
      <ol className="timeline">
        {notes.map((note) => (
          <li key={note.id}>
            <span className="badge">{note.kind}</span> <time dateTime={note.occurredAt}>{dateTime(note.occurredAt)}</time>
            <p>{note.body}</p>
          </li>
        ))}
        {data && notes.length === 0 && <li className="muted">Nothing logged yet.</li>}
      </ol>
    </section>
  );
}
