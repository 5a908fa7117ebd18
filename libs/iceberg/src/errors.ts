export enum IcebergErrorCode {
  CommitConflict = 'ICEBERG_COMMIT_CONFLICT',
  CommitStateUnknown = 'ICEBERG_COMMIT_STATE_UNKNOWN',
  TableNotFound = 'ICEBERG_TABLE_NOT_FOUND',
  TableAlreadyExists = 'ICEBERG_TABLE_ALREADY_EXISTS',
  NamespaceNotFound = 'ICEBERG_NAMESPACE_NOT_FOUND',
  RetriesExhausted = 'ICEBERG_RETRIES_EXHAUSTED',
  /** the catalog refused a request (REST catalog: an HTTP error other than the ones with their own code) */
  CatalogRequestFailed = 'ICEBERG_CATALOG_REQUEST_FAILED',
}

export class IcebergError extends Error {
  constructor(
    readonly code: IcebergErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'IcebergError';
  }
}

/** The table moved on since it was loaded: reload, re-apply, retry. Nothing of this attempt was committed. */
export class CommitConflictError extends IcebergError {
  constructor(message: string) {
    super(IcebergErrorCode.CommitConflict, message);
  }
}

/** The catalog may or may not have taken the commit (e.g. the connection dropped): files must be kept. */
export class CommitStateUnknownError extends IcebergError {
  constructor(message: string, cause: unknown) {
    super(IcebergErrorCode.CommitStateUnknown, message, { cause });
  }
}
