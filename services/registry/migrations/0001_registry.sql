-- The registry's records. Each table keeps the full record as protobuf JSON (`record`, what the
-- API returns and the events carry) plus the columns that lists filter and sort on. Every change
-- also appends the new version to a history table (who, when, what), so nothing is ever lost.

CREATE TABLE parks (
  park_id     text PRIMARY KEY,
  town        text NOT NULL,
  version     bigint NOT NULL CHECK (version > 0),
  record      jsonb NOT NULL,
  updated_by  text NOT NULL,
  updated_at  timestamptz NOT NULL
);
CREATE INDEX parks_town ON parks (town, park_id);

CREATE TABLE enterprises (
  uscc                         text PRIMARY KEY CHECK (length(uscc) = 18),
  town                         text NOT NULL,
  park_id                      text REFERENCES parks (park_id),
  industry_code                text NOT NULL,
  above_scale                  boolean NOT NULL,
  key_monitored                boolean NOT NULL,
  high_water_use_high_pollution boolean NOT NULL,
  latest_annual_intake_litres  bigint NOT NULL CHECK (latest_annual_intake_litres >= 0),
  has_specialist               boolean NOT NULL,
  deregistered                 boolean NOT NULL,
  version                      bigint NOT NULL CHECK (version > 0),
  record                       jsonb NOT NULL,
  updated_by                   text NOT NULL,
  updated_at                   timestamptz NOT NULL
);
CREATE INDEX enterprises_town ON enterprises (town, uscc);
CREATE INDEX enterprises_park ON enterprises (park_id, uscc) WHERE park_id IS NOT NULL;
CREATE INDEX enterprises_industry ON enterprises (industry_code text_pattern_ops);
CREATE INDEX enterprises_key_monitored ON enterprises (uscc) WHERE key_monitored AND NOT deregistered;
CREATE INDEX enterprises_intake ON enterprises (latest_annual_intake_litres);

CREATE TABLE enterprise_history (
  uscc        text NOT NULL REFERENCES enterprises (uscc),
  version     bigint NOT NULL,
  change      text NOT NULL,
  record      jsonb NOT NULL,
  changed_by  text NOT NULL,
  changed_at  timestamptz NOT NULL,
  PRIMARY KEY (uscc, version)
);

CREATE TABLE meters (
  meter_id            text PRIMARY KEY,
  uscc                text NOT NULL REFERENCES enterprises (uscc),
  level               smallint NOT NULL CHECK (level BETWEEN 1 AND 3),
  status              text NOT NULL CHECK (status IN ('active', 'suspended', 'retired')),
  calibration_due_on  date NOT NULL,
  hj212_mn            text NOT NULL DEFAULT '',
  hj212_data_code     text NOT NULL DEFAULT '',
  version             bigint NOT NULL CHECK (version > 0),
  record              jsonb NOT NULL,
  updated_by          text NOT NULL,
  updated_at          timestamptz NOT NULL
);
CREATE INDEX meters_enterprise ON meters (uscc, meter_id);
CREATE INDEX meters_calibration ON meters (calibration_due_on, meter_id) WHERE status <> 'retired';
-- HJ 212-2017: a gateway names a meter by MN + data code; two live meters cannot share them.
CREATE UNIQUE INDEX meters_hj212_identity ON meters (hj212_mn, hj212_data_code)
  WHERE status <> 'retired' AND hj212_mn <> '';

CREATE TABLE meter_history (
  meter_id    text NOT NULL REFERENCES meters (meter_id),
  version     bigint NOT NULL,
  change      text NOT NULL,
  record      jsonb NOT NULL,
  changed_by  text NOT NULL,
  changed_at  timestamptz NOT NULL,
  PRIMARY KEY (meter_id, version)
);
