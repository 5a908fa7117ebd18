export type Role = 'viewer' | 'editor' | 'admin';

/** Who is calling: resolved from the bearer token. */
export interface Principal {
  readonly name: string;
  readonly role: Role;
  /** the team an editor edits for (`metadata.owner` of the pipelines they may change) */
  readonly team: string | null;
}

/** Admins change everything; editors change their own team's pipelines; viewers only read. */
export function mayChange(principal: Principal, owner: string): boolean {
  return principal.role === 'admin' || (principal.role === 'editor' && principal.team === owner);
}

export const SYSTEM = (service: string): Principal => ({ name: `service:${service}`, role: 'admin', team: null });
