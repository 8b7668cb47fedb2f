#include "storage/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "storage/internal/statement.h"
#include "storage/migrations/migrations.h"
#include "storage/validation.h"

namespace aura::storage {
namespace {

using internal::Statement;

constexpr std::string_view kDbSystem = "sqlite";

// --- SQL statements (named constants; the name is the span name) ---

constexpr Statement kBeginImmediate{"transaction.begin", "BEGIN", "", "BEGIN IMMEDIATE"};
constexpr Statement kCommit{"transaction.commit", "COMMIT", "", "COMMIT"};
constexpr Statement kRollback{"transaction.rollback", "ROLLBACK", "", "ROLLBACK"};
constexpr Statement kPing{"ping", "SELECT", "", "SELECT 1"};

constexpr Statement kCreateMigrationsTable{"schema_migrations.create", "DDL", "schema_migrations",
                                           R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT    NOT NULL,
  applied_at INTEGER NOT NULL
))sql"};
constexpr Statement kMigrationApplied{"schema_migrations.find", "SELECT", "schema_migrations",
                                      "SELECT 1 FROM schema_migrations WHERE version = ?1"};
constexpr Statement kRecordMigration{
    "schema_migrations.insert", "INSERT", "schema_migrations",
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)"};
constexpr Statement kSchemaVersion{"schema_migrations.version", "SELECT", "schema_migrations",
                                   "SELECT coalesce(max(version), 0) FROM schema_migrations"};

#define AURA_ITEM_COLUMNS                                                                      \
  "id, name, description, base_price, floor_price, active, meta, embedding, embedding_model, " \
  "created_at, updated_at"

constexpr Statement kFindItem{"items.find", "SELECT", "items",
                              "SELECT " AURA_ITEM_COLUMNS " FROM items WHERE id = ?1"};
constexpr Statement kListItems{"items.list", "SELECT", "items",
                               "SELECT " AURA_ITEM_COLUMNS " FROM items ORDER BY id"};
constexpr Statement kListActiveItems{"items.list_active", "SELECT", "items",
                                     "SELECT " AURA_ITEM_COLUMNS
                                     " FROM items WHERE active = 1 ORDER BY id"};
// The revision is the last column (after the item's).
constexpr Statement kListItemsUpdatedSince{"items.list_updated_since", "SELECT", "items",
                                           "SELECT " AURA_ITEM_COLUMNS
                                           ", revision FROM items WHERE revision >= ?1 ORDER BY id"};
// An empty embedding keeps the stored one only while the text it was made from is unchanged.
// Every write takes the next revision: writers hold SQLite's write lock (BEGIN IMMEDIATE), so
// revisions commit in order and a reader never sees a higher one before a lower one.
constexpr Statement kUpsertItem{"items.upsert", "UPSERT", "items", R"sql(
INSERT INTO items (id, name, description, base_price, floor_price, active, meta,
                   embedding, embedding_model, created_at, updated_at, revision)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10,
        (SELECT coalesce(max(revision), 0) + 1 FROM items))
ON CONFLICT (id) DO UPDATE SET
  revision = excluded.revision,
  name = excluded.name,
  description = excluded.description,
  base_price = excluded.base_price,
  floor_price = excluded.floor_price,
  active = excluded.active,
  meta = excluded.meta,
  embedding = CASE
    WHEN excluded.embedding IS NOT NULL THEN excluded.embedding
    WHEN items.name = excluded.name AND items.description = excluded.description
      THEN items.embedding
    ELSE NULL END,
  embedding_model = CASE
    WHEN excluded.embedding IS NOT NULL THEN excluded.embedding_model
    WHEN items.name = excluded.name AND items.description = excluded.description
      THEN items.embedding_model
    ELSE '' END,
  updated_at = excluded.updated_at)sql"};
constexpr Statement kSetEmbedding{
    "items.set_embedding", "UPDATE", "items",
    "UPDATE items SET embedding = ?2, embedding_model = ?3 WHERE id = ?1"};

#undef AURA_ITEM_COLUMNS

