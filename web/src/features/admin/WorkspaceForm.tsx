import type { UseMutationResult } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { Schemas } from '../../api/client.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { labelOf } from '../../ui/labels.ts';

type Workspace = Schemas['Workspace'];
type Patch = Schemas['WorkspacePatch'];
const JURISDICTIONS: Array<Workspace['defaultJurisdiction']> = ['gdpr', 'uk_gdpr', 'ccpa', 'lgpd'];

export function WorkspaceForm({
  workspace,
  totpEnabled,
  save,
}: {
  workspace: Workspace;
  totpEnabled: boolean;
  save: UseMutationResult<Workspace, Error, Patch>;
}) {
  const [name, setName] = useState(workspace.name);
  const [jurisdiction, setJurisdiction] = useState(workspace.defaultJurisdiction);
  const [requireAdminTotp, setRequireAdminTotp] = useState(workspace.requireAdminTotp);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({ name, defaultJurisdiction: jurisdiction, requireAdminTotp });
  };
  return (
    <form className="stacked-form" aria-label="Workspace" onSubmit={submit}>
      <label>
        Name
        <input value={name} maxLength={200} required onChange={(event) => setName(event.target.value)} />
      </label>
      <label>
        Default jurisdiction
        <select value={jurisdiction} onChange={(event) => setJurisdiction(event.target.value as Workspace['defaultJurisdiction'])}>
          {JURISDICTIONS.map((code) => (
            <option key={code} value={code}>
              {labelOf(code)}
            </option>
          ))}
        </select>
        <span>For people whose country or region points to no profile, and requests from unknown addresses.</span>
      </label>
      <label className="checkbox">
        <input type="checkbox" checked={requireAdminTotp} onChange={(event) => setRequireAdminTotp(event.target.checked)} /> Require
        two-factor authentication of Administrators
      </label>
      {requireAdminTotp && !workspace.requireAdminTotp && !totpEnabled && (
        <p className="notice" role="alert">
          You have no two-factor authentication yet: once saved, you can only reach <a href="#/account">My account</a> until you set it up.
        </p>
      )}
      <button type="submit" disabled={save.isPending}>
        Save settings
      </button>
      <ErrorMessage error={save.error} />
      {save.isSuccess && <p role="status">Settings saved.</p>}
    </form>
  );
}
