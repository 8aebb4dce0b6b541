-- The head at the newest import of an organization: an import may move
-- items without a history record of their own (new positions), so a
-- cached model older than it cannot be carried forward record by record.
ALTER TABLE history_heads ADD COLUMN bulk_n BIGINT NOT NULL DEFAULT 0
