-- Inventory and negotiation decisions (SQLite dialect).
-- Times are Unix seconds; JSON is text checked with the JSON1 functions.
CREATE TABLE items (
  id              TEXT    PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 256),
  name            TEXT    NOT NULL CHECK (name <> ''),
  description     TEXT    NOT NULL DEFAULT '',
  base_price      REAL    NOT NULL CHECK (base_price > 0),
  floor_price     REAL    NOT NULL CHECK (floor_price > 0),
  active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  meta            TEXT    NOT NULL DEFAULT '{}'
                          CHECK (json_valid(meta) AND json_type(meta) = 'object'),
  embedding       BLOB,
  embedding_model TEXT    NOT NULL DEFAULT '',
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  CONSTRAINT items_floor_not_above_base CHECK (floor_price <= base_price)
);

CREATE TABLE negotiations (
  id               INTEGER PRIMARY KEY,
  request_id       TEXT    NOT NULL UNIQUE CHECK (request_id <> ''),
  session_token    TEXT    NOT NULL,
  agent_did        TEXT    NOT NULL,
  item_id          TEXT    NOT NULL,
  bid_amount       REAL    NOT NULL,
  currency         TEXT    NOT NULL,
  outcome          TEXT    NOT NULL
                           CHECK (outcome IN ('accepted', 'countered', 'rejected', 'ui_required')),
  price            REAL    NOT NULL DEFAULT 0,
  reason_code      TEXT    NOT NULL DEFAULT '',
  message          TEXT    NOT NULL DEFAULT '',
  reservation_code TEXT    NOT NULL DEFAULT '',
  ui_template      TEXT    NOT NULL DEFAULT '',
  ui_context       TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(ui_context)),
  strategy         TEXT    NOT NULL DEFAULT '',
  trace_id         TEXT    NOT NULL DEFAULT '',
  created_at       INTEGER NOT NULL,
  valid_until      INTEGER NOT NULL
);

-- negotiation_count: sessions with valid_until > now, answered from the index alone.
CREATE INDEX negotiations_valid_until_idx ON negotiations (valid_until);
CREATE INDEX negotiations_item_created_idx ON negotiations (item_id, created_at);
