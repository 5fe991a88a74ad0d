// A guest "script" for examples/event_loop.cpp: it orchestrates slow work
// through host calls the host answers later. spawn_agent(task) starts a job
// and returns its handle; wait(handle) returns the job's result, or a
// negative code when the job failed (halter_last_error gives the message).
#include "halter/halter_guest.h"

HALTER_IMPORT("host", "spawn_agent") int32_t spawn_agent(int32_t task);
HALTER_IMPORT("host", "wait") int32_t wait(int32_t handle);

// Spawns three agents on tasks seed, seed+1, seed+2, waits for all of them
// and returns the sum of their results; a failed agent counts as 0.
HALTER_EXPORT("run") int32_t run(int32_t seed) {
  int32_t handles[3];
  for (int32_t i = 0; i < 3; ++i) handles[i] = spawn_agent(seed + i);
  int32_t sum = 0;
  for (int32_t i = 0; i < 3; ++i) {
    int32_t r = wait(handles[i]);
    if (r >= 0) sum += r;
  }
  return sum;
}
