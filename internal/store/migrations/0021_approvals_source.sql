-- How an approval was recorded: approved (the signed-in approver, through
-- the approval endpoint or the UI) or imported (it came with a bundle:
-- approved_by is then who imported it, and content_hash fingerprints the
-- item as imported, so a later change shows the approval stale).
ALTER TABLE approvals ADD COLUMN source TEXT NOT NULL DEFAULT 'approved';
UPDATE approvals SET source = 'imported' WHERE approved_by = 'bundle'
