// File: http/request_id.h
//
// X-Request-ID handling shared by every HTTP service: a client-supplied id is
// kept when it is sane (so a caller can follow its own id through the logs),
// anything else is replaced by a fresh random UUID.
//
//   std::string id = ResolveRequestId(req.Header("x-request-id"));
//
// Thread-safe (the generator is thread-local).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace aura::http {

// True for 1..128 characters of [A-Za-z0-9._:-].
bool IsSaneRequestId(std::string_view id) noexcept;

// A random version-4 UUID in its canonical 36-character lowercase form.
std::string GenerateRequestId();

// `incoming` when sane, otherwise a generated id.
std::string ResolveRequestId(std::optional<std::string_view> incoming);

}  // namespace aura::http
