import { Marked } from '../../ui/Marked.tsx';
import { useMembers } from '../members/useMembers.ts';
import type { ObjectSpec } from './objects.ts';
import type { CrmRecord } from './recordApis.ts';

interface Props<R extends CrmRecord> {
  spec: ObjectSpec<R>;
  items: R[];
  /** The column keys shown after the name, owner included. */
  shown: (key: string) => boolean;
  selected: ReadonlySet<string>;
  onSelect(ids: string[], selected: boolean): void;
}

/** The rows of a list, each with a box to select it for a bulk action; the header's box selects the page. */
export function RecordTable<R extends CrmRecord>({ spec, items, shown, selected, onSelect }: Props<R>) {
  const { nameOf } = useMembers();
  const [name, ...others] = spec.columns;
  const columns = others.filter((column) => shown(column.key));
  const allSelected = items.length > 0 && items.every((item) => selected.has(item.id));
  return (
    <table aria-label={spec.label}>
      <thead>
        <tr>
          <th className="select">
            <input
              type="checkbox"
              aria-label="Select all on this page"
              checked={allSelected}
              onChange={(event) =>
                onSelect(
                  items.map((item) => item.id),
                  event.target.checked,
                )
              }
            />
          </th>
          <th>{name!.label}</th>
          {columns.map((column) => (
            <th key={column.key}>{column.label}</th>
          ))}
          {shown('owner') && <th>Owner</th>}
        </tr>
      </thead>
      <tbody>
        {items.map((item) => {
          const title = name!.value(item);
          return (
            <tr key={item.id} className={selected.has(item.id) ? 'selected' : undefined}>
              <td className="select">
                <input
                  type="checkbox"
                  aria-label={`Select ${title || 'this record'}`}
                  checked={selected.has(item.id)}
                  onChange={(event) => onSelect([item.id], event.target.checked)}
                />
              </td>
              <td>
                <a href={`#/${spec.path}/${item.id}`}>{title ? <Marked text={title} ranges={spec.marks?.(item) ?? []} /> : '(unnamed)'}</a>
              </td>
              {columns.map((column) => (
                <td key={column.key}>{column.value(item)}</td>
              ))}
              {shown('owner') && <td>{nameOf(item.ownerId)}</td>}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
