// Checks items 0..count-1 (function bodies) on several threads and reports
// the error a single thread walking them in order would report first: the
// lowest failing index. Decoding and validation of large modules use it.
#pragma once

#include "halter/result.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace halter {

inline constexpr unsigned kMaxCheckThreads = 4;

// Below 1 MiB of work, or with few items, a second thread costs more than it
// saves. `requested` 0 means the machine's cores.
inline unsigned checkThreads(uint64_t work_bytes, uint32_t items, unsigned requested) {
  if (work_bytes < (uint64_t{1} << 20) || items < 128) return 1;
  unsigned n = requested ? requested : std::thread::hardware_concurrency();
  return std::clamp(n, 1u, kMaxCheckThreads);
}

// `make_checker()` gives each thread its own callable `Result<void>(uint32_t)`.
// Items are taken in chunks from a shared counter. A failure at index i lets
// the threads skip every chunk after i but still finish every item before it,
// so the lowest failing index is always found.
template <class MakeChecker>
Result<void> checkInOrder(uint32_t count, unsigned threads, MakeChecker make_checker) {
  if (threads <= 1) {
    auto check = make_checker();
    for (uint32_t i = 0; i < count; ++i) HALTER_TRY(check(i));
    return okResult();
  }
  constexpr uint32_t kChunk = 64;
  std::atomic<uint32_t> next_chunk{0};
  std::atomic<uint32_t> first_failure{count};
  std::vector<std::optional<std::pair<uint32_t, Error>>> failures(threads);
  auto work = [&](unsigned worker) {
    auto check = make_checker();
    for (;;) {
      const uint32_t begin = next_chunk.fetch_add(kChunk, std::memory_order_relaxed);
      if (begin >= count || begin > first_failure.load(std::memory_order_relaxed)) return;
      const uint32_t end = std::min(count, begin + kChunk);
      for (uint32_t i = begin; i < end; ++i) {
        Result<void> r = check(i);
        if (r.ok()) continue;
        failures[worker].emplace(i, std::move(r).error());
        uint32_t seen = first_failure.load(std::memory_order_relaxed);
        while (i < seen && !first_failure.compare_exchange_weak(seen, i)) {
        }
        return; // chunks are taken in order: this thread's later ones fail later
      }
    }
  };
  std::vector<std::thread> helpers;
  // Out of threads: the ones started (at least this one) do all the work.
  try {
    for (unsigned w = 1; w < threads; ++w) helpers.emplace_back(work, w);
  } catch (const std::system_error &) {
  }
  work(0);
  for (std::thread &t : helpers) t.join();
  const std::pair<uint32_t, Error> *lowest = nullptr;
  for (const auto &f : failures)
    if (f && (!lowest || f->first < lowest->first)) lowest = &*f;
  if (lowest) return lowest->second;
  return okResult();
}

} // namespace halter
