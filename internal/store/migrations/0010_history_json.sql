-- Every history record keeps its before and after as JSON. A disclosure
-- page's state was kept as the plain text on or off, which made every
-- page of the history API that held one fail: it becomes {"public": true}
-- or {"public": false}. Control texts, kept as the text itself, become
-- {"text": "..."}. Both are done by this migration's Go step
-- (jsonHistoryValues), since SQL alone cannot encode JSON the same way on
-- both databases. The chain hashes the plain form (store.hashForm), so
-- every record still verifies.
SELECT 1
