// The run report as JSON (nlohmann-json) and as a summary for people.
#include "halter/pipeline.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace halter::pipeline {

namespace {

double milliseconds(std::chrono::nanoseconds d) {
  return double(d.count()) / 1e6;
}

nlohmann::json metadataJson(const Metadata &m) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto &[name, values] : m) {
    nlohmann::json inner = nlohmann::json::object();
    for (const auto &[k, v] : values) inner[k] = v;
    out[name] = std::move(inner);
  }
  return out;
}

// Payloads are bytes; JSON strings must be UTF-8, so invalid sequences
// become U+FFFD (as DAGwood's from_utf8_lossy prints them).
std::string lossyUtf8(const std::string &s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = len != 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k)
      ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (ok && len > 1) {
      uint32_t cp = c & (0x7F >> len);
      for (size_t k = 1; k < len; ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
      const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
      ok = cp >= min[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    }
    if (ok) {
      out.append(s, i, len);
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

} // namespace

std::string RunReport::toJson() const {
  nlohmann::json j;
  j["succeeded"] = succeeded;
  j["strategy"] = strategy;
  j["wall_ms"] = milliseconds(wall);
  j["final_output"] = has_final_output ? nlohmann::json(lossyUtf8(final_output)) : nullptr;
  j["metadata"] = metadataJson(metadata);
  nlohmann::json nodes = nlohmann::json::array();
  for (const NodeReport &n : this->nodes) {
    nlohmann::json e;
    e["id"] = n.id;
    e["outcome"] = nodeOutcomeName(n.outcome);
    if (!n.message.empty()) e["message"] = lossyUtf8(n.message);
    e["attempts"] = n.attempts;
    e["wall_ms"] = milliseconds(n.wall);
    e["fuel_used"] = n.fuel_used;
    e["peak_memory_bytes"] = n.peak_memory_bytes;
    e["output_bytes"] = n.output.size();
    if (n.outcome == NodeOutcome::Returned) e["output"] = lossyUtf8(n.output);
    e["metadata"] = metadataJson(n.metadata);
    nodes.push_back(std::move(e));
  }
  j["nodes"] = std::move(nodes);
  return j.dump(2) + "\n";
}

std::string RunReport::summary() const {
  std::string out;
  char line[512];
  size_t done = 0, failed = 0, skipped = 0;
  for (const NodeReport &n : nodes) {
    if (n.outcome == NodeOutcome::Returned)
      ++done;
    else if (n.outcome == NodeOutcome::Skipped)
      ++skipped;
    else
      ++failed;
  }
  std::snprintf(line, sizeof line,
                "pipeline %s (%s): %zu returned, %zu failed, %zu skipped in %.1f ms\n",
                succeeded ? "succeeded" : "failed", strategy.c_str(), done, failed, skipped,
                milliseconds(wall));
  out += line;
  for (const NodeReport &n : nodes) {
    std::snprintf(line, sizeof line, "  %-24s %-11s %8.2f ms  attempts %u", n.id.c_str(),
                  nodeOutcomeName(n.outcome), milliseconds(n.wall), n.attempts);
    out += line;
    if (n.fuel_used) out += "  fuel " + std::to_string(n.fuel_used);
    if (n.peak_memory_bytes)
      out += "  memory " + std::to_string(n.peak_memory_bytes / 1024) + " KiB";
    if (n.outcome == NodeOutcome::Returned)
      out += "  output " + std::to_string(n.output.size()) + " B";
    if (!n.message.empty()) out += "\n      " + lossyUtf8(n.message);
    out += "\n";
  }
  return out;
}

} // namespace halter::pipeline
