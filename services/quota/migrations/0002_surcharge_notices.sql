-- Surcharge notices (加价通知): the statement as issued, one per enterprise and period
-- (month 0 = the whole year). The statement is kept as SurchargeStatement in protobuf JSON, so the
-- notice shows what was computed on the day, whatever changes later.
CREATE TABLE surcharge_notices (
  notice_id   bigserial PRIMARY KEY,
  uscc        text NOT NULL REFERENCES enterprises (uscc),
  year        int NOT NULL,
  month       int NOT NULL CHECK (month BETWEEN 0 AND 12),
  total_fen   bigint NOT NULL CHECK (total_fen > 0),
  statement   jsonb NOT NULL,
  issued_by   text NOT NULL,
  issued_at   timestamptz NOT NULL,
  UNIQUE (uscc, year, month)
);
