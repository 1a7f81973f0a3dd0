-- The quota service's records. Volumes in litres, money in fen, months and years in Asia/Shanghai
-- (DESIGN.md "Storage"). Plans are versioned: every change appends a version, nothing is updated
-- in place, so the history of a plan is its rows.

-- What the registry announced (jieshui.registry.enterprise.v1), kept for NOT_FOUND checks, the
-- industry code product quotas are looked up by, and names in lists.
CREATE TABLE enterprises (
  uscc           text PRIMARY KEY CHECK (length(uscc) = 18),
  name           text NOT NULL,
  industry_code  text NOT NULL,
  deregistered   boolean NOT NULL,
  version        bigint NOT NULL
);

-- A plan year the authority has settled (ClosePlanYear): no plan change or order for it after.
CREATE TABLE closed_years (
  year       int PRIMARY KEY,
  closed_by  text NOT NULL,
  closed_at  timestamptz NOT NULL
);

CREATE TABLE plan_versions (
  uscc                   text NOT NULL REFERENCES enterprises (uscc),
  year                   int NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  version                int NOT NULL CHECK (version > 0),
  change                 smallint NOT NULL,
  total_litres           bigint NOT NULL CHECK (total_litres >= 0),
  -- Per source (tap, surface, ground, reclaimed) or NULL when the plan is a total only.
  by_source_litres       bigint[],
  monthly_litres         bigint[] NOT NULL CHECK (cardinality(monthly_litres) = 12),
  split_filed            boolean NOT NULL,
  reason                 text NOT NULL,
  water_balance_test_ref text NOT NULL,
  order_id               text NOT NULL,
  changed_by             text NOT NULL,
  changed_at             timestamptz NOT NULL,
  PRIMARY KEY (uscc, year, version)
);

-- Usage sums: one row per enterprise and day / month, one column per flow (core/usage.hpp).
CREATE TABLE usage_daily (
  uscc          text NOT NULL,
  day           date NOT NULL,
  tap           bigint NOT NULL DEFAULT 0,
  surface       bigint NOT NULL DEFAULT 0,
  ground        bigint NOT NULL DEFAULT 0,
  reclaimed     bigint NOT NULL DEFAULT 0,
  recirculated  bigint NOT NULL DEFAULT 0,
  reused        bigint NOT NULL DEFAULT 0,
  discharge     bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (uscc, day)
);

CREATE TABLE usage_monthly (
  uscc          text NOT NULL,
  year          int NOT NULL,
  month         int NOT NULL CHECK (month BETWEEN 1 AND 12),
  tap           bigint NOT NULL DEFAULT 0,
  surface       bigint NOT NULL DEFAULT 0,
  ground        bigint NOT NULL DEFAULT 0,
  reclaimed     bigint NOT NULL DEFAULT 0,
  recirculated  bigint NOT NULL DEFAULT 0,
  reused        bigint NOT NULL DEFAULT 0,
  discharge     bigint NOT NULL DEFAULT 0,
  updated_at    timestamptz NOT NULL,
  PRIMARY KEY (uscc, year, month)
);
CREATE INDEX usage_monthly_period ON usage_monthly (year, month);

CREATE TABLE product_quotas (
  year             int NOT NULL,
  industry_code    text NOT NULL,
  product          text NOT NULL,
  unit             text NOT NULL,
  general_ml       bigint NOT NULL CHECK (general_ml >= 0),
  advanced_ml      bigint NOT NULL CHECK (advanced_ml >= 0 AND advanced_ml <= general_ml),
  source_standard  text NOT NULL,
  updated_by       text NOT NULL,
  updated_at       timestamptz NOT NULL,
  PRIMARY KEY (year, industry_code, product)
);

CREATE TABLE production_reports (
  uscc               text NOT NULL REFERENCES enterprises (uscc),
  year               int NOT NULL,
  month              int NOT NULL CHECK (month BETWEEN 1 AND 12),
  product            text NOT NULL,
  output_milli       bigint NOT NULL CHECK (output_milli >= 0),
  production_intake  bigint CHECK (production_intake >= 0),
  reported_by        text NOT NULL,
  reported_at        timestamptz NOT NULL,
  PRIMARY KEY (uscc, year, month, product)
);

-- One alert per enterprise, kind, period, threshold and product (month 0 = the whole year).
CREATE TABLE alerts (
  alert_id         bigserial PRIMARY KEY,
  uscc             text NOT NULL,
  kind             smallint NOT NULL,
  year             int NOT NULL,
  month            int NOT NULL CHECK (month BETWEEN 0 AND 12),
  threshold        int NOT NULL,
  product          text NOT NULL DEFAULT '',
  used_litres      bigint NOT NULL,
  limit_litres     bigint NOT NULL,
  status           smallint NOT NULL,
  raised_at        timestamptz NOT NULL,
  acknowledged_by  text NOT NULL DEFAULT '',
  note             text NOT NULL DEFAULT '',
  UNIQUE (uscc, kind, year, month, threshold, product)
);
CREATE INDEX alerts_period ON alerts (year, month, alert_id);

CREATE TABLE surcharge_bands (
  year      int NOT NULL,
  idx       int NOT NULL,
  from_bp   bigint NOT NULL,
  to_bp     bigint,
  mult_num  bigint NOT NULL,
  mult_den  bigint NOT NULL,
  PRIMARY KEY (year, idx)
);

CREATE TABLE surcharge_prices (
  year    int NOT NULL,
  source  smallint NOT NULL,
  fen     bigint NOT NULL CHECK (fen >= 0),
  PRIMARY KEY (year, source)
);

CREATE TABLE rectification_orders (
  order_id    bigserial PRIMARY KEY,
  uscc        text NOT NULL REFERENCES enterprises (uscc),
  year        int NOT NULL,
  month       int NOT NULL CHECK (month BETWEEN 0 AND 12),
  reason      text NOT NULL,
  deadline    date NOT NULL,
  status      smallint NOT NULL,
  issued_by   text NOT NULL,
  issued_at   timestamptz NOT NULL,
  resolution  text NOT NULL DEFAULT '',
  closed_by   text NOT NULL DEFAULT '',
  closed_at   timestamptz
);
CREATE INDEX rectification_orders_uscc ON rectification_orders (uscc, order_id);
