// libFuzzer target for pipeline manifests: any bytes parse to a manifest
// or a clear error, never a crash or a hang; a manifest that parses gives
// a graph whose print order holds every node exactly once, dependencies
// first, and a DOT text.
#include "halter/pipeline.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  using namespace halter::pipeline;
  std::string_view text(reinterpret_cast<const char *>(data), size);
  auto m = Manifest::parse(text, "fuzz.yaml");
  if (!m.ok()) {
    if (m.error().message.empty()) std::abort();
    return 0;
  }
  GraphInfo g = describeGraph(*m);
  if (g.order.size() != m->nodes.size()) std::abort();
  std::vector<bool> seen(m->nodes.size(), false);
  for (size_t v : g.order) {
    if (v >= seen.size() || seen[v]) std::abort();
    seen[v] = true;
  }
  (void)graphToDot(*m);
  return 0;
}