constexpr Statement kInsertNegotiation{"negotiations.insert", "INSERT", "negotiations", R"sql(
INSERT INTO negotiations (request_id, session_token, agent_did, item_id, bid_amount, currency,
                          outcome, price, reason_code, message, reservation_code, ui_template,
                          ui_context, strategy, trace_id, created_at, valid_until)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17))sql"};
constexpr Statement kFindNegotiation{"negotiations.find", "SELECT", "negotiations", R"sql(
SELECT request_id, session_token, agent_did, item_id, bid_amount, currency, outcome, price,
       reason_code, message, reservation_code, ui_template, ui_context, strategy, trace_id,
       created_at, valid_until
FROM negotiations WHERE request_id = ?1)sql"};
constexpr Statement kCountValidNegotiations{
    "negotiations.count_valid", "SELECT", "negotiations",
    "SELECT count(*) FROM negotiations WHERE valid_until > ?1"};

// --- helpers ---

Status ErrorFromSqlite(sqlite3* db, int rc, const Statement& statement) {
  const std::string what = std::string(statement.name) + ": " +
                           (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
      return common::UnavailableError(what);
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return common::AlreadyExistsError(what);
      }
      return common::InvalidArgumentError(what);
    default:
      return common::InternalError(what);
  }
}

std::string ColumnText(sqlite3_stmt* stmt, int col) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, col));
  if (text == nullptr) return {};
  return std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt, col)));
}

std::string_view ColumnBlob(sqlite3_stmt* stmt, int col) {
  const void* blob = sqlite3_column_blob(stmt, col);
  if (blob == nullptr) return {};
  return std::string_view(static_cast<const char*>(blob),
                          static_cast<size_t>(sqlite3_column_bytes(stmt, col)));
}

// Binds values that outlive the statement's execution (SQLITE_STATIC).
class Binder {
 public:
  explicit Binder(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Binder& Text(std::string_view v) {
    if (v.data() == nullptr) v = "";  // a null pointer would bind SQL NULL
    Check(sqlite3_bind_text(stmt_, ++index_, v.data(), static_cast<int>(v.size()), SQLITE_STATIC));
    return *this;
  }
  // NULL for an empty blob.
  Binder& Blob(std::string_view v) {
    if (v.empty()) {
      Check(sqlite3_bind_null(stmt_, ++index_));
    } else {
      Check(
          sqlite3_bind_blob(stmt_, ++index_, v.data(), static_cast<int>(v.size()), SQLITE_STATIC));
    }
    return *this;
  }
  Binder& Real(double v) {
    Check(sqlite3_bind_double(stmt_, ++index_, v));
    return *this;
  }
  Binder& Int(int64_t v) {
    Check(sqlite3_bind_int64(stmt_, ++index_, v));
    return *this;
  }
  int rc() const { return rc_; }

 private:
  void Check(int rc) {
    if (rc != SQLITE_OK && rc_ == SQLITE_OK) rc_ = rc;
  }
  sqlite3_stmt* stmt_;
  int index_ = 0;
  int rc_ = SQLITE_OK;
};

Result<Item> ReadItem(sqlite3_stmt* stmt) {
  Item item;
  item.id = ColumnText(stmt, 0);
  item.name = ColumnText(stmt, 1);
  item.description = ColumnText(stmt, 2);
  item.base_price = sqlite3_column_double(stmt, 3);
  item.floor_price = sqlite3_column_double(stmt, 4);
  item.active = sqlite3_column_int(stmt, 5) != 0;
  item.meta_json = ColumnText(stmt, 6);
  AURA_ASSIGN_OR_RETURN(item.embedding, DecodeEmbedding(ColumnBlob(stmt, 7)));
  item.embedding_model = ColumnText(stmt, 8);
  item.created_at = sqlite3_column_int64(stmt, 9);
  item.updated_at = sqlite3_column_int64(stmt, 10);
  return item;
}

Result<NegotiationRecord> ReadNegotiation(sqlite3_stmt* stmt) {
  NegotiationRecord r;
  r.request_id = ColumnText(stmt, 0);
  r.session_token = ColumnText(stmt, 1);
  r.agent_did = ColumnText(stmt, 2);
  r.item_id = ColumnText(stmt, 3);
  r.bid_amount = sqlite3_column_double(stmt, 4);
  r.currency = ColumnText(stmt, 5);
  if (!ParseOutcome(ColumnText(stmt, 6), r.outcome)) {
    return common::InternalError("stored negotiation has an unknown outcome");
  }
  r.price = sqlite3_column_double(stmt, 7);
  r.reason_code = ColumnText(stmt, 8);
  r.message = ColumnText(stmt, 9);
  r.reservation_code = ColumnText(stmt, 10);
  r.ui_template = ColumnText(stmt, 11);
  AURA_ASSIGN_OR_RETURN(r.ui_context, StringMapFromJson(ColumnText(stmt, 12)));
  r.strategy = ColumnText(stmt, 13);
  r.trace_id = ColumnText(stmt, 14);
  r.created_at = sqlite3_column_int64(stmt, 15);
  r.valid_until = sqlite3_column_int64(stmt, 16);
  return r;
}

}  // namespace

