/** Error codes of the Flink clients. */
export enum FlinkErrorCode {
  /** the SQL Gateway or JobManager answered with an error */
  Rejected = 'FLINK_REJECTED',
  /** Flink could not be reached at all */
  Unreachable = 'FLINK_UNREACHABLE',
  /** a statement ran and failed (its operation ended in ERROR) */
  StatementFailed = 'FLINK_STATEMENT_FAILED',
  Timeout = 'FLINK_TIMEOUT',
}

/**
 * An error from Flink, carrying Flink's own message: the root cause of the Java exception chain the
 * gateway returns (e.g. "Object 'clicks' not found within 'matih.web'"), not a bare HTTP status.
 */
export class FlinkError extends Error {
  constructor(
    readonly code: FlinkErrorCode,
    message: string,
    readonly detail: { readonly status?: number; readonly request?: string; readonly causes?: readonly string[] } = {},
  ) {
    super(message);
    this.name = 'FlinkError';
  }
}

const FRAME = /^\s+(at |\.\.\. \d+ more)/;
const CAUSE = /^(?:Caused by: )?([a-zA-Z_$][\w$]*(?:\.[a-zA-Z_$][\w$]*)+(?:Exception|Error)):?\s*(.*)$/;

/**
 * The exception chain in a gateway/JobManager error body (`{ errors: [summary, stackTrace] }`),
 * outermost first, as `ExceptionClass: message` lines without stack frames.
 */
export function exceptionChain(errors: readonly string[]): string[] {
  const chain: string[] = [];
  for (const block of errors) {
    let current: string | undefined;
    for (const line of block.split('\n')) {
      if (FRAME.test(line)) {
        current = undefined;
        continue;
      }
      const match = CAUSE.exec(line.trim());
      if (match) {
        current = `${match[1]}: ${match[2] ?? ''}`.trim();
        chain.push(current);
      } else if (current !== undefined && line.trim() !== '') {
        // a message that spans several lines
        current = `${current}\n${line.trim()}`;
        chain[chain.length - 1] = current;
      }
    }
  }
  return chain;
}

/** The most useful single message of an error body: the root cause, without the Java class name. */
export function rootCauseMessage(errors: readonly string[]): string {
  const chain = exceptionChain(errors);
  const root = chain.at(-1);
  if (root) {
    const text = root.slice(root.indexOf(':') + 1).trim();
    if (text) return text;
  }
  return errors.find((e) => e.trim() !== '' && e.trim() !== 'Internal server error.')?.split('\n')[0] ?? errors.join(' ');
}
