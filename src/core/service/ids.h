// File: core/service/ids.h
//
// Identifiers the core makes and checks: request ids for requests that arrive
// without one, and the UUID syntax deal ids must have.
//
//   std::string id = NewRequestId();      // "3f2b8c1e-9a4d-4c2e-8f1a-0b6d5e7c9a12"
//   bool ok = IsUuid("3F2B8C1E9A4D4C2E8F1A0B6D5E7C9A12");   // true
//
// Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace aura::core {

// A random (version 4) UUID in its canonical lower-case 8-4-4-4-12 form.
std::string NewRequestId();

// True when `text` is a UUID in a form Python's uuid.UUID() accepts: 32 hex
// digits, optionally hyphenated, optionally in braces or after "urn:uuid:".
bool IsUuid(std::string_view text);

}  // namespace aura::core
