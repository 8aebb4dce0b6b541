-- Revoked and replaced invitations are kept (marked) instead of deleted, so
-- that the invitations an organization sent in the last day can be counted:
-- each one mails an address the admin chose, and without a count an admin
-- account could mail any number of strangers by inviting and revoking.
-- Rows are deleted once they have been out of use for a while.
ALTER TABLE invitations ADD COLUMN revoked_at TEXT;
CREATE INDEX invitations_by_org_created ON invitations (org_id, created_at)
