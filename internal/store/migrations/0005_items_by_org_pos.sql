-- New items take the next position in their organization: an index makes
-- that a lookup instead of a scan.
CREATE INDEX items_by_org_pos ON items (org_id, pos)
