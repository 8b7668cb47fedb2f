// File: core/search/text.h
//
// Text helpers of semantic search: the tokeniser every embedder shares, query
// clean-up (control characters, whitespace) and description snippets. They
// work on UTF-8 bytes with no locale and never fail: invalid UTF-8 is treated
// as a separator, so a query in any language or encoding is safe.
//
//   std::vector<std::string> tokens = Tokenize("Sea-view rooms, surfers' hostel");
//   // {"sea-view", "rooms", "surfers", "hostel"}
//   std::string q = CleanQuery("  cheap\tHOSTEL \x01 ");   // "cheap HOSTEL"
//   std::string s = Snippet(description, 160);
//
// Thread-safe (pure functions).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace aura::core::search {

// Splits text into lower-case word tokens. A token is a run of letters (ASCII
// letters and any non-ASCII code point outside the punctuation, symbol and
// space blocks); an apostrophe or hyphen between two letters stays inside the
// token ("o'neil", "sea-view"), anywhere else it separates. Digits and other
// characters separate. A trailing possessive "'s" or "s'" is kept for the
// embedder to resolve. Lower-casing covers ASCII, Latin-1, Latin Extended-A,
// Greek and Cyrillic. Tokens longer than 64 bytes are dropped.
std::vector<std::string> Tokenize(std::string_view text);

// The query as the user meant it: control characters (C0, DEL, C1) and invalid
// UTF-8 removed, runs of white space collapsed to one space, trimmed.
std::string CleanQuery(std::string_view query);

// The cache's form of a query: CleanQuery, then lower-cased as Tokenize does,
// so "Cheap  Hostel" and "cheap hostel" share an entry.
std::string NormalizeQuery(std::string_view query);

// A readable preview of a description: the first sentence when it fits in
// max_bytes, else the text cut at the last word boundary before max_bytes
// with "…" appended. Never splits a UTF-8 character.
std::string Snippet(std::string_view description, size_t max_bytes = 160);

}  // namespace aura::core::search
