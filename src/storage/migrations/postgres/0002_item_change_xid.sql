-- Change cursor for Store::ListItemsUpdatedSince: the id of the transaction
-- that last wrote the item. A reader takes the oldest transaction still
-- running (pg_snapshot_xmin) as its next cursor, so a write that commits
-- late is read on the next poll instead of being skipped, as a sequence or a
-- timestamp cursor would.
ALTER TABLE items ADD COLUMN change_xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX items_change_xid_idx ON items (change_xid);
