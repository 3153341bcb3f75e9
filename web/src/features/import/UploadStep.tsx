import type { Delimiter, OnDuplicate } from './types.ts';

const ON_DUPLICATE: Array<{ value: OnDuplicate; label: string }> = [
  { value: 'skip', label: 'Skip them (keep the records as they are)' },
  { value: 'fill-empty', label: "Fill the records' empty fields only" },
  { value: 'update', label: "Update the records with the file's values" },
];
const ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252', 'iso-8859-1', 'iso-8859-15', 'macintosh'];
const DELIMITERS: Delimiter[] = ['comma', 'semicolon', 'tab', 'pipe'];

interface Props {
  onDuplicate: OnDuplicate;
  encoding: string;
  delimiter: Delimiter | '';
  onChange: (next: { file?: File; onDuplicate?: OnDuplicate; encoding?: string; delimiter?: Delimiter | '' }) => void;
}

/** The file and how to read it: detected unless the user says otherwise. */
export function UploadStep({ onDuplicate, encoding, delimiter, onChange }: Props) {
  return (
    <fieldset className="import-upload">
      <legend>File</legend>
      <label>
        CSV file
        <input
          type="file"
          accept=".csv,text/csv"
          onChange={(event) => event.target.files?.[0] && onChange({ file: event.target.files[0] })}
        />
      </label>
      <label>
        Rows matching an existing record
        <select value={onDuplicate} onChange={(event) => onChange({ onDuplicate: event.target.value as OnDuplicate })}>
          {ON_DUPLICATE.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Encoding
        <select value={encoding} onChange={(event) => onChange({ encoding: event.target.value })}>
          <option value="">Detect</option>
          {ENCODINGS.map((name) => (
            <option key={name}>{name}</option>
          ))}
        </select>
      </label>
      <label>
        Delimiter
        <select value={delimiter} onChange={(event) => onChange({ delimiter: event.target.value as Delimiter | '' })}>
          <option value="">Detect</option>
          {DELIMITERS.map((name) => (
            <option key={name}>{name}</option>
          ))}
        </select>
      </label>
    </fieldset>
  );
}
