#include "storage/postgres/postgres_store.h"

#include <algorithm>
#include <charconv>
#include <exception>
#include <pqxx/pqxx>
#include <utility>

#include "storage/internal/statement.h"
#include "storage/migrations/migrations.h"
#include "storage/validation.h"

namespace aura::storage {
namespace {

using internal::Statement;

constexpr std::string_view kDbSystem = "postgresql";

// --- SQL statements (named constants; the name is the span and prepared-statement name) ---

constexpr Statement kPing{"ping", "SELECT", "", "SELECT 1"};

// Scripts (simple query protocol, not prepared). Every process that migrates
// this database serialises on the advisory lock (the key is "AURAMIGR").
constexpr Statement kMigrationLock{"schema_migrations.lock", "SELECT", "schema_migrations",
                                   "SELECT pg_advisory_xact_lock(4707759425908721490)"};
constexpr Statement kCreateMigrationsTable{"schema_migrations.create", "DDL", "schema_migrations",
                                           R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    integer     PRIMARY KEY,
  name       text        NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
))sql"};

// Prepared on every connection.
constexpr Statement kMigrationApplied{"schema_migrations.find", "SELECT", "schema_migrations",
                                      "SELECT 1 FROM schema_migrations WHERE version = $1"};
constexpr Statement kRecordMigration{
    "schema_migrations.insert", "INSERT", "schema_migrations",
    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)"};
constexpr Statement kSchemaVersion{"schema_migrations.version", "SELECT", "schema_migrations",
                                   "SELECT coalesce(max(version), 0) FROM schema_migrations"};

#define AURA_ITEM_COLUMNS                                                           \
  "id, name, description, base_price, floor_price, active, meta::text, embedding, " \
  "embedding_model, extract(epoch from created_at)::bigint, "                       \
  "extract(epoch from updated_at)::bigint"

constexpr Statement kFindItem{"items.find", "SELECT", "items",
                              "SELECT " AURA_ITEM_COLUMNS " FROM items WHERE id = $1"};
constexpr Statement kListItems{"items.list", "SELECT", "items",
                               "SELECT " AURA_ITEM_COLUMNS " FROM items ORDER BY id COLLATE \"C\""};
constexpr Statement kListActiveItems{"items.list_active", "SELECT", "items",
                                     "SELECT " AURA_ITEM_COLUMNS
                                     " FROM items WHERE active ORDER BY id COLLATE \"C\""};
// Change cursor: the oldest transaction still running, read before the items (see
// ListItemsUpdatedSince). xid8 travels as text: it has no cast to bigint.
constexpr Statement kChangeHorizon{"items.change_horizon", "SELECT", "items",
                                   "SELECT pg_snapshot_xmin(pg_current_snapshot())::text"};
constexpr Statement kListItemsUpdatedSince{
    "items.list_updated_since", "SELECT", "items",
    "SELECT " AURA_ITEM_COLUMNS
    " FROM items WHERE change_xid >= $1::text::xid8 ORDER BY id COLLATE \"C\""};
#undef AURA_ITEM_COLUMNS

// An empty embedding keeps the stored one only while the text it was made from is unchanged.
// change_xid records the writing transaction for ListItemsUpdatedSince.
constexpr Statement kUpsertItem{"items.upsert", "UPSERT", "items", R"sql(
INSERT INTO items AS i (id, name, description, base_price, floor_price, active, meta,
                        embedding, embedding_model, created_at, updated_at, change_xid)
VALUES ($1, $2, $3, $4::double precision, $5::double precision, $6::boolean, $7::jsonb,
        NULLIF($8::bytea, ''::bytea), $9, to_timestamp($10::bigint), to_timestamp($10::bigint),
        pg_current_xact_id())
ON CONFLICT (id) DO UPDATE SET
  change_xid = excluded.change_xid,
  name = excluded.name,
  description = excluded.description,
  base_price = excluded.base_price,
  floor_price = excluded.floor_price,
  active = excluded.active,
  meta = excluded.meta,
  embedding = CASE
    WHEN excluded.embedding IS NOT NULL THEN excluded.embedding
    WHEN i.name = excluded.name AND i.description = excluded.description THEN i.embedding
    ELSE NULL END,
  embedding_model = CASE
    WHEN excluded.embedding IS NOT NULL THEN excluded.embedding_model
    WHEN i.name = excluded.name AND i.description = excluded.description THEN i.embedding_model
    ELSE '' END,
  updated_at = excluded.updated_at)sql"};
constexpr Statement kSetEmbedding{
    "items.set_embedding", "UPDATE", "items",
    "UPDATE items SET embedding = NULLIF($2::bytea, ''::bytea), embedding_model = $3 "
    "WHERE id = $1"};

constexpr Statement kInsertNegotiation{"negotiations.insert", "INSERT", "negotiations", R"sql(
INSERT INTO negotiations (request_id, session_token, agent_did, item_id, bid_amount, currency,
                          outcome, price, reason_code, message, reservation_code, ui_template,
                          ui_context, strategy, trace_id, created_at, valid_until)
VALUES ($1, $2, $3, $4, $5::double precision, $6, $7, $8::double precision, $9, $10, $11, $12,
        $13::jsonb, $14, $15, to_timestamp($16::bigint), to_timestamp($17::bigint)))sql"};
constexpr Statement kFindNegotiation{"negotiations.find", "SELECT", "negotiations", R"sql(
SELECT request_id, session_token, agent_did, item_id, bid_amount, currency, outcome, price,
       reason_code, message, reservation_code, ui_template, ui_context::text, strategy, trace_id,
       extract(epoch from created_at)::bigint, extract(epoch from valid_until)::bigint
FROM negotiations WHERE request_id = $1)sql"};
constexpr Statement kCountValidNegotiations{
    "negotiations.count_valid", "SELECT", "negotiations",
    "SELECT count(*) FROM negotiations WHERE valid_until > to_timestamp($1::bigint)"};

constexpr const Statement* kPrepared[] = {
    &kPing,         &kMigrationApplied,  &kRecordMigration, &kSchemaVersion,
    &kFindItem,     &kListItems,         &kListActiveItems, &kUpsertItem,
    &kSetEmbedding, &kInsertNegotiation, &kFindNegotiation, &kCountValidNegotiations,
    &kChangeHorizon, &kListItemsUpdatedSince,
};

// --- helpers ---

// Doubles travel as shortest round-trip text so a stored price reads back exactly.
std::string DoubleText(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, end);
}

