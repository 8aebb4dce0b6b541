-- The trends and the overview ask, for each past month's end, which
-- history position an organization had reached then. Without an index on
-- the time of each record that read the whole history, twelve times per
-- dashboard. With it, each is one step down the index.
CREATE INDEX history_by_time ON history (org_id, at, n);
