// File: common/status.h
//
// Status and Result<T>: how expected failures travel in Aura Hive. A Status
// carries a canonical code (the same numbers as gRPC's, as absl::Status does)
// and a message; Result<T> holds either a value or a non-OK Status.
//
//   Result<Item> FindItem(std::string_view id) {
//     if (id.empty()) return InvalidArgumentError("item_id must not be empty");
//     ...
//   }
//   AURA_ASSIGN_OR_RETURN(Item item, store.FindItem(id));
//
// Thread-compatible values.
#pragma once

#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace aura::common {

// Canonical codes; the numbers equal grpc::StatusCode.
enum class StatusCode : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

// Upper-case gRPC name of a code, e.g. "INVALID_ARGUMENT".
std::string_view StatusCodeName(StatusCode code) noexcept;

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const noexcept { return code_ == StatusCode::kOk; }
  StatusCode code() const noexcept { return code_; }
  const std::string& message() const noexcept { return message_; }
  // "INVALID_ARGUMENT: bid_amount must be positive", or "OK".
  std::string ToString() const;

  friend bool operator==(const Status&, const Status&) = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status OkStatus() { return {}; }
inline Status InvalidArgumentError(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFoundError(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExistsError(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status UnavailableError(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status InternalError(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
inline Status UnimplementedError(std::string m) { return {StatusCode::kUnimplemented, std::move(m)}; }
inline Status DeadlineExceededError(std::string m) { return {StatusCode::kDeadlineExceeded, std::move(m)}; }
inline Status FailedPreconditionError(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
inline Status ResourceExhaustedError(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
inline Status UnauthenticatedError(std::string m) { return {StatusCode::kUnauthenticated, std::move(m)}; }

// A value of T or a non-OK Status. Accessing value() of an error is a bug and
// aborts.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (std::get<Status>(v_).ok()) {
      std::cerr << "Result constructed from an OK status\n";
      std::abort();
    }
  }

  bool ok() const noexcept { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? Status() : std::get<Status>(v_); }

  T& value() & { Check(); return std::get<T>(v_); }
  const T& value() const& { Check(); return std::get<T>(v_); }
  T&& value() && { Check(); return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  void Check() const {
    if (!ok()) {
      std::cerr << "Result::value() on error: " << std::get<Status>(v_).ToString() << "\n";
      std::abort();
    }
  }
  std::variant<T, Status> v_;
};

}  // namespace aura::common

#define AURA_STATUS_CONCAT_INNER(a, b) a##b
#define AURA_STATUS_CONCAT(a, b) AURA_STATUS_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when `expr` is not OK.
#define AURA_RETURN_IF_ERROR(expr)                      \
  do {                                                  \
    ::aura::common::Status aura_status_ = (expr);       \
    if (!aura_status_.ok()) return aura_status_;        \
  } while (false)

// AURA_ASSIGN_OR_RETURN(T v, ResultExpr): declares v from a Result or returns
// its Status.
#define AURA_ASSIGN_OR_RETURN(lhs, expr) \
  AURA_ASSIGN_OR_RETURN_IMPL(AURA_STATUS_CONCAT(aura_result_, __LINE__), lhs, expr)
#define AURA_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()

// Fatal check for broken invariants (absl CHECK).
#define AURA_CHECK(cond)                                                              \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::cerr << __FILE__ << ":" << __LINE__ << ": check failed: " #cond << "\n";   \
      std::abort();                                                                   \
    }                                                                                 \
  } while (false)