// One SQLite connection with its prepared statements. Used by one thread at a time.
struct SqliteStore::Connection {
  sqlite3* db = nullptr;
  std::unordered_map<const Statement*, sqlite3_stmt*> prepared;

  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() {
    for (auto& [key, stmt] : prepared) sqlite3_finalize(stmt);
    if (db != nullptr) sqlite3_close_v2(db);
  }

  // The only path a statement takes to the database: prepares it once,
  // binds, steps through the rows and reports it to the observer.
  // bind(Binder&) fills the parameters; on_row(sqlite3_stmt*) returns a Status.
  template <typename Bind, typename OnRow>
  Status Exec(const StatementObserver& observer, const Statement& statement, Bind&& bind,
              OnRow&& on_row) {
    return internal::ObserveStatement(observer, kDbSystem, statement, [&]() -> Status {
      sqlite3_stmt* stmt = nullptr;
      auto it = prepared.find(&statement);
      if (it != prepared.end()) {
        stmt = it->second;
      } else {
        int rc =
            sqlite3_prepare_v3(db, statement.sql.data(), static_cast<int>(statement.sql.size()),
                               SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
        if (rc != SQLITE_OK) return ErrorFromSqlite(db, rc, statement);
        prepared.emplace(&statement, stmt);
      }
      Binder binder(stmt);
      bind(binder);
      Status status;
      if (binder.rc() != SQLITE_OK) {
        status = ErrorFromSqlite(db, binder.rc(), statement);
      } else {
        while (true) {
          int rc = sqlite3_step(stmt);
          if (rc == SQLITE_ROW) {
            status = on_row(stmt);
            if (!status.ok()) break;
            continue;
          }
          if (rc != SQLITE_DONE) status = ErrorFromSqlite(db, rc, statement);
          break;
        }
      }
      sqlite3_reset(stmt);
      sqlite3_clear_bindings(stmt);
      return status;
    });
  }

  Status Exec(const StatementObserver& observer, const Statement& statement) {
    return Exec(
        observer, statement, [](Binder&) {}, [](sqlite3_stmt*) { return Status(); });
  }

  // A script of several statements (migrations), not prepared.
  Status ExecScript(const StatementObserver& observer, const Statement& statement) {
    return internal::ObserveStatement(observer, kDbSystem, statement, [&]() -> Status {
      std::string sql(statement.sql);
      int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
      if (rc != SQLITE_OK) return ErrorFromSqlite(db, rc, statement);
      return Status();
    });
  }
};

namespace {

// Runs `body` inside BEGIN IMMEDIATE ... COMMIT on `conn`, rolling back on error.
template <typename Conn, typename Body>
Status InTransaction(Conn& conn, const StatementObserver& observer, Body&& body) {
  AURA_RETURN_IF_ERROR(conn.Exec(observer, kBeginImmediate));
  Status status = body();
  if (status.ok()) status = conn.Exec(observer, kCommit);
  if (!status.ok()) (void)conn.Exec(observer, kRollback);
  return status;
}

}  // namespace

SqliteStore::SqliteStore(std::string path, const StoreOptions& options)
    : path_(std::move(path)),
      options_(options),
      clock_(options.clock != nullptr ? *options.clock : common::SystemClock::Instance()) {
  pool_ = std::make_unique<Pool>(
      internal::ConnectionPoolOptions{
          .max_size = static_cast<size_t>(options.pool_size > 0 ? options.pool_size : 1),
          .acquire_timeout = options.acquire_timeout},
      [this] { return OpenConnection(); });
}

SqliteStore::~SqliteStore() = default;

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                       const StoreOptions& options) {
  std::filesystem::path file(path);
  if (!file.is_absolute()) {
    return common::InvalidArgumentError("SQLite path must be absolute: '" + path + "'");
  }
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  if (ec) {
    return common::UnavailableError("cannot create directory '" + file.parent_path().string() +
                                    "': " + ec.message());
  }
  std::unique_ptr<SqliteStore> store(new SqliteStore(path, options));
  AURA_RETURN_IF_ERROR(store->Ping());
  return store;
}

