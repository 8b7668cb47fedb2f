// File: cli/terminal.h
//
// Output helpers for the `aura` command: colour only on a terminal (and never
// when NO_COLOR is set), a progress bar that redraws one line on a terminal
// and prints plain milestone lines otherwise.
//
//   Style style = Style::ForStream(stdout);
//   std::cout << style.Green("✓") << " accepted\n";
//   ProgressBar bar(std::cout, "seeding", 250, IsTerminal(stdout));
//   for (...) bar.Advance();
//   bar.Finish();
//
// Thread-compatible.
#pragma once

#include <chrono>
#include <cstdio>
#include <ostream>
#include <string>
#include <string_view>

namespace aura::cli {

// True when `stream` is a terminal.
bool IsTerminal(std::FILE* stream) noexcept;

// ANSI styling that collapses to plain text when disabled.
class Style {
 public:
  explicit Style(bool enabled) : enabled_(enabled) {}
  // Enabled when the stream is a terminal and NO_COLOR is unset.
  static Style ForStream(std::FILE* stream);

  bool enabled() const { return enabled_; }
  std::string Bold(std::string_view s) const { return Wrap("1", s); }
  std::string Dim(std::string_view s) const { return Wrap("2", s); }
  std::string Red(std::string_view s) const { return Wrap("31", s); }
  std::string Green(std::string_view s) const { return Wrap("32", s); }
  std::string Yellow(std::string_view s) const { return Wrap("33", s); }
  std::string Blue(std::string_view s) const { return Wrap("34", s); }
  std::string Cyan(std::string_view s) const { return Wrap("36", s); }

 private:
  std::string Wrap(std::string_view code, std::string_view s) const;
  bool enabled_;
};

// A one-line progress display. On a terminal it redraws in place (at most
// every 50 ms); otherwise it prints a plain line at each 25 % step so that logs
// stay short.
class ProgressBar {
 public:
  ProgressBar(std::ostream& out, std::string label, size_t total, bool interactive);
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void Advance(size_t n = 1);
  // Draws 100 % (on a terminal) and ends the line.
  void Finish();

 private:
  void Draw(bool force);

  std::ostream& out_;
  std::string label_;
  size_t total_;
  size_t done_ = 0;
  bool interactive_;
  bool finished_ = false;
  int last_quarter_ = -1;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace aura::cli