double FieldDouble(const pqxx::field& f) {
  double v = 0;
  const char* s = f.c_str();
  std::from_chars(s, s + f.size(), v);
  return v;
}

std::string FieldText(const pqxx::field& f) {
  return f.is_null() ? std::string() : std::string(f.c_str(), f.size());
}

bool IsConnectionLoss(const pqxx::sql_error& e) {
  const std::string& state = e.sqlstate();
  // 08xxx connection exception; 57P01..03 admin/crash shutdown, cannot connect now.
  return state.rfind("08", 0) == 0 || state.rfind("57P0", 0) == 0;
}

// Maps the exception in flight to a Status. Called inside a catch block.
Status StatusFromCurrentException(std::string_view what_failed) {
  const std::string prefix = std::string(what_failed) + ": ";
  try {
    throw;
  } catch (const pqxx::in_doubt_error& e) {
    return common::UnavailableError(prefix + "connection lost during commit: " + e.what());
  } catch (const pqxx::broken_connection& e) {
    return common::UnavailableError(prefix + "database connection lost: " + e.what());
  } catch (const pqxx::unique_violation& e) {
    return common::AlreadyExistsError(prefix + e.what());
  } catch (const pqxx::integrity_constraint_violation& e) {
    return common::InvalidArgumentError(prefix + e.what());
  } catch (const pqxx::data_exception& e) {
    return common::InvalidArgumentError(prefix + e.what());
  } catch (const pqxx::sql_error& e) {
    if (IsConnectionLoss(e)) return common::UnavailableError(prefix + e.what());
    if (e.sqlstate() == "57014") return common::DeadlineExceededError(prefix + e.what());
    return common::InternalError(prefix + e.what() + " [" + e.sqlstate() + "]");
  } catch (const std::exception& e) {
    return common::InternalError(prefix + e.what());
  } catch (...) {
    return common::InternalError(prefix + "unknown error");
  }
}

