import type { ReactNode } from 'react';

/** A labelled form control: the label names the control for assistive technology. */
export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label>
      <span>{label}</span>
      {children}
    </label>
  );
}
