import { useQuery } from '@tanstack/react-query';
import type { ObjectSpec } from './objects.ts';
import type { CrmRecord, ListQuery } from './recordApis.ts';

interface Props<R extends CrmRecord> {
  title: string;
  spec: ObjectSpec<R>;
  filter: Pick<ListQuery, 'accountId' | 'contactId' | 'opportunityId'>;
  /** What follows a record's name: a deal's stage and amount. */
  detail?(record: R): string;
}

/** The records linked to the one shown (an account's contacts, a contact's deals), named and linked. */
export function RelatedList<R extends CrmRecord>({ title, spec, filter, detail }: Props<R>) {
  const related = useQuery({
    queryKey: [spec.path, 'related', filter],
    queryFn: ({ signal }) => spec.api.list({ ...filter, limit: 100 }, signal),
  });
  const items = related.data?.items ?? [];
  const more = related.data?.nextCursor ? '100+' : String(items.length);
  return (
    <section aria-label={title}>
      <h2>
        {title} ({related.isPending ? '…' : more})
      </h2>
      <ul>
        {items.map((item) => (
          <li key={item.id}>
            <a href={`#/${spec.path}/${item.id}`}>{spec.title(item)}</a>
            {detail && <span className="muted"> · {detail(item)}</span>}
          </li>
        ))}
        {!related.isPending && items.length === 0 && <li className="muted">None.</li>}
        {related.isError && <li className="error">Could not load the {title.toLowerCase()}.</li>}
      </ul>
    </section>
  );
}