Result<Item> ReadItem(const pqxx::row& row) {
  Item item;
  item.id = FieldText(row[0]);
  item.name = FieldText(row[1]);
  item.description = FieldText(row[2]);
  item.base_price = FieldDouble(row[3]);
  item.floor_price = FieldDouble(row[4]);
  item.active = row[5].as<bool>();
  AURA_ASSIGN_OR_RETURN(item.meta_json, NormalizeJsonObject(FieldText(row[6])));
  if (!row[7].is_null()) {
    pqxx::binarystring bytes(row[7]);
    AURA_ASSIGN_OR_RETURN(item.embedding,
                          DecodeEmbedding(std::string_view(
                              reinterpret_cast<const char*>(bytes.data()), bytes.size())));
  }
  item.embedding_model = FieldText(row[8]);
  item.created_at = row[9].as<int64_t>();
  item.updated_at = row[10].as<int64_t>();
  return item;
}

Result<NegotiationRecord> ReadNegotiation(const pqxx::row& row) {
  NegotiationRecord r;
  r.request_id = FieldText(row[0]);
  r.session_token = FieldText(row[1]);
  r.agent_did = FieldText(row[2]);
  r.item_id = FieldText(row[3]);
  r.bid_amount = FieldDouble(row[4]);
  r.currency = FieldText(row[5]);
  if (!ParseOutcome(FieldText(row[6]), r.outcome)) {
    return common::InternalError("stored negotiation has an unknown outcome");
  }
  r.price = FieldDouble(row[7]);
  r.reason_code = FieldText(row[8]);
  r.message = FieldText(row[9]);
  r.reservation_code = FieldText(row[10]);
  r.ui_template = FieldText(row[11]);
  AURA_ASSIGN_OR_RETURN(r.ui_context, StringMapFromJson(FieldText(row[12])));
  r.strategy = FieldText(row[13]);
  r.trace_id = FieldText(row[14]);
  r.created_at = row[15].as<int64_t>();
  r.valid_until = row[16].as<int64_t>();
  return r;
}

bool HasParam(const std::string& url, std::string_view key) {
  const size_t q = url.find('?');
  if (q == std::string::npos) return false;
  std::string needle(key);
  needle += '=';
  for (size_t pos = q + 1; pos < url.size();) {
    if (url.compare(pos, needle.size(), needle) == 0) return true;
    pos = url.find('&', pos);
    if (pos == std::string::npos) break;
    ++pos;
  }
  return false;
}

}  // namespace

// A pqxx connection with every statement of kPrepared defined on it. Used by
// one thread at a time.
struct PostgresStore::Connection {
  explicit Connection(const std::string& conninfo) : conn(conninfo) {
    for (const Statement* s : kPrepared) conn.prepare(std::string(s->name), std::string(s->sql));
  }
  pqxx::connection conn;
};

namespace {

// The only path a statement takes to the database (the telemetry hook).
template <typename... Args>
pqxx::result Exec(const StatementObserver& observer, pqxx::transaction_base& tx,
                  const Statement& statement, Args&&... args) {
  pqxx::result result;
  std::exception_ptr error;
  (void)internal::ObserveStatement(observer, kDbSystem, statement, [&]() -> Status {
    try {
      result = tx.exec_prepared(std::string(statement.name), std::forward<Args>(args)...);
      return Status();
    } catch (...) {
      error = std::current_exception();
      return StatusFromCurrentException(statement.name);
    }
  });
  if (error) std::rethrow_exception(error);
  return result;
}

// The same for a script of one or more statements (simple query protocol).
void ExecScript(const StatementObserver& observer, pqxx::transaction_base& tx,
                const Statement& statement) {
  std::exception_ptr error;
  (void)internal::ObserveStatement(observer, kDbSystem, statement, [&]() -> Status {
    try {
      tx.exec(std::string(statement.sql), std::string(statement.name));
      return Status();
    } catch (...) {
      error = std::current_exception();
      return StatusFromCurrentException(statement.name);
    }
  });
  if (error) std::rethrow_exception(error);
}

}  // namespace

