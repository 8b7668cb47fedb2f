// File: cli/traces.h
//
// The logic behind `aura traces`: the spans that aura-gateway and aura-core
// serve at GET /debug/traces (RecentSpanStore::QueryJson, spans as in
// telemetry/sdk/span_json.h) parsed, merged across services, grouped by trace
// and laid out as a trace list or a waterfall. Pure functions over parsed
// spans, so the formatting is testable without a running hive; the HTTP part
// is RunTraces in commands.h.
//
//   AURA_ASSIGN_OR_RETURN(std::vector<TraceSpan> spans, ParseTraceSpans(body_json));
//   std::vector<TraceSpan> merged = MergeSpans({gateway_spans, core_spans});
//   std::cout << FormatTraceList(GroupTraces(merged), style);
//   std::cout << FormatWaterfall(SpansOfTrace(merged, id), {.style = style, .bars = true});
//
// Thread-safe (pure functions).
//
// Status codes: ParseTraceSpans returns INVALID_ARGUMENT when the body is not
// the /debug/traces shape or a span lacks trace_id / span_id.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/terminal.h"
#include "common/status.h"

namespace aura::cli {

struct TraceSpan {
  std::string trace_id;
  std::string span_id;
  std::string parent_span_id;  // "" for a root
  std::string name;
  std::string service;
  std::string kind;
  int64_t start_unix_nano = 0;
  int64_t end_unix_nano = 0;
  bool error = false;                // status.code == "error"
  std::string status_description;
  // Trace ids of the spans this one links to in other traces (e.g. the
  // request whose transaction ran a group-committed INSERT).
  std::vector<std::string> linked_traces;
  nlohmann::json raw;  // the span object as served, for --json

  double duration_ms() const { return static_cast<double>(end_unix_nano - start_unix_nano) / 1e6; }
};

// Accepts the /debug/traces body ({"traces":[{…,"spans":[…]}]}), and also a
// flat {"spans":[…]} or a bare array of spans.
common::Result<std::vector<TraceSpan>> ParseTraceSpans(const nlohmann::json& body);

// All spans of all sources, one copy per (trace_id, span_id), in start order.
std::vector<TraceSpan> MergeSpans(const std::vector<std::vector<TraceSpan>>& sources);

struct TraceSummary {
  std::string trace_id;
  std::string root_name;              // earliest span without a parent in the set
  std::vector<std::string> services;  // sorted, distinct
  int64_t start_unix_nano = 0;        // first start
  int64_t end_unix_nano = 0;          // last end
  size_t span_count = 0;
  bool error = false;

  double duration_ms() const { return static_cast<double>(end_unix_nano - start_unix_nano) / 1e6; }
};

// One summary per trace id, newest (latest start) first.
std::vector<TraceSummary> GroupTraces(const std::vector<TraceSpan>& spans);

// The spans of `trace_id` (in the order given).
std::vector<TraceSpan> SpansOfTrace(const std::vector<TraceSpan>& spans, const std::string& trace_id);

struct WaterfallRow {
  const TraceSpan* span = nullptr;
  int depth = 0;
  bool parent_missing = false;  // has a parent id that is not among the spans
};

// Rows of one trace: each span under its parent (links followed across
// services), siblings and roots in start order. A span whose parent is not
// present starts a new tree at depth 0 and is flagged. Every span appears
// exactly once, even with bad (cyclic) links.
std::vector<WaterfallRow> BuildWaterfall(const std::vector<TraceSpan>& spans);

// A `width`-cell bar for [start, end] inside [trace_start, trace_end]: spaces
// before the span, then at least one '#'. All spaces when width <= 0.
std::string ScaleBar(int64_t start, int64_t end, int64_t trace_start, int64_t trace_end, int width);

struct WaterfallOptions {
  Style style{false};
  bool bars = false;   // draw the bar column (on a terminal)
  int bar_width = 40;
  // When > 0 (the terminal's columns), the bar narrows (to no less than 10
  // cells) so that a line fits.
  int max_line_width = 0;
};

// Header line, then one line per row: indented name, service, duration in ms,
// bar, an error mark, and the other traces the span links to.
std::string FormatWaterfall(const std::vector<TraceSpan>& spans, const WaterfallOptions& options);

// A table: time (UTC), trace id, root span, services, spans, duration, error.
std::string FormatTraceList(const std::vector<TraceSummary>& traces, const Style& style);

// "HH:MM:SS.mmm" (UTC) of a unix-nanosecond time.
std::string FormatClock(int64_t unix_nano);

// A trace id as given on the command line, lower-cased; INVALID_ARGUMENT
// unless 32 hex digits.
common::Result<std::string> NormalizeTraceId(const std::string& text);

}  // namespace aura::cli
