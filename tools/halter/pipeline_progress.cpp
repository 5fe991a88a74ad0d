#include "pipeline_progress.h"

#include <fmt/core.h>

#include <sys/ioctl.h>
#include <unistd.h>

namespace halter::cli {

using pipeline::NodeEvent;
using pipeline::NodeOutcome;

namespace {

size_t terminalColumns(std::FILE *out) {
  winsize w{};
  if (ioctl(fileno(out), TIOCGWINSZ, &w) == 0 && w.ws_col > 10) return w.ws_col;
  return 80;
}

} // namespace

ProgressView::ProgressView(const pipeline::Manifest &manifest, std::FILE *out) : out_(out) {
  for (const pipeline::NodeSpec &n : manifest.nodes) ids_.push_back(n.id);
}

void ProgressView::onEvent(const NodeEvent &event) {
  std::lock_guard<std::mutex> g(lock_);
  if (event.kind == NodeEvent::Kind::Started) {
    running_[event.node] = Clock::now();
    return;
  }
  running_.erase(event.node);
  const NodeOutcome o = event.report ? event.report->outcome : NodeOutcome::Failed;
  if (o == NodeOutcome::Returned)
    ++done_;
  else if (o == NodeOutcome::Skipped)
    ++skipped_;
  else
    ++failed_;
}

std::string ProgressView::line(Clock::time_point now) const {
  std::string s =
      fmt::format("[{}/{}] {} done, {} failed, {} skipped, {} running", done_ + failed_ + skipped_,
                  ids_.size(), done_, failed_, skipped_, running_.size());
  const char *sep = ": ";
  for (const auto &[node, since] : running_) {
    double secs = std::chrono::duration<double>(now - since).count();
    s += fmt::format("{}{} {:.1f}s", sep, ids_[node], secs);
    sep = ", ";
  }
  return s;
}

void ProgressView::draw() {
  std::string text;
  {
    std::lock_guard<std::mutex> g(lock_);
    text = line(Clock::now());
  }
  const size_t width = terminalColumns(out_) - 1;
  if (text.size() > width) {
    size_t cut = width - 3;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut; // UTF-8
    text = text.substr(0, cut) + "...";
  }
  // \r and "erase to end of line": the line is redrawn in place.
  fmt::print(out_, "\r{}\x1b[K", text);
  std::fflush(out_);
  drawn_ = true;
}

void ProgressView::clear() {
  if (!drawn_) return;
  fmt::print(out_, "\r\x1b[K");
  std::fflush(out_);
  drawn_ = false;
}

} // namespace halter::cli
