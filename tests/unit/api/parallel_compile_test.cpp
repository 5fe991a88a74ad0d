// Large modules decode and validate their function bodies on several
// threads (CompileOptions::compile_threads). Whatever the thread count, the
// outcome and the error (code, byte offset, message) must be the one a single
// thread finds first. Generated modules over the parallel threshold (> 1 MiB
// of code, >= 128 bodies) get random byte mutations, which make malformed and
// invalid bodies, bad body headers and broken later sections, alone and
// mixed in one module.
#include "halter/halter.h"

#include <gtest/gtest.h>

#include <iterator>
#include <random>
#include <vector>

namespace halter {
namespace {

using Bytes = std::vector<uint8_t>;

void leb(Bytes &out, uint64_t v) {
  do {
    uint8_t b = v & 0x7F;
    v >>= 7;
    out.push_back(uint8_t(b | (v ? 0x80 : 0)));
  } while (v);
}

void section(Bytes &out, uint8_t id, const Bytes &payload) {
  out.push_back(id);
  leb(out, payload.size());
  out.insert(out.end(), payload.begin(), payload.end());
}

// Stack-neutral snippets of most immediate kinds, nested up to `depth`.
void snippet(Bytes &b, std::mt19937 &rng, int depth) {
  switch (rng() % (depth > 0 ? 10 : 7)) {
  case 0:
    b.insert(b.end(), {0x41, uint8_t(rng() % 64), 0x1A}); // i32.const; drop
    break;
  case 1:
    b.insert(b.end(), {0x42, 0xFF, 0xFF, 0x03, 0x1A}); // i64.const; drop
    break;
  case 2:
    b.insert(b.end(), {0x20, 0x00, 0x21, 0x00}); // local.get 0; local.set 0
    break;
  case 3:
    b.insert(b.end(), {0x41, 0x00, 0x28, 0x02, 0x04, 0x1A}); // i32.load offset=4
    break;
  case 4:
    b.insert(b.end(), {0x02, 0x40, 0x41, 0x00, 0x0E, 0x01, 0x00, 0x00, 0x0B}); // br_table
    break;
  case 5:
    b.insert(b.end(), {0x43, 0, 0, 0x80, 0x3F, 0x1A, 0x10, 0x00}); // f32.const; drop; call 0
    break;
  case 6: // memory.init 0; data.drop 0
    b.insert(b.end(), {0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 0x08, 0x00, 0x00, 0xFC, 0x09, 0x00});
    break;
  case 7:
  case 8:
    b.insert(b.end(), {uint8_t(rng() % 2 ? 0x02 : 0x03), 0x40}); // block / loop
    for (int i = 0; i < 3; ++i) snippet(b, rng, depth - 1);
    b.push_back(0x0B);
    break;
  default:
    b.insert(b.end(), {0x41, 0x01, 0x04, 0x40}); // if ... else ... end
    snippet(b, rng, depth - 1);
    b.push_back(0x05);
    snippet(b, rng, depth - 1);
    b.push_back(0x0B);
  }
}

struct Generated {
  Bytes bytes;
  size_t code_begin = 0, code_end = 0;
  std::vector<size_t> body_at; // each body's size field
};

Generated generate(std::mt19937 &rng, bool with_data_count) {
  constexpr int kFunctions = 300;
  Generated g;
  Bytes &m = g.bytes;
  m = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
  section(m, 1, {0x01, 0x60, 0x00, 0x00});
  Bytes funcs;
  leb(funcs, kFunctions);
  funcs.insert(funcs.end(), kFunctions, 0x00);
  section(m, 3, funcs);
  section(m, 5, {0x01, 0x00, 0x01});
  if (with_data_count) section(m, 12, {0x01});
  Bytes code;
  leb(code, kFunctions);
  std::vector<size_t> body_in_code;
  for (int f = 0; f < kFunctions; ++f) {
    body_in_code.push_back(code.size());
    Bytes body{0x01, 0x01, 0x7F}; // one i32 local
    while (body.size() < 3600) snippet(body, rng, 3);
    body.push_back(0x0B);
    leb(code, body.size());
    code.insert(code.end(), body.begin(), body.end());
  }
  g.code_begin = m.size();
  section(m, 10, code);
  g.code_end = m.size();
  const size_t payload = g.code_end - code.size();
  for (size_t at : body_in_code) g.body_at.push_back(payload + at);
  section(m, 11, {0x01, 0x01, 0x03, 'a', 'b', 'c'});
  return g;
}

Result<std::shared_ptr<const Module>> compileWith(const Bytes &bytes, unsigned threads) {
  CompileOptions options;
  options.compile_threads = threads;
  return Module::compile(bytes, options);
}

TEST(ParallelCompile, EveryThreadCountReportsTheSameFirstError) {
  std::mt19937 rng(1203);
  int ok = 0, malformed = 0, invalid = 0;
  for (int round = 0; round < 24; ++round) {
    Generated g = generate(rng, round % 6 != 5);
    ASSERT_GT(g.code_end - g.code_begin, size_t(1) << 20) << "below the parallel threshold";
    Bytes bytes = g.bytes;
    // 0 to 3 mutations, mostly in the code section; now and then the module
    // is cut short.
    const int mutations = round % 8 == 0 ? 0 : 1 + int(rng() % 3);
    for (int k = 0; k < mutations; ++k) {
      size_t at = rng() % 5 == 0 ? 8 + rng() % (bytes.size() - 8)
                                 : g.code_begin + rng() % (g.code_end - g.code_begin);
      // Half are opcodes that decode but often do not type-check.
      const uint8_t opcodes[] = {0x6A, 0x7C, 0x1A, 0x45, 0x0F, 0x21, 0x92};
      bytes[at] = rng() % 2 ? uint8_t(rng()) : opcodes[rng() % std::size(opcodes)];
    }
    if (round % 7 == 3) bytes.resize(g.code_begin + rng() % (bytes.size() - g.code_begin));

    auto one = compileWith(bytes, 1);
    for (unsigned threads : {2u, 4u}) {
      SCOPED_TRACE("round " + std::to_string(round) + ", " + std::to_string(threads) + " threads");
      auto many = compileWith(bytes, threads);
      ASSERT_EQ(one.ok(), many.ok());
      if (one.ok()) continue;
      EXPECT_EQ(one.error().code, many.error().code);
      EXPECT_EQ(one.error().offset, many.error().offset);
      EXPECT_EQ(one.error().message, many.error().message);
    }
    if (one.ok())
      ++ok;
    else if (errorPhase(one.error().code) == ErrorPhase::Decode)
      ++malformed;
    else
      ++invalid;
  }
  // Each kind of outcome happened.
  EXPECT_GE(ok, 3);
  EXPECT_GE(malformed, 3);
  EXPECT_GE(invalid, 3);
}

// A malformed instruction early and a broken body header (its size runs
// past the section) late: the early one is first in byte order, and any
// decode error comes before an invalid body.
TEST(ParallelCompile, AnEarlyBodyErrorBeatsALaterHeaderAndAnyInvalidBody) {
  std::mt19937 rng(11);
  Generated g = generate(rng, true);
  Bytes bytes = g.bytes;
  bytes[g.body_at[250]] = 0xFF; // a 5-byte size
  bytes[g.body_at[250] + 1] = 0xFF;
  bytes[g.body_at[250] + 2] = 0x0F;
  const size_t bad_opcode = g.body_at[40] + 30;
  bytes[bad_opcode] = 0xFF; // not an opcode, or a broken immediate
  // An i32.const; drop in body 3 becomes i32.const; i64.add: a type mismatch.
  size_t invalid = g.body_at[3];
  while (!(bytes[invalid] == 0x41 && bytes[invalid + 2] == 0x1A && bytes[invalid + 1] < 64))
    ++invalid;
  invalid += 2;
  ASSERT_LT(invalid, g.body_at[4]);
  bytes[invalid] = 0x7C;
  for (unsigned threads : {1u, 2u}) {
    auto r = compileWith(bytes, threads);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(errorPhase(r.error().code), ErrorPhase::Decode) << r.error().describe();
    EXPECT_GE(r.error().offset, g.body_at[40]);
    EXPECT_LT(r.error().offset, g.body_at[41]);
  }
  bytes = g.bytes;
  bytes[invalid] = 0x7C;
  auto r = compileWith(bytes, 2);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::TypeMismatch) << r.error().describe();
  EXPECT_LT(r.error().offset, g.body_at[4]);
}

// Without a data count section, memory.init is malformed wherever it is:
// the first use in byte order is the one reported.
TEST(ParallelCompile, MissingDataCountNamesTheFirstUse) {
  std::mt19937 rng(7);
  Generated g = generate(rng, false);
  auto one = compileWith(g.bytes, 1);
  auto two = compileWith(g.bytes, 2);
  ASSERT_FALSE(one.ok());
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(one.error().message, "data count section required");
  EXPECT_EQ(one.error().offset, two.error().offset);
  EXPECT_LT(one.error().offset, g.code_begin + 4096); // in the first bodies
}

} // namespace
} // namespace halter
