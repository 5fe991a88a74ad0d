// The live view of a pipeline run on a terminal: one status line on stderr,
// redrawn in place, with the nodes running (and for how long), done,
// failed and skipped.
#pragma once

#include "halter/pipeline.h"

#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace halter::cli {

class ProgressView {
public:
  ProgressView(const pipeline::Manifest &manifest, std::FILE *out);
  // RunOptions::on_event; from the run's threads.
  void onEvent(const pipeline::NodeEvent &event);
  // Redraws the line; from one thread, e.g. every 100 ms.
  void draw();
  // Erases the line (before the summary is printed).
  void clear();

private:
  std::string line(Clock::time_point now) const;

  std::FILE *out_;
  std::vector<std::string> ids_;
  std::mutex lock_;
  std::map<size_t, Clock::time_point> running_; // by node index: its start
  size_t done_ = 0, failed_ = 0, skipped_ = 0;
  bool drawn_ = false;
};

} // namespace halter::cli
