-- matih/orders-secure/7d0c4b1e-2f3a-4c5d-8e9f-0a1b2c3d4e5f

SET 'execution.runtime-mode' = 'streaming';

SET 'execution.checkpointing.interval' = '30000ms';

SET 'execution.checkpointing.mode' = 'AT_LEAST_ONCE';

SET 'execution.checkpointing.externalized-checkpoint-retention' = 'RETAIN_ON_CANCELLATION';

SET 'parallelism.default' = '2';

SET 'pipeline.name' = 'matih/orders-secure/7d0c4b1e-2f3a-4c5d-8e9f-0a1b2c3d4e5f';

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

CREATE DATABASE IF NOT EXISTS `analytics`.`commerce`;

CREATE TABLE IF NOT EXISTS `analytics`.`commerce`.`orders` (
  `order_id` STRING,
  `amount` DECIMAL(12, 2),
  `size_class` STRING,
  `country` STRING,
  `order_date` DATE,
  `order_hour` STRING,
  `order_ts` TIMESTAMP_LTZ(6),
  `kafka_partition` INT,
  `kafka_offset` BIGINT
)
PARTITIONED BY (`country`)
WITH (
  'format-version' = '2'
);

CREATE TEMPORARY TABLE `orders` (
  `key` STRING,
  `value` STRING,
  `event_timestamp` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
  `topic` STRING METADATA FROM 'topic' VIRTUAL,
  `partition` INT METADATA FROM 'partition' VIRTUAL,
  `offset` BIGINT METADATA FROM 'offset' VIRTUAL,
  `headers` MAP<STRING, BYTES> METADATA FROM 'headers' VIRTUAL,
  `order_ts` AS TO_TIMESTAMP_LTZ(CAST(JSON_VALUE(`value`, '$.ts') AS BIGINT), 3),
  WATERMARK FOR `order_ts` AS `order_ts` - INTERVAL '2.500' SECOND(3)
) WITH (
  'connector' = 'kafka',
  'topic' = 'matih.commerce.orders',
  'properties.bootstrap.servers' = '127.0.0.1:19094',
  'properties.group.id' = 'orders-secure-v2',
  'scan.startup.mode' = 'timestamp',
  'scan.startup.timestamp-millis' = '1714521600000',
  'properties.security.protocol' = 'SASL_PLAINTEXT',
  'properties.sasl.mechanism' = 'SCRAM-SHA-512',
  'properties.sasl.jaas.config' = 'org.apache.flink.kafka.shaded.org.apache.kafka.common.security.scram.ScramLoginModule required username="matih" password="${env:KAFKA_PASSWORD}";',
  'key.format' = 'raw',
  'key.fields' = 'key',
  'value.format' = 'raw',
  'value.fields-include' = 'EXCEPT_KEY'
);

INSERT INTO `analytics`.`commerce`.`orders` (`order_id`, `amount`, `size_class`, `country`, `order_date`, `order_hour`, `order_ts`, `kafka_partition`, `kafka_offset`)
WITH `parsed` AS (
SELECT
  JSON_VALUE(`value`, '$.id') AS `order_id`,
  CAST(JSON_VALUE(`value`, '$.amount') AS DECIMAL(12, 2)) AS `amount`,
  JSON_VALUE(`value`, '$.qty' RETURNING INT) AS `qty`,
  UPPER(TRIM(JSON_VALUE(`value`, '$.country'))) AS `country`,
  `order_ts`,
  `partition`,
  `offset`
FROM `orders`
WHERE JSON_VALUE(`value`, '$.id') IS NOT NULL
), `enriched` AS (
SELECT
  `order_id`,
  `amount`,
  CASE WHEN `qty` >= 10 THEN 'bulk' WHEN `qty` > 0 THEN 'single' ELSE 'unknown' END AS `size_class`,
  COALESCE(`country`, 'ZZ') AS `country`,
  CAST(`order_ts` AS DATE) AS `order_date`,
  DATE_FORMAT(`order_ts`, 'yyyy-MM-dd HH:00') AS `order_hour`,
  `order_ts`,
  `partition` AS `kafka_partition`,
  `offset` AS `kafka_offset`
FROM `parsed` AS `o`
WHERE `o`.`amount` > 0
)
SELECT `order_id`, `amount`, `size_class`, `country`, `order_date`, `order_hour`, `order_ts`, `kafka_partition`, `kafka_offset`
FROM `enriched`;
