import { dateOnly, labelOf } from '../../ui/labels.ts';
import { CustomFieldValues } from '../custom-fields/CustomFieldValues.tsx';
import { useMembers } from '../members/useMembers.ts';
import { shownField } from './formValues.ts';
import { RecordLink } from './RecordLink.tsx';
import type { Field, ObjectSpec } from './objects.ts';
import type { CrmRecord, RecordBody } from './recordApis.ts';
import { InlineField } from './InlineField.tsx';

interface Props<R extends CrmRecord> {
  spec: ObjectSpec<R>;
  record: R;
  /** Saves one field edited in place; without it the fields are read only. */
  onSave?(body: RecordBody): Promise<unknown>;
}

/** A record's standard fields (each editable in place), custom fields and source, as read on its page. */
export function RecordFields<R extends CrmRecord>({ spec, record, onSave }: Props<R>) {
  const { nameOf } = useMembers();
  const shown = (field: Field<R>, value: unknown) =>
    field.type === 'member' && typeof value === 'string'
      ? nameOf(value) || '…'
      : field.type === 'select' && typeof value === 'string'
        ? labelOf(value)
        : shownField(value);
  return (
    <dl className="fields">
      {spec.fields.map((field) => {
        const value = record[field.key];
        return (
          <div key={field.key}>
            <dt>{field.label.replace(/ \(.*\)$/, '')}</dt>
            <dd>
              {field.type === 'account' && typeof value === 'string' ? (
                <>
                  <RecordLink record={{ type: 'account', id: value }} />
                  {onSave && (
                    <InlineField field={field} value={value} onSave={(next) => onSave({ [field.key]: next })}>
                      change
                    </InlineField>
                  )}
                </>
              ) : onSave ? (
                <InlineField field={field} value={value} onSave={(next) => onSave({ [field.key]: next })}>
                  {shown(field, value)}
                </InlineField>
              ) : (
                shown(field, value)
              )}
            </dd>
          </div>
        );
      })}
      <CustomFieldValues object={spec.recordType} values={record.custom} />
      {'provenance' in record && (
        <div>
          <dt>Source</dt>
          <dd>
            {labelOf(record.provenance.sourceType)}
            {record.provenance.sourceRef ? ` (${record.provenance.sourceRef})` : ''}, collected {dateOnly(record.provenance.collectedAt)}
          </dd>
        </div>
      )}
    </dl>
  );
}
