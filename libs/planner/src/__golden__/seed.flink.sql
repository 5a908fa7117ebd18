-- matih/realtime-clickstream/7d0c4b1e-2f3a-4c5d-8e9f-0a1b2c3d4e5f

SET 'execution.runtime-mode' = 'streaming';

SET 'execution.checkpointing.interval' = '60000ms';

SET 'execution.checkpointing.mode' = 'EXACTLY_ONCE';

SET 'execution.checkpointing.externalized-checkpoint-retention' = 'RETAIN_ON_CANCELLATION';

SET 'parallelism.default' = '4';

SET 'pipeline.name' = 'matih/realtime-clickstream/7d0c4b1e-2f3a-4c5d-8e9f-0a1b2c3d4e5f';

SET 'table.local-time-zone' = 'UTC';

CREATE CATALOG IF NOT EXISTS `analytics` WITH (
  'type' = 'iceberg',
  'catalog-impl' = 'org.apache.iceberg.jdbc.JdbcCatalog',
  'uri' = 'jdbc:postgresql://127.0.0.1:15432/matih',
  'jdbc.user' = 'matih',
  'jdbc.password' = '${env:MATIH_ICEBERG_JDBC_PASSWORD}',
  'jdbc.schema-version' = 'V1',
  'warehouse' = 'file:///var/lib/matih/stack/iceberg/warehouse'
);

CREATE DATABASE IF NOT EXISTS `analytics`.`web`;

CREATE TEMPORARY TABLE `clickstream` (
  `key` STRING,
  `value` STRING,
  `event_timestamp` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
  `topic` STRING METADATA FROM 'topic' VIRTUAL,
  `partition` INT METADATA FROM 'partition' VIRTUAL,
  `offset` BIGINT METADATA FROM 'offset' VIRTUAL,
  `headers` MAP<STRING, BYTES> METADATA FROM 'headers' VIRTUAL,
  WATERMARK FOR `event_timestamp` AS `event_timestamp` - INTERVAL '10' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'matih.web.clickstream',
  'properties.bootstrap.servers' = '127.0.0.1:19092',
  'properties.group.id' = 'pipeline-clickstream-v1',
  'scan.startup.mode' = 'latest-offset',
  'key.format' = 'raw',
  'key.fields' = 'key',
  'value.format' = 'raw',
  'value.fields-include' = 'EXCEPT_KEY'
);

INSERT INTO `analytics`.`web`.`clickstream_events` (`user_id`, `event_type`, `page_url`, `event_timestamp`)
WITH `parse_events` AS (
SELECT
  JSON_VALUE(`value`, '$.user_id') AS `user_id`,
  JSON_VALUE(`value`, '$.event_type') AS `event_type`,
  JSON_VALUE(`value`, '$.page_url') AS `page_url`,
  `event_timestamp`
FROM `clickstream`
)
SELECT `user_id`, `event_type`, `page_url`, `event_timestamp`
FROM `parse_events`;
