/** Exit codes every `matih` command keeps to. */
export const EXIT = {
  ok: 0,
  /** the command ran and found a problem: invalid definition, failed component, … */
  failure: 1,
  /** the command line itself is wrong */
  usage: 2,
} as const;
