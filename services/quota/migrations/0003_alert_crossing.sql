-- When a plan alert's threshold was crossed: the interval end of the reading record that took the
-- period's new water over it (its used_litres is the usage right after that record). NULL when no
-- reading crossed it: a plan change put usage already counted over, or the alert is over quota.
ALTER TABLE alerts ADD COLUMN crossed_at timestamptz;
