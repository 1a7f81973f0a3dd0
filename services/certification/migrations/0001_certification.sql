-- The certification service's records (issue #16). Each row keeps the whole contract message as
-- `record` (protobuf bytes, what the RPCs answer and the events carry) beside the columns its
-- queries filter on; the columns are written from the message in the same statement.

-- Water balance tests, audits, retrofit and contract projects, demonstrations and parks, as an
-- enterprise filed them and water_affairs reviewed them.
CREATE TABLE records (
  record_id   bigserial PRIMARY KEY,
  uscc        text NOT NULL CHECK (length(uscc) = 18),
  kind        int NOT NULL,   -- certification.v1.RecordKind
  year        int NOT NULL,   -- the year it counts in (targets 4 and 5)
  status      int NOT NULL,   -- certification.v1.RecordStatus
  period_end  date,           -- a balance test's: the balance-test gate's look-back
  record      bytea NOT NULL
);
CREATE INDEX records_by_enterprise ON records (uscc, kind, record_id);
CREATE INDEX records_by_year ON records (year, kind, status);

-- Applications for a title, through their lifecycle; one open application per enterprise and
-- level (states 6-8 are granted, refused, withdrawn).
CREATE TABLE applications (
  application_id  bigserial PRIMARY KEY,
  uscc            text NOT NULL CHECK (length(uscc) = 18),
  level           int NOT NULL,
  state           int NOT NULL,
  record          bytea NOT NULL
);
CREATE UNIQUE INDEX applications_one_open ON applications (uscc, level) WHERE state NOT IN (6, 7, 8);
CREATE INDEX applications_by_state ON applications (state, application_id);

-- Granted titles. valid_until is the last valid day (Shanghai); status is the stored one
-- (certification.v1.TitleStatus): a past valid_until reads EXPIRED in answers.
CREATE TABLE titles (
  title_id     bigserial PRIMARY KEY,
  uscc         text NOT NULL CHECK (length(uscc) = 18),
  level        int NOT NULL,
  status       int NOT NULL,
  valid_from   date NOT NULL,
  valid_until  date NOT NULL CHECK (valid_until >= valid_from),
  granted_year int NOT NULL,   -- the year of valid_from (the year's titles granted)
  record_certificate text NOT NULL,  -- the certificate number: one title per certificate and level
  record       bytea NOT NULL
);
CREATE INDEX titles_by_enterprise ON titles (uscc, title_id);
CREATE INDEX titles_by_validity ON titles (valid_until, title_id);

-- Reviews of a granted title: due, or opened by an annual over-plan alert or a violation. At most
-- one open review per title; `trigger` names what opened it (an alert id, a violation id), so the
-- same alert never opens a second review of the same title.
CREATE TABLE title_reviews (
  review_id  bigserial PRIMARY KEY,
  title_id   bigint NOT NULL REFERENCES titles (title_id),
  uscc       text NOT NULL,
  open       boolean NOT NULL,
  trigger    text NOT NULL,
  record     bytea NOT NULL
);
CREATE UNIQUE INDEX title_reviews_one_open ON title_reviews (title_id) WHERE open;
CREATE UNIQUE INDEX title_reviews_by_trigger ON title_reviews (title_id, trigger) WHERE trigger <> '';
CREATE INDEX title_reviews_by_enterprise ON title_reviews (uscc, review_id);

CREATE TABLE violations (
  violation_id  bigserial PRIMARY KEY,
  uscc          text NOT NULL CHECK (length(uscc) = 18),
  occurred_on   date NOT NULL,
  record        bytea NOT NULL
);
CREATE INDEX violations_by_enterprise ON violations (uscc, occurred_on);

-- What other services announced, as the gates need it (consumed with their offsets, so a replay
-- changes nothing):
-- the registry's meters (jieshui.registry.meter.v1): GB/T 24789 metering coverage;
CREATE TABLE meters (
  meter_id  text PRIMARY KEY,
  uscc      text NOT NULL,
  level     int NOT NULL,
  active    boolean NOT NULL,
  version   bigint NOT NULL
);
CREATE INDEX meters_by_enterprise ON meters (uscc);
-- quota's monthly usage (jieshui.quota.usage.v1): new water, for a leader's annual intake;
CREATE TABLE usage_months (
  uscc       text NOT NULL,
  year       int NOT NULL,
  month      int NOT NULL,
  new_water  bigint NOT NULL,  -- litres
  PRIMARY KEY (uscc, year, month)
);
-- quota's annual plan alerts at or above 100% (jieshui.quota.alert.v1): over-plan years;
CREATE TABLE over_plan_years (
  uscc          text NOT NULL,
  year          int NOT NULL,
  reference_id  text NOT NULL,
  PRIMARY KEY (uscc, year)
);
-- quota's rectification orders issued and not yet closed.
CREATE TABLE open_orders (
  order_id  text PRIMARY KEY,
  uscc      text NOT NULL
);
CREATE INDEX open_orders_by_enterprise ON open_orders (uscc);
