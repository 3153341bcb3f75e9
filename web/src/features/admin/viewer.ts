import type { Role } from '../../ui/labels.ts';

/** Who is looking: what the screens need to offer only what the server would allow. */
export interface Viewer {
  memberId: string;
  role: Role;
  can: (action: string) => boolean;
}

/** Only Administrators make Administrators or DPOs (the server refuses it from anyone else). */
export const mayGrantAdministration = (viewer: Viewer) => viewer.role === 'administrator';
