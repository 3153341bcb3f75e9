import { labelOf } from '../../ui/labels.ts';
import { OwnerFilter } from '../members/OwnerFilter.tsx';
import type { FilterSpec } from '../records/objects.ts';
import type { ListFilters } from '../records/recordApis.ts';
import { ConsentFilter } from './ConsentFilter.tsx';
import { CustomFieldFilter } from './CustomFieldFilter.tsx';
import type { ViewObject } from './useViews.ts';

interface Props {
  object: ViewObject;
  specs: FilterSpec[];
  people: boolean;
  value: ListFilters;
  onChange(value: ListFilters): void;
}

/** A day as the server takes an instant: its start in UTC. */
const startOfDay = (day: string) => (day ? `${day}T00:00:00.000Z` : '');

/** The filters of a list, each one a field; emptying a field removes its filter. */
export function FilterBar({ object, specs, people, value, onChange }: Props) {
  const set = (key: string, next: string | number) => {
    const { [key]: _removed, ...rest } = value;
    onChange(next === '' ? rest : { ...rest, [key]: next });
  };
  const text = (key: string) => String(value[key] ?? '');
  return (
    <fieldset className="filters">
      <legend>Filters</legend>
      {specs.map((spec) => {
        const id = `filter-${spec.key}`;
        return (
          <span key={spec.key} className="filter">
            <label htmlFor={id}>{spec.label}</label>
            {spec.type === 'owner' ? (
              <OwnerFilter id={id} value={text(spec.key)} onChange={(next) => set(spec.key, next)} anyone="Anyone" />
            ) : spec.type === 'select' ? (
              <select id={id} value={text(spec.key)} onChange={(event) => set(spec.key, event.target.value)}>
                <option value="">Any</option>
                {spec.options?.map((option) => (
                  <option key={option} value={option}>
                    {labelOf(option)}
                  </option>
                ))}
              </select>
            ) : spec.type === 'instant' ? (
              <input
                id={id}
                type="date"
                value={text(spec.key).slice(0, 10)}
                onChange={(event) => set(spec.key, startOfDay(event.target.value))}
              />
            ) : spec.type === 'date' ? (
              <input id={id} type="date" value={text(spec.key)} onChange={(event) => set(spec.key, event.target.value)} />
            ) : spec.type === 'days' ? (
              <input
                id={id}
                type="number"
                min={1}
                max={3650}
                value={text(spec.key)}
                onChange={(event) => set(spec.key, event.target.value === '' ? '' : Number(event.target.value))}
              />
            ) : (
              <input id={id} value={text(spec.key)} maxLength={100} onChange={(event) => set(spec.key, event.target.value)} />
            )}
          </span>
        );
      })}
      {people && <ConsentFilter value={value} onChange={onChange} />}
      <CustomFieldFilter object={object} value={value} onChange={onChange} />
    </fieldset>
  );
}