std::string PostgresConnInfo(const StoreOptions& options) {
  std::string url = options.url;
  auto add = [&url](std::string_view key, const std::string& value) {
    if (HasParam(url, key)) return;
    url += url.find('?') == std::string::npos ? '?' : '&';
    url += key;
    url += '=';
    url += value;
  };
  const int64_t timeout_ms = options.acquire_timeout.count();
  // libpq waits whole seconds (at least 2) to connect.
  add("connect_timeout", std::to_string(std::max<int64_t>(2, (timeout_ms + 999) / 1000)));
  // A dead peer fails a send after this long instead of the kernel's ~15 minutes.
  add("tcp_user_timeout", std::to_string(std::max<int64_t>(1000, timeout_ms)));
  add("keepalives_idle", "30");
  add("application_name", "aura");
  add("options", "-c%20statement_timeout%3D" + std::to_string(options.statement_timeout.count()));
  return url;
}

PostgresStore::PostgresStore(const StoreOptions& options)
    : options_(options),
      conninfo_(PostgresConnInfo(options)),
      clock_(options.clock != nullptr ? *options.clock : common::SystemClock::Instance()) {
  pool_ = std::make_unique<Pool>(
      internal::ConnectionPoolOptions{
          .max_size = static_cast<size_t>(options.pool_size > 0 ? options.pool_size : 1),
          .acquire_timeout = options.acquire_timeout},
      [this] { return OpenConnection(); });
}

PostgresStore::~PostgresStore() = default;

Result<std::unique_ptr<PostgresStore>> PostgresStore::Open(const StoreOptions& options) {
  std::unique_ptr<PostgresStore> store(new PostgresStore(options));
  AURA_RETURN_IF_ERROR(store->Ping());
  return store;
}

Result<std::unique_ptr<PostgresStore::Connection>> PostgresStore::OpenConnection() {
  try {
    return std::make_unique<Connection>(conninfo_);
  } catch (...) {
    Status s = StatusFromCurrentException("connect");
    // Whatever stops a connection (refused, bad password, unknown database) means
    // the database cannot serve us now.
    return common::UnavailableError(s.message());
  }
}

template <typename Fn>
Status PostgresStore::WithConnection(Fn&& fn) {
  for (int attempt = 0;; ++attempt) {
    AURA_ASSIGN_OR_RETURN(auto lease, pool_->Acquire());
    Status status;
    bool lost = false;
    try {
      return fn(*lease);
    } catch (const pqxx::in_doubt_error&) {
      // The commit may or may not have happened: never retry.
      lease.Discard();
      pool_->DiscardIdle();
      return StatusFromCurrentException("commit");
    } catch (const pqxx::broken_connection&) {
      status = StatusFromCurrentException("query");
      lost = true;
    } catch (const pqxx::sql_error& e) {
      status = StatusFromCurrentException("query");
      lost = IsConnectionLoss(e) || !lease->conn.is_open();
    } catch (...) {
      status = StatusFromCurrentException("query");
      lost = !lease->conn.is_open();
    }
    if (!lost) return status;
    lease.Discard();
    pool_->DiscardIdle();
    // A reused connection may have died while idle (the server restarted): one
    // more try on a fresh one. A fresh connection failing means the server is down.
    if (lease.fresh() || attempt > 0) return status;
  }
}

Status PostgresStore::Ping() {
  return WithConnection([&](Connection& c) {
    pqxx::nontransaction tx(c.conn);
    Exec(options_.statement_observer, tx, kPing);
    return Status();
  });
}

