-- meter_state.state holds the JSON of adapters/state_codec.hpp as text rather than jsonb. Nothing
-- queries inside it (the service decodes it itself), and parsing every state into jsonb on each
-- ledger batch was about a third of PostgreSQL's work under a flood of readings. Cast it for an
-- ad hoc look: SELECT state::jsonb -> 'last_ms' FROM meter_state WHERE meter_id = '...'.
ALTER TABLE meter_state ALTER COLUMN state TYPE text USING state::text;
