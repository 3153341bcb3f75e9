import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { client, unwrap, type Schemas } from '../../api/client.ts';
import { usePagedList } from '../../api/pages.ts';
import { useRoute } from '../../router.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { LoadMore } from '../../ui/LoadMore.tsx';
import { useMembers } from '../members/useMembers.ts';
import { dateTime, labelOf } from '../../ui/labels.ts';

type RecordRef = Schemas['RecordRef'];
type NoteKind = Schemas['Note']['kind'];
const KINDS: NoteKind[] = ['note', 'call', 'email', 'meeting'];

interface Props {
  recordType: RecordRef['type'];
  recordId: string;
}

/**
 * Everything that happened to one record, newest first (server: src/timeline): notes, calls,
 * e-mails and meetings logged, tasks set and done, stage changes, consent, e-mails sent and sync,
 * each with who did it. #/contacts/123/log-call (the palette's "Log call on …") opens it ready
 * for a call, even on the record's page already open.
 */
export function Timeline(props: Props) {
  const loggingCall = useRoute().at(-1) === 'log-call';
  return <RecordTimeline key={loggingCall ? 'call' : 'note'} {...props} loggingCall={loggingCall} />;
}

function RecordTimeline({ recordType, recordId, loggingCall }: Props & { loggingCall: boolean }) {
  const [body, setBody] = useState('');
  const [kind, setKind] = useState<NoteKind>(loggingCall ? 'call' : 'note');
  const queryClient = useQueryClient();
  const { nameOf } = useMembers();
  const timeline = usePagedList(['timeline', recordType, recordId], async (before, signal) => {
    const page = await unwrap(client.GET('/api/v1/timeline', { params: { query: { recordType, recordId, before, limit: 50 } }, signal }));
    return { items: page.items, nextCursor: page.nextBefore };
  });
  const log = useMutation({
    mutationFn: () => unwrap(client.POST('/api/v1/notes', { body: { kind, body, record: { type: recordType, id: recordId } } })),
    onSuccess: () => setBody(''),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['timeline', recordType, recordId] }),
  });
  function add(event: FormEvent) {
    event.preventDefault();
    log.mutate();
  }
  return (
    <section aria-label="Timeline">
      <h2>Timeline</h2>
      <form className="inline" onSubmit={add}>
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
        <button type="submit" disabled={log.isPending}>
          Add
        </button>
      </form>
      <ErrorMessage error={log.error ?? timeline.error} />
      <ol className="timeline">
        {timeline.items.map((item) => (
          <li key={item.id} className={`timeline-${item.kind}`}>
            <span className="badge">{KIND_LABELS[item.kind]}</span> <time dateTime={item.at}>{dateTime(item.at)}</time>{' '}
            <span className="muted">{actorOf(item, nameOf)}</span>
            {item.body === null ? <p>{item.title}</p> : <p>{item.body}</p>}
          </li>
        ))}
        {!timeline.isPending && timeline.items.length === 0 && <li className="muted">Nothing logged yet.</li>}
      </ol>
      <LoadMore hasMore={timeline.hasMore} loading={timeline.loadingMore} onClick={timeline.loadMore} />
    </section>
  );
}

type Item = Schemas['TimelineItem'];

const KIND_LABELS: Record<Item['kind'], string> = {
  note: 'note',
  call: 'call',
  email: 'email',
  meeting: 'meeting',
  task_created: 'task',
  task_done: 'done',
  stage_change: 'stage',
  consent: 'consent',
  email_sent: 'sent',
  sync: 'sync',
};

/** Who did it: a member by name, else the system or the person themselves. */
function actorOf(item: Item, nameOf: (id: string) => string): string {
  if (item.actorType === 'member' && item.actorId) return `by ${nameOf(item.actorId) || 'a former member'}`;
  if (item.actorType === 'api_token') return 'by an API token';
  if (item.actorType === 'data_subject') return 'by the person';
  return 'by the system';
}