Result<std::unique_ptr<SqliteStore::Connection>> SqliteStore::OpenConnection() {
  auto conn = std::make_unique<Connection>();
  int rc =
      sqlite3_open_v2(path_.c_str(), &conn->db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    return common::UnavailableError("cannot open SQLite database '" + path_ +
                                    "': " + sqlite3_errstr(rc));
  }
  sqlite3_extended_result_codes(conn->db, 1);
  sqlite3_busy_timeout(conn->db, static_cast<int>(options_.acquire_timeout.count()));
  // WAL: readers never block the writer nor each other. FULL: a commit is on
  // disk before it returns (a decision is stored before it is answered).
  static constexpr Statement kSetupDurable{
      "connection.setup", "PRAGMA", "",
      "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"};
  static constexpr Statement kSetupFast{
      "connection.setup", "PRAGMA", "",
      "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"};
  AURA_RETURN_IF_ERROR(conn->ExecScript(options_.statement_observer,
                                        options_.sync_commits ? kSetupDurable : kSetupFast));
  return conn;
}

Status SqliteStore::Ping() {
  AURA_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  return conn->Exec(options_.statement_observer, kPing);
}

Result<int> SqliteStore::Migrate() {
  const StatementObserver& obs = options_.statement_observer;
  AURA_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  AURA_RETURN_IF_ERROR(conn->Exec(obs, kCreateMigrationsTable));
  for (const Migration& m : Migrations(SqlDialect::kSqlite)) {
    const std::string name = "migration." + std::to_string(m.version) + "_" + std::string(m.name);
    const Statement script{name, "DDL", "schema", m.sql};
    Status status = InTransaction(*conn, obs, [&]() -> Status {
      bool applied = false;
      AURA_RETURN_IF_ERROR(conn->Exec(
          obs, kMigrationApplied, [&](Binder& b) { b.Int(m.version); },
          [&](sqlite3_stmt*) {
            applied = true;
            return Status();
          }));
      if (applied) return Status();
      AURA_RETURN_IF_ERROR(conn->ExecScript(obs, script));
      return conn->Exec(
          obs, kRecordMigration,
          [&](Binder& b) { b.Int(m.version).Text(m.name).Int(clock_.NowUnixSeconds()); },
          [](sqlite3_stmt*) { return Status(); });
    });
    if (!status.ok()) {
      return common::Status(status.code(), "migration " + std::to_string(m.version) + " (" +
                                               std::string(m.name) +
                                               ") failed: " + status.message());
    }
  }
  int version = 0;
  AURA_RETURN_IF_ERROR(conn->Exec(
      obs, kSchemaVersion, [](Binder&) {},
      [&](sqlite3_stmt* stmt) {
        version = sqlite3_column_int(stmt, 0);
        return Status();
      }));
  return version;
}

Result<Item> SqliteStore::FindItem(const std::string& id) {
  AURA_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  std::optional<Item> found;
  AURA_RETURN_IF_ERROR(conn->Exec(
      options_.statement_observer, kFindItem, [&](Binder& b) { b.Text(id); },
      [&](sqlite3_stmt* stmt) -> Status {
        AURA_ASSIGN_OR_RETURN(Item item, ReadItem(stmt));
        found = std::move(item);
        return Status();
      }));
  if (!found) return common::NotFoundError("item '" + id + "' not found");
  return std::move(*found);
}

