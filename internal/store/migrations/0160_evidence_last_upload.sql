-- An evidence file keeps when and by whom it was first uploaded: that is
-- when the evidence was collected (the evidence list's age and "older
-- than its interval" count from it). Uploading the same content again is
-- recorded apart, as the last upload, which also tells garbage collection
-- that the file was just claimed (it used to overwrite uploaded_at).
ALTER TABLE evidence_owners ADD COLUMN last_uploaded_at TEXT NOT NULL DEFAULT '';
ALTER TABLE evidence_owners ADD COLUMN last_uploaded_by TEXT NOT NULL DEFAULT '';
UPDATE evidence_owners SET last_uploaded_at = uploaded_at, last_uploaded_by = uploaded_by
