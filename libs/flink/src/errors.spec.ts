import { exceptionChain, rootCauseMessage } from './errors';

const gatewayBody = [
  'Internal server error.',
  `<Exception on server side:
org.apache.flink.table.gateway.api.utils.SqlGatewayException: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.
\tat org.apache.flink.table.gateway.rest.handler.statement.FetchResultsHandler.handleRequest(FetchResultsHandler.java:91)
\t... 48 more
Caused by: org.apache.flink.table.gateway.service.utils.SqlExecutionException: Failed to execute the operation 3c1c.
\tat org.apache.flink.table.gateway.service.operation.OperationManager$Operation.processThrowable(OperationManager.java:414)
Caused by: org.apache.flink.table.api.ValidationException: SQL validation failed. From line 1, column 15 to line 1, column 20: Object 'clicks' not found
within 'matih'.'web'
\tat org.apache.flink.table.planner.calcite.FlinkPlannerImpl.validate(FlinkPlannerImpl.scala:200)
\t... 12 more
End of exception on server side>`,
];

describe('Flink error bodies', () => {
  it('reads the exception chain without stack frames, keeping multi-line messages', () => {
    expect(exceptionChain(gatewayBody)).toEqual([
      'org.apache.flink.table.gateway.api.utils.SqlGatewayException: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.',
      'org.apache.flink.table.gateway.service.utils.SqlExecutionException: Failed to execute the operation 3c1c.',
      "org.apache.flink.table.api.ValidationException: SQL validation failed. From line 1, column 15 to line 1, column 20: Object 'clicks' not found\nwithin 'matih'.'web'",
    ]);
  });

  it("surfaces the root cause as Flink's own message", () => {
    expect(rootCauseMessage(gatewayBody)).toBe(
      "SQL validation failed. From line 1, column 15 to line 1, column 20: Object 'clicks' not found\nwithin 'matih'.'web'",
    );
  });

  it('falls back to the first meaningful line when there is no exception', () => {
    expect(rootCauseMessage(['Internal server error.', 'Session abc does not exist'])).toBe('Session abc does not exist');
    expect(rootCauseMessage(['Job 42 not found'])).toBe('Job 42 not found');
  });
});
