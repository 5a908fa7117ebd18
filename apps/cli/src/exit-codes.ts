/** Exit codes every `matih` command keeps to. */
export const EXIT = {
  ok: 0,
  /** the command ran and found a problem: invalid definition, failed component, … */
  failure: 1,
  /** the command line itself is wrong */
  usage: 2,
  /** the registry refused: no valid token (401) or not allowed (403) */
  denied: 3,
  /** the registry (or another service) could not be reached */
  unreachable: 4,
} as const;
