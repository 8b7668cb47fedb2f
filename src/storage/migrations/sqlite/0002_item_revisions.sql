-- Change cursor for Store::ListItemsUpdatedSince: every item write takes the
-- next revision (writers are serialised by SQLite, so revisions commit in
-- order). Rows written before this migration have revision 0, which cursor 0
-- returns.
ALTER TABLE items ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
CREATE INDEX items_revision_idx ON items (revision);
