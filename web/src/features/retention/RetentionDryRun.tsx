import type { ResponseOf } from '../../api/client.ts';
import { dateOnly, labelOf } from '../../ui/labels.ts';
import { recordHref } from '../../ui/recordHref.ts';

type Preview = ResponseOf<'/api/v1/retention-rules/{id}/preview'>;

/** What a rule would take if it ran now, with the date since which each record has been idle. */
export function RetentionDryRun({ preview }: { preview: Preview }) {
  return (
    <section aria-label="Dry run">
      <h2>
        Dry run: {preview.items.length}
        {preview.more ? '+' : ''} record(s) would go
      </h2>
      <ul>
        {preview.items.map((item) => {
          const text = `${labelOf(item.type)} ${item.id.slice(0, 8)}`;
          const href = recordHref(item.type, item.id);
          return (
            <li key={item.id}>
              {href ? <a href={href}>{text}</a> : text} — idle since {dateOnly(item.since)}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
