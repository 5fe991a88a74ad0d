// The guest of the suspension tests (tests/unit/api/suspend_test.cpp): a
// script that asks its host questions through a host call the host answers
// later (it suspends), with errors it can catch. Freestanding: no libc.
#include "halter/halter_guest.h"

// Writes the answer to `question` into `out` (at most `cap` bytes) and
// returns its length, or -code on an error (HostErrors::NegativeCode).
HALTER_IMPORT("host", "ask")
int32_t ask(const char *question, int32_t len, char *out, int32_t cap);

// Returns x + 1 (the resumability test answers it synchronously or not).
HALTER_IMPORT("host", "add_one")
int32_t add_one(int32_t x);

static char result[4096];

static int32_t length(const char *s) {
  int32_t n = 0;
  while (s[n] != 0) ++n;
  return n;
}

static int32_t append(int32_t at, const char *s, int32_t n) {
  for (int32_t i = 0; i < n && at < (int32_t)sizeof result - 1; ++i) result[at++] = s[i];
  result[at] = 0;
  return at;
}

// Asks `question`; on success appends the answer to the result at `at`, on
// an error appends "caught: <message>". Returns the new end of the result.
static int32_t askInto(const char *question, int32_t at) {
  char answer[512];
  int32_t n = ask(question, length(question), answer, sizeof answer);
  if (n >= 0) return append(at, answer, n < (int32_t)sizeof answer ? n : (int32_t)sizeof answer);
  char message[512];
  int32_t m = halter_last_error(message, sizeof message);
  at = append(at, "caught: ", 8);
  return append(at, message, m < (int32_t)sizeof message ? m : (int32_t)sizeof message);
}

// One question; returns the address of a NUL-terminated result.
HALTER_EXPORT("ask_once") const char *askOnce(void) {
  askInto("What is the answer?", 0);
  return result;
}

// Four questions in one call; the result joins the four answers with '+'.
HALTER_EXPORT("ask_four") const char *askFour(void) {
  static const char *const questions[] = {"one?", "two?", "three?", "four?"};
  int32_t at = 0;
  for (int i = 0; i < 4; ++i) {
    if (i > 0) at = append(at, "+", 1);
    at = askInto(questions[i], at);
  }
  return result;
}

// Many host calls: the sum of add_one(i) over i < n, mixed with some work.
HALTER_EXPORT("sum_calls") int32_t sumCalls(int32_t n) {
  int32_t sum = 0;
  for (int32_t i = 0; i < n; ++i) sum = sum * 31 + add_one(i);
  return sum;
}

// CPU-bound: never returns.
HALTER_EXPORT("spin") int32_t spin(void) {
  volatile int32_t x = 0;
  for (;;) x = x + 1;
  return x;
}

HALTER_EXPORT("ok") int32_t ok(void) {
  return 42;
}
