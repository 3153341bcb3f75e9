import { useState } from 'react';
import { useCustomFields } from '../custom-fields/useCustomFields.ts';
import type { ListFilters } from '../records/recordApis.ts';
import type { ViewObject } from './useViews.ts';

/**
 * A custom field equal to a value (custom=key:value). Personal fields are stored encrypted and
 * cannot be filtered on, so they are not offered.
 */
export function CustomFieldFilter({
  object,
  value,
  onChange,
}: {
  object: ViewObject;
  value: ListFilters;
  onChange(value: ListFilters): void;
}) {
  const fields = useCustomFields(object).fields.filter((field) => !field.personal);
  // The field chosen before its value is: no filter yet, but the choice stays on screen.
  const [picked, setPicked] = useState('');
  if (fields.length === 0) return null;
  const { custom, ...rest } = value;
  // Saved through the API, a view may hold several custom filters: this field edits the first.
  const [filtered = '', ...parts] = String([custom ?? ''].flat()[0] ?? '').split(':');
  const key = filtered || picked;
  const wanted = parts.join(':');
  const field = fields.find((candidate) => candidate.key === key);
  const change = (nextKey: string, nextValue: string) =>
    onChange(nextKey && nextValue ? { ...rest, custom: `${nextKey}:${nextValue}` } : rest);
  return (
    <span className="filter">
      <label htmlFor="filter-custom">Custom field</label>
      <span className="inline">
        <select
          id="filter-custom"
          value={key}
          onChange={(event) => {
            setPicked(event.target.value);
            change(event.target.value, wanted);
          }}
        >
          <option value="">—</option>
          {fields.map((candidate) => (
            <option key={candidate.key} value={candidate.key}>
              {candidate.label}
            </option>
          ))}
        </select>
        {field?.options.length ? (
          <select aria-label={`${field.label} is`} value={wanted} onChange={(event) => change(key, event.target.value)}>
            <option value="">any</option>
            {field.options.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
        ) : (
          <input aria-label="Custom field value" value={wanted} disabled={!key} onChange={(event) => change(key, event.target.value)} />
        )}
      </span>
    </span>
  );
}
