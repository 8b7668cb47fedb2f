-- Inventory and negotiation decisions (PostgreSQL dialect).
CREATE TABLE items (
  id              text             PRIMARY KEY CHECK (char_length(id) BETWEEN 1 AND 256),
  name            text             NOT NULL CHECK (name <> ''),
  description     text             NOT NULL DEFAULT '',
  -- double precision admits NaN and Infinity, which compare above every number.
  base_price      double precision NOT NULL
                                   CHECK (base_price > 0 AND base_price < 'Infinity'),
  floor_price     double precision NOT NULL
                                   CHECK (floor_price > 0 AND floor_price < 'Infinity'),
  active          boolean          NOT NULL DEFAULT true,
  meta            jsonb            NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(meta) = 'object'),
  embedding       bytea,
  embedding_model text             NOT NULL DEFAULT '',
  created_at      timestamptz      NOT NULL DEFAULT now(),
  updated_at      timestamptz      NOT NULL DEFAULT now(),
  CONSTRAINT items_floor_not_above_base CHECK (floor_price <= base_price)
);

CREATE TABLE negotiations (
  id               bigint           GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  request_id       text             NOT NULL UNIQUE CHECK (request_id <> ''),
  session_token    text             NOT NULL,
  agent_did        text             NOT NULL,
  item_id          text             NOT NULL,
  bid_amount       double precision NOT NULL,
  currency         text             NOT NULL,
  outcome          text             NOT NULL
                   CHECK (outcome IN ('accepted', 'countered', 'rejected', 'ui_required')),
  price            double precision NOT NULL DEFAULT 0,
  reason_code      text             NOT NULL DEFAULT '',
  message          text             NOT NULL DEFAULT '',
  reservation_code text             NOT NULL DEFAULT '',
  ui_template      text             NOT NULL DEFAULT '',
  ui_context       jsonb            NOT NULL DEFAULT '{}',
  strategy         text             NOT NULL DEFAULT '',
  trace_id         text             NOT NULL DEFAULT '',
  created_at       timestamptz      NOT NULL,
  valid_until      timestamptz      NOT NULL
);

-- negotiation_count: sessions with valid_until > now, answered from the index alone.
CREATE INDEX negotiations_valid_until_idx ON negotiations (valid_until);
CREATE INDEX negotiations_item_created_idx ON negotiations (item_id, created_at);
