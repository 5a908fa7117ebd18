-- matih/audit-fanout/7d0c4b1e-2f3a-4c5d-8e9f-0a1b2c3d4e5f

SET 'execution.runtime-mode' = 'streaming';

SET 'execution.checkpointing.interval' = '10000ms';

SET 'execution.checkpointing.mode' = 'EXACTLY_ONCE';

SET 'execution.checkpointing.externalized-checkpoint-retention' = 'RETAIN_ON_CANCELLATION';

SET 'parallelism.default' = '1';

SET 'pipeline.name' = 'matih/audit-fanout/7d0c4b1e-2f3a-4c5d-8e9f-0a1b2c3d4e5f';

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

CREATE CATALOG IF NOT EXISTS `matih` WITH (
  'type' = 'iceberg',
  'catalog-impl' = 'org.apache.iceberg.jdbc.JdbcCatalog',
  'uri' = 'jdbc:postgresql://127.0.0.1:15432/matih',
  'jdbc.user' = 'matih',
  'jdbc.password' = '${env:MATIH_ICEBERG_JDBC_PASSWORD}',
  'jdbc.schema-version' = 'V1',
  'warehouse' = 'file:///var/lib/matih/stack/iceberg/warehouse'
);

CREATE DATABASE IF NOT EXISTS `analytics`.`audit`;

CREATE DATABASE IF NOT EXISTS `matih`.`audit`;

CREATE TABLE IF NOT EXISTS `matih`.`audit`.`all_events` (
  `actor` STRING,
  `action` STRING,
  `ok` BOOLEAN,
  `source_ref` STRING,
  `record_key` STRING,
  `event_timestamp` TIMESTAMP_LTZ(6)
)
WITH (
  'format-version' = '2'
);

CREATE TEMPORARY TABLE `audit` (
  `key` STRING,
  `value` STRING,
  `event_timestamp` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
  `topic` STRING METADATA FROM 'topic' VIRTUAL,
  `partition` INT METADATA FROM 'partition' VIRTUAL,
  `offset` BIGINT METADATA FROM 'offset' VIRTUAL,
  `headers` MAP<STRING, BYTES> METADATA FROM 'headers' VIRTUAL,
  WATERMARK FOR `event_timestamp` AS `event_timestamp`
) WITH (
  'connector' = 'kafka',
  'topic' = 'matih.platform.audit',
  'properties.bootstrap.servers' = '127.0.0.1:19092',
  'properties.group.id' = 'audit-fanout',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'key.format' = 'raw',
  'key.fields' = 'key',
  'value.format' = 'raw',
  'value.fields-include' = 'EXCEPT_KEY'
);

EXECUTE STATEMENT SET
BEGIN
INSERT INTO `analytics`.`audit`.`by_actor` (`actor`, `action`, `ok`, `source_ref`, `record_key`, `event_timestamp`)
WITH `events` AS (
SELECT
  JSON_VALUE(`value`, '$.actor') AS `actor`,
  LOWER(JSON_VALUE(`value`, '$.action')) AS `action`,
  JSON_VALUE(`value`, '$.ok' RETURNING BOOLEAN) AS `ok`,
  CONCAT(`topic`, '/', CAST(`partition` AS STRING), '/', CAST(`offset` AS STRING)) AS `source_ref`,
  `key` AS `record_key`,
  `event_timestamp`
FROM `audit`
)
SELECT `actor`, `action`, `ok`, `source_ref`, `record_key`, `event_timestamp`
FROM `events`;
INSERT INTO `matih`.`audit`.`all_events` (`actor`, `action`, `ok`, `source_ref`, `record_key`, `event_timestamp`)
WITH `events` AS (
SELECT
  JSON_VALUE(`value`, '$.actor') AS `actor`,
  LOWER(JSON_VALUE(`value`, '$.action')) AS `action`,
  JSON_VALUE(`value`, '$.ok' RETURNING BOOLEAN) AS `ok`,
  CONCAT(`topic`, '/', CAST(`partition` AS STRING), '/', CAST(`offset` AS STRING)) AS `source_ref`,
  `key` AS `record_key`,
  `event_timestamp`
FROM `audit`
)
SELECT `actor`, `action`, `ok`, `source_ref`, `record_key`, `event_timestamp`
FROM `events`;
END;
