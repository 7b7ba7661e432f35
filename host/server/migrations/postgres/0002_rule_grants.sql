-- Capabilities an admin approved for each rule, as a JSON array of capability names. A rule's
-- handler may use only what its manifest requests and this list approves; new rules approve
-- nothing.
ALTER TABLE rules ADD COLUMN approved_grants TEXT NOT NULL DEFAULT '[]';
