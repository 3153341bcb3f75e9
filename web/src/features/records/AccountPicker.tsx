import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useDebounced } from '../../ui/useDebounced.ts';
import { accountApi } from './recordApis.ts';

/**
 * An account chosen from a search: the search box above, the matching accounts below it (the
 * current one kept in the list even when the search does not match it).
 */
export function AccountPicker({ id, value, onChange }: { id: string; value: string; onChange(value: string): void }) {
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim());
  const matches = useQuery({
    queryKey: ['accounts', 'picker', q],
    queryFn: ({ signal }) => accountApi.list({ q: q || undefined, limit: 50, sort: 'name' }, signal),
  });
  const current = useQuery({
    queryKey: ['accounts', value],
    queryFn: ({ signal }) => accountApi.get(value, signal),
    enabled: Boolean(value),
  });
  const options = matches.data?.items ?? [];
  if (current.data && !options.some((account) => account.id === current.data.id)) options.unshift(current.data);
  return (
    <span className="picker">
      <input
        type="search"
        aria-label="Search accounts"
        placeholder="Search accounts…"
        value={search}
        onChange={(event) => setSearch(event.target.value)}
      />
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">— none —</option>
        {options.map((account) => (
          <option key={account.id} value={account.id}>
            {account.name}
          </option>
        ))}
      </select>
    </span>
  );
}
