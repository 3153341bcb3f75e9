import { labelOf } from './labels.ts';

/** A page the member's role does not open: says so, and what would open it, instead of a failed request. */
export function Forbidden({ title, role, permission }: { title: string; role: string; permission: string }) {
  return (
    <main>
      <h1>{title}</h1>
      <p role="alert">
        Your role ({labelOf(role)}) does not give access to this page: it needs the “{permission}” permission. An Administrator can change
        your role under Members.
      </p>
    </main>
  );
}
