-- The statistical ledger (统计台账, issue #17): each enterprise's month as quota last announced it,
-- beside the intake by source and reuse 0001 keeps: discharge, new water, the month's plan, and
-- the over-plan volume and surcharge due so far (quota's UsageChanged carries them, so reporting
-- never calls quota). Litres and fen.
ALTER TABLE enterprise_months
  ADD COLUMN discharge      bigint NOT NULL DEFAULT 0,
  ADD COLUMN new_water      bigint NOT NULL DEFAULT 0,
  ADD COLUMN plan_known     boolean NOT NULL DEFAULT false,
  ADD COLUMN plan           bigint NOT NULL DEFAULT 0,
  ADD COLUMN over_plan      bigint NOT NULL DEFAULT 0,
  ADD COLUMN surcharge_fen  bigint NOT NULL DEFAULT 0;