Result<int> PostgresStore::Migrate() {
  const StatementObserver& obs = options_.statement_observer;
  int version = 0;
  Status status = WithConnection([&](Connection& c) -> Status {
    {
      pqxx::work tx(c.conn);
      ExecScript(obs, tx, kMigrationLock);
      ExecScript(obs, tx, kCreateMigrationsTable);
      tx.commit();
    }
    for (const Migration& m : Migrations(SqlDialect::kPostgres)) {
      const std::string name = "migration." + std::to_string(m.version) + "_" + std::string(m.name);
      const Statement script{name, "DDL", "schema", m.sql};
      pqxx::work tx(c.conn);
      // Every migrating process waits here, so each migration runs exactly once.
      ExecScript(obs, tx, kMigrationLock);
      if (!Exec(obs, tx, kMigrationApplied, m.version).empty()) continue;
      try {
        ExecScript(obs, tx, script);
      } catch (const pqxx::sql_error& e) {
        if (IsConnectionLoss(e)) throw;
        return common::InternalError("migration " + std::to_string(m.version) + " (" +
                                     std::string(m.name) + ") failed: " + e.what());
      }
      Exec(obs, tx, kRecordMigration, m.version, std::string(m.name));
      tx.commit();
    }
    pqxx::nontransaction tx(c.conn);
    version = Exec(obs, tx, kSchemaVersion)[0][0].as<int>();
    return Status();
  });
  if (!status.ok()) return status;
  return version;
}

Result<Item> PostgresStore::FindItem(const std::string& id) {
  std::optional<Item> found;
  AURA_RETURN_IF_ERROR(WithConnection([&](Connection& c) -> Status {
    pqxx::nontransaction tx(c.conn);
    pqxx::result r = Exec(options_.statement_observer, tx, kFindItem, id);
    if (r.empty()) return Status();
    AURA_ASSIGN_OR_RETURN(Item item, ReadItem(r[0]));
    found = std::move(item);
    return Status();
  }));
  if (!found) return common::NotFoundError("item '" + id + "' not found");
  return std::move(*found);
}

Result<std::vector<Item>> PostgresStore::ListItems(bool active_only) {
  std::vector<Item> items;
  AURA_RETURN_IF_ERROR(WithConnection([&](Connection& c) -> Status {
    items.clear();
    pqxx::nontransaction tx(c.conn);
    pqxx::result r =
        Exec(options_.statement_observer, tx, active_only ? kListActiveItems : kListItems);
    items.reserve(r.size());
    for (const pqxx::row& row : r) {
      AURA_ASSIGN_OR_RETURN(Item item, ReadItem(row));
      items.push_back(std::move(item));
    }
    return Status();
  }));
  return items;
}

// Every transaction with an id below the snapshot's xmin had ended when the
// horizon was read, so its writes are visible to the item query that follows;
// writes of transactions still running then have ids >= xmin and are read by
// the next call, whose cursor is this xmin. (A sequence or a timestamp taken
// inside the writing transaction would let a late commit slip behind a cursor
// that already moved past it.) Items that changed before but also have
// change_xid >= cursor are read twice, which the contract allows.
Result<ItemChanges> PostgresStore::ListItemsUpdatedSince(int64_t cursor) {
  ItemChanges changes;
  AURA_RETURN_IF_ERROR(WithConnection([&](Connection& c) -> Status {
    changes = ItemChanges{};
    pqxx::nontransaction tx(c.conn);
    const std::string horizon = FieldText(Exec(options_.statement_observer, tx, kChangeHorizon)[0][0]);
    int64_t next = 0;
    if (auto [end, ec] = std::from_chars(horizon.data(), horizon.data() + horizon.size(), next);
        ec != std::errc() || end != horizon.data() + horizon.size()) {
      return common::InternalError("unexpected transaction horizon '" + horizon + "'");
    }
    pqxx::result r = Exec(options_.statement_observer, tx, kListItemsUpdatedSince,
                          std::to_string(std::max<int64_t>(cursor, 0)));
    changes.items.reserve(r.size());
    for (const pqxx::row& row : r) {
      AURA_ASSIGN_OR_RETURN(Item item, ReadItem(row));
      changes.items.push_back(std::move(item));
    }
    changes.next_cursor = std::max(next, cursor);
    return Status();
  }));
  return changes;
}

