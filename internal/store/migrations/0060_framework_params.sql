-- The organization's values of an imported control's parameters (the
-- assignments and selections of NIST SP 800-53 and its baselines), by
-- parameter id, as a JSON object.
ALTER TABLE framework_rows ADD COLUMN params TEXT NOT NULL DEFAULT '{}'
