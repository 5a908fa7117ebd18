/** Error codes of the event store. */
export enum EventStoreErrorCode {
  ConcurrencyConflict = 'EVENT_STREAM_CONFLICT',
}

/** Someone appended to the stream since the caller read it: reload and decide again. */
export class ConcurrencyConflict extends Error {
  readonly code = EventStoreErrorCode.ConcurrencyConflict;

  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
  ) {
    super(`stream ${streamId} changed since version ${expectedVersion}: reload it and try again`);
    this.name = 'ConcurrencyConflict';
  }
}
