#include "binary/instr_reader.h"

#include <gtest/gtest.h>

#include <array>
#include <random>
#include <vector>

namespace halter::binary {
namespace {

using Bytes = std::vector<uint8_t>;

struct Decoded {
  Result<void> result;
  Instr instr;
  uint64_t end = 0;
};

Decoded decodeOne(const Bytes &b) {
  InstrReader reader(b, 0, b.size());
  Decoded d;
  d.result = reader.next(d.instr);
  d.end = reader.position();
  return d;
}

TEST(InstrReaderTest, SimpleAndConstants) {
  Decoded d = decodeOne({0x6A});
  ASSERT_TRUE(d.result.ok());
  EXPECT_EQ(d.instr.op, Op::I32Add);
  EXPECT_EQ(d.end, 1u);

  d = decodeOne({0x41, 0x80, 0x7F});
  ASSERT_TRUE(d.result.ok());
  EXPECT_EQ(d.instr.op, Op::I32Const);
  EXPECT_EQ(int64_t(d.instr.bits), -128);

  d = decodeOne({0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7F});
  ASSERT_TRUE(d.result.ok());
  EXPECT_EQ(d.instr.bits, uint64_t{1} << 63);

  d = decodeOne({0x43, 0x00, 0x00, 0x80, 0x3F});
  ASSERT_TRUE(d.result.ok());
  EXPECT_EQ(d.instr.bits, 0x3F800000u);

  d = decodeOne({0x44, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F});
  ASSERT_TRUE(d.result.ok());
  EXPECT_EQ(d.instr.bits, 0x3FF0000000000000u);
  EXPECT_EQ(d.end, 9u);
}

TEST(InstrReaderTest, BlockTypes) {
  Decoded d = decodeOne({0x02, 0x40});
  ASSERT_TRUE(d.result.ok());
  EXPECT_EQ(d.instr.block.kind, BlockType::Kind::Empty);
  d = decodeOne({0x03, 0x7E});
  ASSERT_TRUE(d.result.ok());
  EXPECT_EQ(d.instr.block.kind, BlockType::Kind::Value);
  EXPECT_EQ(d.instr.block.value, ValType::I64);
  d = decodeOne({0x04, 0x81, 0x01});
  ASSERT_TRUE(d.result.ok());
  EXPECT_EQ(d.instr.block.kind, BlockType::Kind::TypeIndex);
  EXPECT_EQ(d.instr.block.type_index, 129u);
  d = decodeOne({0x02, 0x05});
  ASSERT_TRUE(d.result.ok());
  EXPECT_EQ(d.instr.block.type_index, 5u);
  // Negative s33 values other than the type bytes are malformed.
  EXPECT_FALSE(decodeOne({0x02, 0x41}).result.ok());
}

TEST(InstrReaderTest, BrTable) {
  Decoded d = decodeOne({0x0E, 0x02, 0x00, 0x01, 0x02});
  ASSERT_TRUE(d.result.ok());
  EXPECT_EQ(d.instr.labels, (std::vector<uint32_t>{0, 1, 2}));
  Decoded huge = decodeOne({0x0E, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00});
  ASSERT_FALSE(huge.result.ok());
  EXPECT_EQ(huge.result.error().code, ErrorCode::UnexpectedEnd);
}

TEST(InstrReaderTest, MemArgAndIndices) {
  Decoded d = decodeOne({0x28, 0x02, 0x80, 0x01});
  ASSERT_TRUE(d.result.ok());
  EXPECT_EQ(d.instr.align, 2u);
  EXPECT_EQ(d.instr.mem_offset, 128u);
  d = decodeOne({0x11, 0x03, 0x01});
  ASSERT_TRUE(d.result.ok());
  EXPECT_EQ(d.instr.index, 3u);
  EXPECT_EQ(d.instr.index2, 1u);
  d = decodeOne({0xFC, 0x0C, 0x04, 0x02});
  ASSERT_TRUE(d.result.ok());
  EXPECT_EQ(d.instr.op, Op::TableInit);
  EXPECT_EQ(d.instr.index, 4u);
  EXPECT_EQ(d.instr.index2, 2u);
  d = decodeOne({0xFC, 0x08, 0x07, 0x00});
  ASSERT_TRUE(d.result.ok());
  EXPECT_EQ(d.instr.op, Op::MemoryInit);
  EXPECT_EQ(d.instr.index, 7u);
  // The prefixed code is a LEB u32: a padded encoding is fine.
  d = decodeOne({0xFC, 0x8A, 0x00, 0x00, 0x00});
  ASSERT_TRUE(d.result.ok());
  EXPECT_EQ(d.instr.op, Op::MemoryCopy);
}

TEST(InstrReaderTest, ReservedBytes) {
  EXPECT_EQ(decodeOne({0x40, 0x01}).result.error().message, "zero byte expected");
  EXPECT_EQ(decodeOne({0xFC, 0x0B, 0x01}).result.error().message, "zero byte expected");
  EXPECT_EQ(decodeOne({0xFC, 0x08, 0x00, 0x01}).result.error().message, "zero byte expected");
  EXPECT_EQ(decodeOne({0xFC, 0x0A, 0x00, 0x01}).result.error().code, ErrorCode::Malformed);
  // A LEB-padded zero is not a zero byte.
  EXPECT_FALSE(decodeOne({0x3F, 0x80, 0x00}).result.ok());
}

TEST(InstrReaderTest, SelectTypes) {
  Decoded d = decodeOne({0x1C, 0x01, 0x7D});
  ASSERT_TRUE(d.result.ok());
  EXPECT_EQ(d.instr.op, Op::SelectT);
  EXPECT_EQ(d.instr.index, 1u);
  EXPECT_EQ(d.instr.type, ValType::F32);
  // Other arities decode; the validator rejects them.
  d = decodeOne({0x1C, 0x02, 0x7F, 0x7F});
  ASSERT_TRUE(d.result.ok());
  EXPECT_EQ(d.instr.index, 2u);
  EXPECT_EQ(d.end, 4u);
  EXPECT_FALSE(decodeOne({0x1C, 0x01, 0x40}).result.ok());
}

TEST(InstrReaderTest, RefInstructions) {
  Decoded d = decodeOne({0xD0, 0x6F});
  ASSERT_TRUE(d.result.ok());
  EXPECT_EQ(d.instr.type, ValType::ExternRef);
  EXPECT_FALSE(decodeOne({0xD0, 0x7F}).result.ok());
  d = decodeOne({0xD2, 0x05});
  ASSERT_TRUE(d.result.ok());
  EXPECT_EQ(d.instr.index, 5u);
}

TEST(InstrReaderTest, IllegalOpcodes) {
  for (uint8_t b : {0x06, 0x0A, 0x27, 0xC5, 0xD3, 0xFF, 0xFD}) {
    Decoded d = decodeOne({b, 0x00, 0x00});
    ASSERT_FALSE(d.result.ok()) << int(b);
    EXPECT_EQ(d.result.error().code, ErrorCode::MalformedOpcode) << int(b);
  }
  EXPECT_EQ(decodeOne({0xFC, 0x12}).result.error().code, ErrorCode::MalformedOpcode);
}

TEST(InstrReaderTest, EveryTableOpcodeDecodes) {
  // Each opcode of the table, followed by enough zero bytes for any
  // immediate, decodes to itself.
  for (int i = 0; i < kOpCount; ++i) {
    const Op op = static_cast<Op>(i);
    const OpInfo &info = opInfo(op);
    if (info.prefix == 0xFD) continue;
    Bytes b(16, 0x00);
    size_t n = 0;
    if (info.prefix) b[n++] = info.prefix;
    b[n++] = uint8_t(info.code);
    if (info.imm == ImmKind::BlockType) b[n] = 0x40;
    if (info.imm == ImmKind::RefType) b[n] = 0x70;
    if (info.imm == ImmKind::SelectT) b[n] = 0x01, b[n + 1] = 0x7F;
    Decoded d = decodeOne(b);
    ASSERT_TRUE(d.result.ok()) << info.text << ": " << d.result.error().describe();
    EXPECT_EQ(d.instr.op, op) << info.text;
  }
}

TEST(InstrReaderTest, StopsAtItsEnd) {
  Bytes b{0x41, 0x01, 0x41, 0x02};
  InstrReader reader(b, 2, 3); // the second const, cut after its opcode
  Instr instr;
  auto r = reader.next(instr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::UnexpectedEnd);
  EXPECT_EQ(r.error().offset, 3u);
  InstrReader whole(b, 0, b.size());
  ASSERT_TRUE(whole.next(instr).ok());
  EXPECT_EQ(instr.offset, 0u);
  ASSERT_TRUE(whole.next(instr).ok());
  EXPECT_EQ(instr.offset, 2u);
  EXPECT_TRUE(whole.atEnd());
}

// The fast path of next() against the reference decoder, instruction by
// instruction, on every opcode byte followed by generated immediates:
// LEB128 of every length up to and past the maximum, overlong, too large,
// sign-bit and cut-off forms, and random bytes.
Bytes randomImmediate(std::mt19937 &rng) {
  std::uniform_int_distribution<int> byte(0, 255);
  Bytes b;
  switch (rng() % 6) {
  case 0: { // LEB of 1..11 bytes, each continuation set but the last
    int n = 1 + int(rng() % 11);
    for (int i = 0; i < n; ++i) b.push_back(uint8_t((byte(rng) & 0x7F) | (i + 1 < n ? 0x80 : 0)));
    break;
  }
  case 1: { // the maximum lengths with boundary last bytes
    int n = (rng() % 2) ? 5 : 10;
    for (int i = 0; i + 1 < n; ++i) b.push_back(uint8_t(0x80 | (byte(rng) & 0x7F)));
    const uint8_t last[] = {0x00, 0x01, 0x07, 0x08, 0x0F, 0x10, 0x3F, 0x40, 0x70, 0x7F, 0x80};
    b.push_back(last[rng() % std::size(last)]);
    break;
  }
  case 2: // a valid type byte, 0x40, or a zero byte
    b.push_back(std::array<uint8_t, 6>{0x40, 0x7F, 0x7E, 0x70, 0x6F, 0x00}[rng() % 6]);
    break;
  default: { // random bytes
    int n = int(rng() % 12);
    for (int i = 0; i < n; ++i) b.push_back(uint8_t(byte(rng)));
  }
  }
  return b;
}

void expectSameInstr(const Instr &a, const Instr &b, const Bytes &bytes) {
  SCOPED_TRACE(::testing::PrintToString(bytes));
  EXPECT_EQ(a.op, b.op);
  EXPECT_EQ(a.offset, b.offset);
  EXPECT_EQ(a.block.kind, b.block.kind);
  EXPECT_EQ(a.block.value, b.block.value);
  EXPECT_EQ(a.block.type_index, b.block.type_index);
  EXPECT_EQ(a.index, b.index);
  EXPECT_EQ(a.index2, b.index2);
  EXPECT_EQ(a.align, b.align);
  EXPECT_EQ(a.mem_offset, b.mem_offset);
  EXPECT_EQ(a.bits, b.bits);
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.labels, b.labels);
}

TEST(InstrReaderTest, FastPathAgreesWithTheReferenceOnGeneratedBytes) {
  std::mt19937 rng(20261203);
  int compared = 0, failures = 0;
  for (int round = 0; round < 40; ++round) {
    for (int first = 0; first < 256; ++first) {
      Bytes b{uint8_t(first)};
      if (first == 0xFC) b.push_back(uint8_t(rng() % 20));
      for (int k = 0; k < 3; ++k) {
        Bytes imm = randomImmediate(rng);
        b.insert(b.end(), imm.begin(), imm.end());
      }
      // Leave some cut off at every length.
      if (rng() % 4 == 0) b.resize(rng() % (b.size() + 1));
      InstrReader fast(b, 0, b.size()), reference(b, 0, b.size());
      while (!fast.atEnd() || !reference.atEnd()) {
        Instr a, r;
        Result<void> fa = fast.next(a);
        Result<void> ra = reference.nextByReference(r);
        ++compared;
        ASSERT_EQ(fa.ok(), ra.ok()) << ::testing::PrintToString(b);
        if (!fa.ok()) {
          ++failures;
          EXPECT_EQ(fa.error().code, ra.error().code);
          EXPECT_EQ(fa.error().offset, ra.error().offset);
          EXPECT_EQ(fa.error().message, ra.error().message);
          break;
        }
        expectSameInstr(a, r, b);
        ASSERT_EQ(fast.position(), reference.position());
      }
    }
  }
  // Both outcomes were exercised in quantity.
  EXPECT_GT(compared, 20000);
  EXPECT_GT(failures, 2000);
  EXPECT_GT(compared - failures, 10000);
}

} // namespace
} // namespace halter::binary
