-- Counts the writes of an organization's recorded approvals. Lists of
-- approvals are kept in memory by history head, and most approval writes
-- move the head too, but not all (approving an unchanged item again, a
-- baseline recorded before an SoA import). Every approval write adds one
-- here, in its own transaction, so that every instance sees the change.
ALTER TABLE history_heads ADD COLUMN approvals_rev BIGINT NOT NULL DEFAULT 0;
