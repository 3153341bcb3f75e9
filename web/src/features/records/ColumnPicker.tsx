import { useState } from 'react';

interface Props {
  options: Array<{ key: string; label: string }>;
  /** The keys shown; empty: all of them. */
  value: string[];
  onChange(value: string[]): void;
}

/** Which of a list's columns are shown (the first, the record's name, always is). */
export function ColumnPicker({ options, value, onChange }: Props) {
  // The boxes are there only while it is open: closed, their labels do not stand among the page's fields.
  const [open, setOpen] = useState(false);
  const shown = (key: string) => value.length === 0 || value.includes(key);
  const toggle = (key: string) => {
    const current = value.length === 0 ? options.map((option) => option.key) : value;
    const next = current.includes(key) ? current.filter((other) => other !== key) : [...current, key];
    onChange(options.map((option) => option.key).filter((other) => next.includes(other)));
  };
  return (
    <details className="column-picker" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>Columns</summary>
      {open &&
        options.map((option) => (
          <label key={option.key} className="inline">
            <input type="checkbox" checked={shown(option.key)} onChange={() => toggle(option.key)} /> {option.label}
          </label>
        ))}
    </details>
  );
}