Result<std::vector<Item>> SqliteStore::ListItems(bool active_only) {
  AURA_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  std::vector<Item> items;
  AURA_RETURN_IF_ERROR(conn->Exec(
      options_.statement_observer, active_only ? kListActiveItems : kListItems, [](Binder&) {},
      [&](sqlite3_stmt* stmt) -> Status {
        AURA_ASSIGN_OR_RETURN(Item item, ReadItem(stmt));
        items.push_back(std::move(item));
        return Status();
      }));
  return items;
}

Result<ItemChanges> SqliteStore::ListItemsUpdatedSince(int64_t cursor) {
  AURA_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  ItemChanges changes;
  changes.next_cursor = cursor;
  // One statement reads one snapshot; the highest revision in it is the newest write.
  AURA_RETURN_IF_ERROR(conn->Exec(
      options_.statement_observer, kListItemsUpdatedSince, [&](Binder& b) { b.Int(cursor); },
      [&](sqlite3_stmt* stmt) -> Status {
        AURA_ASSIGN_OR_RETURN(Item item, ReadItem(stmt));
        changes.items.push_back(std::move(item));
        changes.next_cursor =
            std::max<int64_t>(changes.next_cursor, sqlite3_column_int64(stmt, 11) + 1);
        return Status();
      }));
  return changes;
}

Status SqliteStore::UpsertItems(const std::vector<Item>& items) {
  // Validate everything before touching the database: all or nothing.
  std::vector<std::string> metas;
  std::vector<std::string> embeddings;
  metas.reserve(items.size());
  embeddings.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    Status s = ValidateItem(items[i]);
    if (!s.ok()) {
      return common::InvalidArgumentError("item " + std::to_string(i + 1) + " ('" + items[i].id +
                                          "'): " + s.message());
    }
    metas.push_back(NormalizeJsonObject(items[i].meta_json).value());
    embeddings.push_back(EncodeEmbedding(items[i].embedding));
  }
  if (items.empty()) return common::OkStatus();
  const int64_t now = clock_.NowUnixSeconds();
  const StatementObserver& obs = options_.statement_observer;
  AURA_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  return InTransaction(*conn, obs, [&]() -> Status {
    for (size_t i = 0; i < items.size(); ++i) {
      const Item& item = items[i];
      Status s = conn->Exec(
          obs, kUpsertItem,
          [&](Binder& b) {
            b.Text(item.id)
                .Text(item.name)
                .Text(item.description)
                .Real(item.base_price)
                .Real(item.floor_price)
                .Int(item.active ? 1 : 0)
                .Text(metas[i])
                .Blob(embeddings[i])
                .Text(item.embedding.empty() ? std::string_view() : item.embedding_model)
                .Int(now);
          },
          [](sqlite3_stmt*) { return Status(); });
      if (!s.ok()) {
        return Status(s.code(),
                      "item " + std::to_string(i + 1) + " ('" + item.id + "'): " + s.message());
      }
    }
    return Status();
  });
}

Status SqliteStore::SetEmbedding(const std::string& id, const std::vector<float>& embedding,
                                 const std::string& model) {
  const std::string bytes = EncodeEmbedding(embedding);
  AURA_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  AURA_RETURN_IF_ERROR(conn->Exec(
      options_.statement_observer, kSetEmbedding,
      [&](Binder& b) { b.Text(id).Blob(bytes).Text(model); },
      [](sqlite3_stmt*) { return Status(); }));
  if (sqlite3_changes(conn->db) == 0) return common::NotFoundError("item '" + id + "' not found");
  return common::OkStatus();
}

