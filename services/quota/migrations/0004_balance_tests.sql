-- The certification service's water balance tests (水平衡测试) as its activity topic
-- (jieshui.certification.activity.v1, events.v1.RecordChanged) last announced them: a plan
-- increase (AdjustPlan) must name one of the same enterprise that is accepted. One row per test,
-- overwritten by each later announcement in offset order; the consumed offsets are stored in the
-- same transactions (consumer "quota-balance-tests"), so a replay of the topic changes nothing.
CREATE TABLE balance_tests (
  record_id         text PRIMARY KEY,
  uscc              text NOT NULL CHECK (length(uscc) = 18),
  -- certification.v1.RecordStatus as a word: submitted, accepted, returned (or "status N" for a
  -- value this version does not know, which is not accepted).
  status            text NOT NULL,
  -- When the certification service made the change (the event's occurred_at).
  updated_at        timestamptz NOT NULL,
  -- Where the announcement was read: the topic's partition and offset.
  source_partition  int NOT NULL,
  source_offset     bigint NOT NULL
);
