-- The raw ledger (原始记录): every record ingest published on the reading topic, as published.
-- Written by the ledger writer (src/adapters/ledger.cpp), which consumes the topic and commits a
-- batch's rows, the meter states they moved and the topic offsets in one transaction. The
-- offsets live in consumer_offsets (libs/db/idempotent.hpp, created by the writer).
--
-- readings is partitioned by calendar month in Asia/Shanghai (UTC+8, no daylight saving since
-- 1991): partition readings_YYYYMM holds interval_end in [local month start, next month start),
-- e.g. FROM ('2026-11-01 00:00:00+08') TO ('2026-12-01 00:00:00+08'). The writer creates the
-- partition of a month before it inserts into it. There is deliberately no DEFAULT partition: a
-- row parked there would make creating its month's partition fail later.
--
-- kind is the jieshui.ingest.v1.RecordKind value; flags the jieshui.ingest.v1.VeeFlag values, in
-- the order the core lists them (e.g. {5,9} = GAP, FIRST; test with `5 = ANY (flags)`).
-- Summing delta_litres over any set of a meter's rows gives what flowed (readings.proto).
-- No CHECK constraints: the writer refuses malformed records before they reach SQL (logged and
-- skipped), because a row the database refuses would stop the whole batch, every time.

CREATE TABLE readings (
  event_id           text NOT NULL,
  meter_id           text NOT NULL,
  uscc               text NOT NULL,
  measures           smallint NOT NULL,
  level              smallint NOT NULL,
  kind               smallint NOT NULL,
  interval_start     timestamptz NOT NULL,
  interval_end       timestamptz NOT NULL,
  delta_litres       bigint NOT NULL,
  flags              integer[] NOT NULL,
  register_value     text,
  cumulative_litres  bigint NOT NULL,
  data_flag          char(1) NOT NULL,
  source             text NOT NULL,
  received_at        timestamptz NOT NULL,
  topic_partition    integer NOT NULL,
  topic_offset       bigint NOT NULL,
  -- A unique key of a partitioned table must contain the partition key; an event id is unique
  -- on its own, so this stores no envelope twice.
  UNIQUE (event_id, interval_end)
) PARTITION BY RANGE (interval_end);

CREATE INDEX readings_meter ON readings (meter_id, interval_end);
CREATE INDEX readings_enterprise ON readings (uscc, interval_end);

-- Each meter's VEE state (core/vee.hpp MeterState, adapters/state_codec.hpp JSON) after every
-- record up to the offsets stored with it in consumer_offsets.
CREATE TABLE meter_state (
  meter_id    text PRIMARY KEY,
  state       jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
