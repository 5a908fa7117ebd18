/** A place in SQL text: `offset` is 0-based, `line` and `col` are 1-based. */
export interface SqlPosition {
  offset: number;
  line: number;
  col: number;
}

/** One problem found in SQL text. */
export interface SqlDiagnostic {
  message: string;
  hint?: string;
  /** where the problem starts, inside the SQL text given to the parser */
  position: SqlPosition;
}

/** Thrown inside the parser and caught at the public API, which never throws for bad SQL. */
export class SqlSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: SqlPosition,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'SqlSyntaxError';
  }

  toDiagnostic(): SqlDiagnostic {
    return this.hint === undefined ? { message: this.message, position: this.position } : { message: this.message, hint: this.hint, position: this.position };
  }
}
