#include "cli/terminal.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

namespace aura::cli {

bool IsTerminal(std::FILE* stream) noexcept { return ::isatty(::fileno(stream)) == 1; }

Style Style::ForStream(std::FILE* stream) {
  const char* no_color = std::getenv("NO_COLOR");
  return Style(IsTerminal(stream) && (no_color == nullptr || *no_color == '\0'));
}

std::string Style::Wrap(std::string_view code, std::string_view s) const {
  if (!enabled_) return std::string(s);
  std::string out;
  out.reserve(s.size() + 12);
  out.append("\x1b[").append(code).append("m").append(s).append("\x1b[0m");
  return out;
}

ProgressBar::ProgressBar(std::ostream& out, std::string label, size_t total, bool interactive)
    : out_(out), label_(std::move(label)), total_(total), interactive_(interactive) {
  Draw(true);
}

void ProgressBar::Advance(size_t n) {
  done_ = std::min(total_, done_ + n);
  Draw(false);
}

void ProgressBar::Finish() {
  if (finished_) return;
  done_ = total_;
  Draw(true);
  if (interactive_) out_ << "\n";
  out_.flush();
  finished_ = true;
}

void ProgressBar::Draw(bool force) {
  double fraction = total_ == 0 ? 1.0 : static_cast<double>(done_) / static_cast<double>(total_);
  if (!interactive_) {
    int quarter = static_cast<int>(fraction * 4.0);
    if (quarter == last_quarter_) return;
    last_quarter_ = quarter;
    out_ << label_ << ": " << done_ << "/" << total_ << " (" << quarter * 25 << "%)\n";
    return;
  }
  auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(50)) return;
  last_draw_ = now;
  constexpr int kWidth = 30;
  int filled = static_cast<int>(fraction * kWidth);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(kWidth - filled), '.');
  out_ << "\r" << label_ << " [" << bar << "] " << done_ << "/" << total_ << " ("
       << static_cast<int>(fraction * 100.0) << "%)" << std::flush;
}

}  // namespace aura::cli