Status PostgresStore::UpsertItems(const std::vector<Item>& items) {
  // Validate everything before touching the database: all or nothing.
  std::vector<std::string> metas;
  metas.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    Status s = ValidateItem(items[i]);
    if (!s.ok()) {
      return common::InvalidArgumentError("item " + std::to_string(i + 1) + " ('" + items[i].id +
                                          "'): " + s.message());
    }
    metas.push_back(NormalizeJsonObject(items[i].meta_json).value());
  }
  if (items.empty()) return common::OkStatus();
  const int64_t now = clock_.NowUnixSeconds();
  return WithConnection([&](Connection& c) -> Status {
    pqxx::work tx(c.conn);
    for (size_t i = 0; i < items.size(); ++i) {
      const Item& item = items[i];
      try {
        Exec(options_.statement_observer, tx, kUpsertItem, item.id, item.name, item.description,
             DoubleText(item.base_price), DoubleText(item.floor_price), item.active, metas[i],
             pqxx::binarystring(EncodeEmbedding(item.embedding)),
             item.embedding.empty() ? std::string() : item.embedding_model, now);
      } catch (const pqxx::integrity_constraint_violation& e) {
        return common::InvalidArgumentError("item " + std::to_string(i + 1) + " ('" + item.id +
                                            "'): " + e.what());
      }
    }
    tx.commit();
    return Status();
  });
}

Status PostgresStore::SetEmbedding(const std::string& id, const std::vector<float>& embedding,
                                   const std::string& model) {
  const pqxx::binarystring bytes(EncodeEmbedding(embedding));
  bool updated = false;
  AURA_RETURN_IF_ERROR(WithConnection([&](Connection& c) -> Status {
    pqxx::nontransaction tx(c.conn);
    updated =
        Exec(options_.statement_observer, tx, kSetEmbedding, id, bytes, model).affected_rows() > 0;
    return Status();
  }));
  if (!updated) return common::NotFoundError("item '" + id + "' not found");
  return common::OkStatus();
}

Result<std::optional<NegotiationRecord>> PostgresStore::FindNegotiation(
    const std::string& request_id) {
  std::optional<NegotiationRecord> found;
  AURA_RETURN_IF_ERROR(WithConnection([&](Connection& c) -> Status {
    pqxx::nontransaction tx(c.conn);
    pqxx::result r = Exec(options_.statement_observer, tx, kFindNegotiation, request_id);
    if (r.empty()) return Status();
    AURA_ASSIGN_OR_RETURN(NegotiationRecord record, ReadNegotiation(r[0]));
    found = std::move(record);
    return Status();
  }));
  return found;
}

Status PostgresStore::InsertNegotiation(const NegotiationRecord& record) {
  AURA_RETURN_IF_ERROR(ValidateNegotiation(record));
  const std::string ui_context = StringMapToJson(record.ui_context);
  Status s = WithConnection([&](Connection& c) -> Status {
    // One statement in autocommit mode: atomic, and one round trip.
    pqxx::nontransaction tx(c.conn);
    Exec(options_.statement_observer, tx, kInsertNegotiation, record.request_id,
         record.session_token, record.agent_did, record.item_id, DoubleText(record.bid_amount),
         record.currency, std::string(OutcomeName(record.outcome)), DoubleText(record.price),
         record.reason_code, record.message, record.reservation_code, record.ui_template,
         ui_context, record.strategy, record.trace_id, record.created_at, record.valid_until);
    return Status();
  });
  if (s.code() == common::StatusCode::kAlreadyExists) {
    return common::AlreadyExistsError("negotiation '" + record.request_id + "' already stored");
  }
  return s;
}

Result<int64_t> PostgresStore::CountValidNegotiations(int64_t now_unix) {
  int64_t count = 0;
  AURA_RETURN_IF_ERROR(WithConnection([&](Connection& c) -> Status {
    pqxx::nontransaction tx(c.conn);
    count = Exec(options_.statement_observer, tx, kCountValidNegotiations, now_unix)[0][0]
                .as<int64_t>();
    return Status();
  }));
  return count;
}

}  // namespace aura::storage
