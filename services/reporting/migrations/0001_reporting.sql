-- The reporting service (issue #17). What the other services' events (and its own submissions)
-- say about each enterprise ("facts"), and what they add up to: each enterprise's contribution to
-- each period's sums, and each scope's sums, moved by the difference when a fact changes
-- (src/core/contribution.hpp). The sums' columns are the fields of reporting::Sums, by name.

-- The registry's enterprises, as far as the indicators need them.
CREATE TABLE enterprise_facts (
  uscc              text PRIMARY KEY,
  name              text NOT NULL,
  town              text NOT NULL DEFAULT '',
  park_id           text NOT NULL DEFAULT '',
  industry_code     text NOT NULL DEFAULT '',
  above_scale       boolean NOT NULL DEFAULT false,  -- the registry's flag
  self_supplied     boolean NOT NULL DEFAULT false,  -- takes self-supplied surface or ground water
  key_monitored     boolean NOT NULL DEFAULT false,
  specialist_named  boolean NOT NULL DEFAULT false,
  deregistered      boolean NOT NULL DEFAULT false,
  version           bigint NOT NULL
);

-- Quota's monthly usage (litres), the month's figures as last announced.
CREATE TABLE enterprise_months (
  uscc          text NOT NULL,
  year          int NOT NULL,
  month         int NOT NULL CHECK (month BETWEEN 1 AND 12),
  tap           bigint NOT NULL,
  surface       bigint NOT NULL,
  ground        bigint NOT NULL,
  reclaimed     bigint NOT NULL,
  recirculated  bigint NOT NULL,
  reused        bigint NOT NULL,
  PRIMARY KEY (uscc, year, month)
);

-- Statistics' value added (fen) and above-scale flag, every version; figures use the latest.
CREATE TABLE value_added (
  uscc             text NOT NULL,
  year             int NOT NULL,
  version          int NOT NULL,
  value_added_fen  bigint NOT NULL CHECK (value_added_fen >= 0),
  above_scale      boolean NOT NULL,
  source           text NOT NULL,
  submitted_at_ms  bigint NOT NULL,
  PRIMARY KEY (uscc, year, version)
);
-- One row per import (its version), so a version number is never given twice.
CREATE TABLE value_added_imports (
  version          serial PRIMARY KEY,
  source           text NOT NULL,
  submitted_by     text NOT NULL,
  submitted_at_ms  bigint NOT NULL
);

-- Certification's titles (from its status topic) and accepted records (its activity topic).
CREATE TABLE titles (
  title_id      text PRIMARY KEY,
  uscc          text NOT NULL,
  level         int NOT NULL,
  valid_from    date NOT NULL,
  valid_until   date NOT NULL,
  standing      boolean NOT NULL,  -- not revoked, withdrawn or expired by a review
  granted_year  int NOT NULL
);
CREATE INDEX titles_by_enterprise ON titles (uscc);
CREATE TABLE records (
  record_id  text PRIMARY KEY,
  uscc       text NOT NULL,
  kind       int NOT NULL,
  year       int NOT NULL,
  accepted   boolean NOT NULL
);
CREATE INDEX records_by_enterprise ON records (uscc, year);

-- Targets (version 0 is the shipped default, not stored), the 2020 baseline, annual reports.
CREATE TABLE targets (
  code     text NOT NULL,
  year     int NOT NULL,
  version  int NOT NULL CHECK (version > 0),
  target   bytea NOT NULL,  -- reporting.v1.Target
  PRIMARY KEY (code, year, version)
);
CREATE TABLE baselines (
  version   int PRIMARY KEY,
  baseline  bytea NOT NULL  -- reporting.v1.Baseline
);
CREATE TABLE annual_reports (
  department  text NOT NULL,
  year        int NOT NULL,
  version     int NOT NULL,
  report      bytea NOT NULL,  -- reporting.v1.AnnualReport
  PRIMARY KEY (department, year, version)
);

-- Each enterprise's contribution to each period, and the scopes it was added to.
CREATE TABLE contributions (
  uscc    text NOT NULL,
  period  text NOT NULL,  -- "2025", "2025-YTD03", "2025-Q1", "2025-03"
  year    int NOT NULL,
  scopes  text NOT NULL,  -- one key a line: "district", "town:…", "park:…", "industry:C17"
  new_water bigint NOT NULL DEFAULT 0,
  value_added_fen bigint NOT NULL DEFAULT 0,
  above_scale_reused bigint NOT NULL DEFAULT 0,
  above_scale_new_water bigint NOT NULL DEFAULT 0,
  carrier_set bigint NOT NULL DEFAULT 0,
  carrier_certified bigint NOT NULL DEFAULT 0,
  balance_tests bigint NOT NULL DEFAULT 0,
  audits bigint NOT NULL DEFAULT 0,
  reclaimed bigint NOT NULL DEFAULT 0,
  self_supplied_set bigint NOT NULL DEFAULT 0,
  self_supplied_certified bigint NOT NULL DEFAULT 0,
  titles_created bigint NOT NULL DEFAULT 0,
  provincial_titles_created bigint NOT NULL DEFAULT 0,
  leaders bigint NOT NULL DEFAULT 0,
  contract_projects bigint NOT NULL DEFAULT 0,
  demonstrations bigint NOT NULL DEFAULT 0,
  specialist_set bigint NOT NULL DEFAULT 0,
  specialist_named bigint NOT NULL DEFAULT 0,
  key_monitored bigint NOT NULL DEFAULT 0,
  key_monitored_online bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (uscc, period)
);
CREATE INDEX contributions_by_period ON contributions (period);

-- Each scope's sums for each period.
CREATE TABLE scope_sums (
  scope   text NOT NULL,
  period  text NOT NULL,
  year    int NOT NULL,
  as_of_ms bigint NOT NULL DEFAULT 0,  -- the latest event time reflected
  new_water bigint NOT NULL DEFAULT 0,
  value_added_fen bigint NOT NULL DEFAULT 0,
  above_scale_reused bigint NOT NULL DEFAULT 0,
  above_scale_new_water bigint NOT NULL DEFAULT 0,
  carrier_set bigint NOT NULL DEFAULT 0,
  carrier_certified bigint NOT NULL DEFAULT 0,
  balance_tests bigint NOT NULL DEFAULT 0,
  audits bigint NOT NULL DEFAULT 0,
  reclaimed bigint NOT NULL DEFAULT 0,
  self_supplied_set bigint NOT NULL DEFAULT 0,
  self_supplied_certified bigint NOT NULL DEFAULT 0,
  titles_created bigint NOT NULL DEFAULT 0,
  provincial_titles_created bigint NOT NULL DEFAULT 0,
  leaders bigint NOT NULL DEFAULT 0,
  contract_projects bigint NOT NULL DEFAULT 0,
  demonstrations bigint NOT NULL DEFAULT 0,
  specialist_set bigint NOT NULL DEFAULT 0,
  specialist_named bigint NOT NULL DEFAULT 0,
  key_monitored bigint NOT NULL DEFAULT 0,
  key_monitored_online bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (scope, period)
);

-- Indicator snapshots as they changed (ListIndicatorHistory).
CREATE TABLE indicator_history (
  id          bigserial PRIMARY KEY,
  scope       text NOT NULL,
  period      text NOT NULL,
  code        text NOT NULL,
  changed_ms  bigint NOT NULL,
  indicator   bytea NOT NULL  -- reporting.v1.Indicator
);
CREATE INDEX indicator_history_by_key ON indicator_history (scope, period, code, id);
