// Host calls that wait (DESIGN §5): several guests, each a script that
// spawns slow jobs and waits for them, driven from one thread. A host call
// that has to wait answers HostResult::suspend(); Execution::run() returns
// Suspended with the pending call, the event loop does the work later and
// resumes the guest with the answer (or an error) in whatever order the
// work completes. No guest holds a thread while it waits.
//
//   event_loop agent.wasm
#include "halter/halter.h"

#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <vector>

namespace {

// A simulated job: finishes `latency` ticks after it starts; task 13 fails.
struct Job {
  int32_t task = 0;
  int64_t done_at = 0;
};

} // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: event_loop agent.wasm\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
  auto module = halter::Module::compile(bytes);
  if (!module) {
    std::fprintf(stderr, "compile: %s\n", module.error().describe().c_str());
    return 1;
  }

  // spawn_agent answers at once (a handle); wait always suspends: the event
  // loop answers it when the job is done.
  int64_t now = 0; // simulated time, in ticks
  std::map<int32_t, Job> jobs;
  int32_t next_handle = 1;
  halter::Linker linker;
  linker.defineFunc("host", "spawn_agent", [&](int32_t task) {
    int32_t handle = next_handle++;
    jobs[handle] = Job{task, now + 10 + (task * 7) % 23};
    return handle;
  });
  linker.defineFunc(
      "host", "wait",
      [](halter::CallContext &ctx, int32_t) -> int32_t {
        ctx.answer(halter::HostResult::suspend());
        return 0;
      },
      halter::HostErrors::NegativeCode);

  // Four guests, one instance each, all started before any job is done.
  struct Guest {
    std::shared_ptr<halter::Instance> instance;
    std::optional<halter::Execution> run;
    int32_t waiting_on = 0; // the handle its pending wait() is for
  };
  std::vector<Guest> guests(4);
  for (size_t g = 0; g < guests.size(); ++g) {
    auto instance = linker.instantiate(*module);
    if (!instance) {
      std::fprintf(stderr, "instantiate: %s\n", instance.error().describe().c_str());
      return 1;
    }
    guests[g].instance = *instance;
    halter::Value seed = halter::Value::i32(int32_t(10 * g + 1));
    auto run = guests[g].instance->start("run", std::span(&seed, 1));
    guests[g].run.emplace(std::move(*run));
  }

  // The event loop: run every guest until it waits; then, tick by tick,
  // complete the jobs that are due and resume the guests waiting on them.
  size_t finished = 0;
  auto step = [&](size_t g) {
    auto ran = guests[g].run->run();
    if (!ran) {
      std::printf("guest %zu: %s\n", g, ran.error().describe().c_str());
      ++finished;
      return;
    }
    const halter::Outcome &out = *ran;
    if (out.kind == halter::OutcomeKind::Suspended) {
      guests[g].waiting_on = int32_t(out.pending.args[0].asI32());
    } else if (out.returned()) {
      std::printf("t=%3lld guest %zu finished: %d\n", static_cast<long long>(now), g,
                  int(out.results[0].asI32()));
      ++finished;
    } else {
      std::printf("guest %zu ended: %s\n", g, halter::outcomeKindName(out.kind));
      ++finished;
    }
  };
  for (size_t g = 0; g < guests.size(); ++g) step(g);
  while (finished < guests.size()) {
    ++now;
    for (size_t g = 0; g < guests.size(); ++g) {
      if (!guests[g].run->suspended()) continue;
      const Job &job = jobs.at(guests[g].waiting_on);
      if (job.done_at > now) continue;
      if (job.task == 13) {
        // The guest's wait() returns -1 and it carries on without this job.
        (void)guests[g].run->resumeWithError("agent for task 13 crashed");
        std::printf("t=%3lld guest %zu: job for task %d failed\n", static_cast<long long>(now), g,
                    int(job.task));
      } else {
        halter::Value result = halter::Value::i32(uint32_t(job.task * job.task));
        (void)guests[g].run->resume(std::span(&result, 1));
      }
      step(g);
    }
  }
  return 0;
}
