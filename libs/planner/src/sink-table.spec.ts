import { sinkTableMismatches } from './sink-table';

describe('an existing table a sink writes', () => {
  const sink = { columns: [{ name: 'user_id', type: 'string', required: false }, { name: 'n', type: 'int', required: false }, { name: 'amount', type: 'decimal(10,2)', required: false }] };

  it('takes the sink when it has every column, in the same or a wider type', () => {
    const fields = [
      { id: 1, name: 'user_id', required: false, type: 'string' as const },
      { id: 2, name: 'n', required: false, type: 'long' as const },
      { id: 3, name: 'amount', required: false, type: 'decimal(12,2)' as const },
      { id: 4, name: 'extra', required: false, type: 'string' as const },
    ];
    expect(sinkTableMismatches(sink, fields)).toEqual([]);
  });

  it('names every column it lacks, holds narrower, or requires without the sink writing it', () => {
    const fields = [
      { id: 1, name: 'n', required: false, type: 'string' as const },
      { id: 2, name: 'amount', required: false, type: 'decimal(8,2)' as const },
      { id: 3, name: 'id', required: true, type: 'long' as const },
    ];
    expect(sinkTableMismatches(sink, fields)).toEqual([
      'it has no column `user_id`',
      'its column `n` is string, the pipeline writes int',
      'its column `amount` is decimal(8,2), the pipeline writes decimal(10,2)',
      'its required column `id` is not written by the pipeline',
    ]);
  });
});
