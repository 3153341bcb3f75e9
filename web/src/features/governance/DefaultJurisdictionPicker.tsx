import type { Schemas } from '../../api/client.ts';

type Key = NonNullable<Schemas['WorkspacePatch']['defaultJurisdiction']>;

const CHOICES: Array<[Key, string]> = [
  ['gdpr', 'GDPR (EU/EEA)'],
  ['uk_gdpr', 'UK GDPR'],
  ['ccpa', 'CCPA/CPRA (California)'],
  ['lgpd', 'LGPD (Brazil)'],
];

/** The profile applied to people whose residence points to none. */
export function DefaultJurisdictionPicker({ value, onChange }: { value: string; onChange(key: Key): void }) {
  return (
    <label>
      <span>Workspace default (for people whose residence points to no profile)</span>
      <select aria-label="Default jurisdiction" value={value} onChange={(e) => onChange(e.target.value as Key)}>
        {CHOICES.map(([key, label]) => (
          <option key={key} value={key}>
            {label}
          </option>
        ))}
      </select>
    </label>
  );
}