Result<std::optional<NegotiationRecord>> SqliteStore::FindNegotiation(
    const std::string& request_id) {
  AURA_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  std::optional<NegotiationRecord> found;
  AURA_RETURN_IF_ERROR(conn->Exec(
      options_.statement_observer, kFindNegotiation, [&](Binder& b) { b.Text(request_id); },
      [&](sqlite3_stmt* stmt) -> Status {
        AURA_ASSIGN_OR_RETURN(NegotiationRecord r, ReadNegotiation(stmt));
        found = std::move(r);
        return Status();
      }));
  return found;
}

// Group commit: concurrent callers queue their records; whichever finds no
// commit running becomes the leader, writes up to kMaxCommitBatch queued
// records in one transaction (one fsync for all), hands each caller its own
// result and steps down; the others sleep until theirs is done. The mutex only
// guards the queue, never a database call.
Status SqliteStore::InsertNegotiation(const NegotiationRecord& record) {
  AURA_RETURN_IF_ERROR(ValidateNegotiation(record));
  PendingInsert mine{.record = &record, .ui_context = StringMapToJson(record.ui_context)};
  if (options_.capture_caller) mine.as_caller = options_.capture_caller();
  std::unique_lock lock(commit_mu_);
  commit_queue_.push_back(&mine);
  while (!mine.done) {
    if (committing_) {
      commit_cv_.wait(lock);
      continue;
    }
    committing_ = true;
    const size_t n = std::min(commit_queue_.size(), kMaxCommitBatch);
    std::vector<PendingInsert*> batch(commit_queue_.begin(), commit_queue_.begin() + n);
    commit_queue_.erase(commit_queue_.begin(), commit_queue_.begin() + n);
    lock.unlock();
    CommitBatch(batch);
    lock.lock();
    for (PendingInsert* p : batch) p->done = true;
    committing_ = false;
    commit_cv_.notify_all();
  }
  return mine.status;
}

void SqliteStore::CommitBatch(const std::vector<PendingInsert*>& batch) {
  const StatementObserver& obs = options_.statement_observer;
  auto conn = pool_->Acquire();
  if (!conn.ok()) {
    for (PendingInsert* p : batch) p->status = conn.status();
    return;
  }
  Status tx = InTransaction(**conn, obs, [&]() -> Status {
    for (PendingInsert* p : batch) {
      const NegotiationRecord& r = *p->record;
      Status s;
      auto insert = [&] {
        s = (*conn)->Exec(
            obs, kInsertNegotiation,
            [&](Binder& b) {
              b.Text(r.request_id)
                  .Text(r.session_token)
                  .Text(r.agent_did)
                  .Text(r.item_id)
                  .Real(r.bid_amount)
                  .Text(r.currency)
                  .Text(OutcomeName(r.outcome))
                  .Real(r.price)
                  .Text(r.reason_code)
                  .Text(r.message)
                  .Text(r.reservation_code)
                  .Text(r.ui_template)
                  .Text(p->ui_context)
                  .Text(r.strategy)
                  .Text(r.trace_id)
                  .Int(r.created_at)
                  .Int(r.valid_until);
            },
            [](sqlite3_stmt*) { return Status(); });
      };
      // Each record runs in its caller's context (for tracing: in its trace).
      if (p->as_caller) {
        p->as_caller(insert);
      } else {
        insert();
      }
      // A constraint failure undoes only its own statement; the batch goes on.
      if (s.code() == common::StatusCode::kAlreadyExists) {
        p->status = common::AlreadyExistsError("negotiation '" + r.request_id + "' already stored");
      } else if (s.ok() || s.code() == common::StatusCode::kInvalidArgument) {
        p->status = s;
      } else {
        return s;  // the database itself failed: nothing of the batch is kept
      }
    }
    return Status();
  });
  if (!tx.ok()) {
    for (PendingInsert* p : batch) p->status = tx;
  }
}

Result<int64_t> SqliteStore::CountValidNegotiations(int64_t now_unix) {
  AURA_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  int64_t count = 0;
  AURA_RETURN_IF_ERROR(conn->Exec(
      options_.statement_observer, kCountValidNegotiations, [&](Binder& b) { b.Int(now_unix); },
      [&](sqlite3_stmt* stmt) {
        count = sqlite3_column_int64(stmt, 0);
        return Status();
      }));
  return count;
}

}  // namespace aura::storage
