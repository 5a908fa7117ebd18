/** One reason a definition cannot be compiled, at a path of the definition (`transformations[0].sql`, `sinks.lake`). */
export interface PlanDiagnostic {
  path: string | null;
  message: string;
  /** what to change */
  hint?: string;
}

/** Thrown inside the planner, caught at `compilePlan`, which never throws for a bad definition. */
export class PlanError extends Error {
  constructor(readonly diagnostics: PlanDiagnostic[]) {
    super(diagnostics.map(formatPlanDiagnostic).join('\n'));
    this.name = 'PlanError';
  }
}

/** `path: message (hint)` — one line, as the CLI prints it and `compilation.failed` carries it. */
export function formatPlanDiagnostic(d: PlanDiagnostic): string {
  return `${d.path ? `${d.path}: ` : ''}${d.message}${d.hint ? ` (${d.hint})` : ''}`;
}
