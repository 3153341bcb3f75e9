interface Props {
  columns: string[];
  fields: string[];
  /** Column → field as it stands ('' or absent: left out). */
  mapping: Record<string, string>;
  onChange: (column: string, field: string) => void;
}

/** Each column of the file and the field it goes into, the server's guess first. */
export function MappingTable({ columns, fields, mapping, onChange }: Props) {
  return (
    <table aria-label="Column mapping">
      <thead>
        <tr>
          <th>Column in the file</th>
          <th>Field</th>
        </tr>
      </thead>
      <tbody>
        {columns.map((column) => (
          <tr key={column}>
            <td>{column}</td>
            <td>
              <select
                aria-label={`Field for ${column}`}
                value={mapping[column] ?? ''}
                onChange={(event) => onChange(column, event.target.value)}
              >
                <option value="">— leave out —</option>
                {fields.map((field) => (
                  <option key={field}>{field}</option>
                ))}
              </select>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
