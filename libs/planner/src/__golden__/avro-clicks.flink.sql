-- matih/avro-clicks/7d0c4b1e-2f3a-4c5d-8e9f-0a1b2c3d4e5f

SET 'execution.runtime-mode' = 'streaming';

SET 'execution.checkpointing.interval' = '60000ms';

SET 'execution.checkpointing.mode' = 'EXACTLY_ONCE';

SET 'execution.checkpointing.externalized-checkpoint-retention' = 'RETAIN_ON_CANCELLATION';

SET 'parallelism.default' = '1';

SET 'pipeline.name' = 'matih/avro-clicks/7d0c4b1e-2f3a-4c5d-8e9f-0a1b2c3d4e5f';

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

CREATE TABLE IF NOT EXISTS `analytics`.`web`.`clicks_avro` (
  `user_id` STRING,
  `n` BIGINT,
  `tag` STRING,
  `score` DOUBLE,
  `click_ts` TIMESTAMP_LTZ(6),
  `kafka_offset` BIGINT
)
WITH (
  'format-version' = '2'
);

CREATE TEMPORARY TABLE `clicks` (
  `key` STRING,
  `user_id` STRING,
  `n` BIGINT,
  `tag` STRING,
  `score` DOUBLE,
  `ok` BOOLEAN,
  `ts` BIGINT,
  `event_timestamp` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
  `topic` STRING METADATA FROM 'topic' VIRTUAL,
  `partition` INT METADATA FROM 'partition' VIRTUAL,
  `offset` BIGINT METADATA FROM 'offset' VIRTUAL,
  `headers` MAP<STRING, BYTES> METADATA FROM 'headers' VIRTUAL,
  `value` AS JSON_OBJECT(KEY 'user_id' VALUE `user_id`, KEY 'n' VALUE `n`, KEY 'tag' VALUE `tag`, KEY 'score' VALUE `score`, KEY 'ok' VALUE `ok`, KEY 'ts' VALUE `ts` NULL ON NULL),
  `click_ts` AS TO_TIMESTAMP_LTZ(CAST(JSON_VALUE(JSON_OBJECT(KEY 'user_id' VALUE `user_id`, KEY 'n' VALUE `n`, KEY 'tag' VALUE `tag`, KEY 'score' VALUE `score`, KEY 'ok' VALUE `ok`, KEY 'ts' VALUE `ts` NULL ON NULL), '$.ts') AS BIGINT), 3),
  WATERMARK FOR `click_ts` AS `click_ts` - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'matih.web.clicks-avro',
  'properties.bootstrap.servers' = '127.0.0.1:19092',
  'properties.group.id' = 'avro-clicks-v1',
  'scan.startup.mode' = 'earliest-offset',
  'key.format' = 'raw',
  'key.fields' = 'key',
  'value.format' = 'avro-confluent',
  'value.avro-confluent.url' = 'http://127.0.0.1:18085',
  'value.avro-confluent.basic-auth.credentials-source' = 'USER_INFO',
  'value.avro-confluent.basic-auth.user-info' = 'matih:${env:SCHEMA_REGISTRY_PASSWORD}',
  'value.fields-include' = 'EXCEPT_KEY'
);

INSERT INTO `analytics`.`web`.`clicks_avro` (`user_id`, `n`, `tag`, `score`, `click_ts`, `kafka_offset`)
WITH `clicks_parsed` AS (
SELECT
  JSON_VALUE(`value`, '$.user_id') AS `user_id`,
  CAST(JSON_VALUE(`value`, '$.n') AS BIGINT) AS `n`,
  COALESCE(JSON_VALUE(`value`, '$.tag'), 'none') AS `tag`,
  JSON_VALUE(`value`, '$.score' RETURNING DOUBLE) AS `score`,
  `click_ts`,
  `offset` AS `kafka_offset`
FROM `clicks`
)
SELECT `user_id`, `n`, `tag`, `score`, `click_ts`, `kafka_offset`
FROM `clicks_parsed`;
