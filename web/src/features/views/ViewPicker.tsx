import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmButton } from '../../ui/ConfirmButton.tsx';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { SaveViewDialog } from './SaveViewDialog.tsx';
import { removeView, useViews, type View, type ViewObject } from './useViews.ts';

interface Props {
  object: ViewObject;
  current: View | null;
  onPick(view: View | null): void;
  /** The list as shown now, to save as a view. */
  shown: Pick<View, 'filters' | 'sort' | 'columns'>;
}

/** Chooses the view a list shows (its filters, order and columns), saves the list as a view, removes one. */
export function ViewPicker({ object, current, onPick, shown }: Props) {
  const { views, error } = useViews(object);
  const queryClient = useQueryClient();
  const [failure, setFailure] = useState<unknown>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['views', object] });
  return (
    <div className="view-picker">
      <select
        aria-label="View"
        value={current?.id ?? ''}
        onChange={(event) => onPick(views.find((view) => view.id === event.target.value) ?? null)}
      >
        <option value="">All records</option>
        {views.map((view) => (
          <option key={view.id} value={view.id}>
            {view.name}
            {view.shared && !view.builtIn ? ' (shared)' : ''}
          </option>
        ))}
      </select>
      <SaveViewDialog
        object={object}
        shown={shown}
        onSaved={(view) => {
          void refresh();
          onPick(view);
        }}
      />
      {current?.editable && (
        <ConfirmButton
          label="Remove view"
          title={`Remove the view "${current.name}"?`}
          confirmLabel="Remove"
          tone="secondary"
          onConfirm={() =>
            void removeView(current.id).then(
              () => (onPick(null), refresh()),
              (reason: unknown) => setFailure(reason),
            )
          }
        >
          <p>
            {current.shared ? 'It is shared: it goes for everyone in the workspace.' : 'Only you had it.'} The records stay as they are.
          </p>
        </ConfirmButton>
      )}
      <ErrorMessage error={error ?? failure} />
    </div>
  );
}
