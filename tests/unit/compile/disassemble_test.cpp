// The instruction table is the one truth of the register code: for every
// internal instruction the disassembler prints it from the table's name and
// shape and the assembler turns the text back into the same words; the
// lowering's output for every module of the spec suite disassembles without
// an unknown word and round-trips.
#include "binary/decoder.h"
#include "compile/disassemble.h"
#include "compile/lower.h"
#include "compile/register_code.h"
#include "valid/validator.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

namespace halter::compile {
namespace {

// One instruction of `op` with operand values that differ per word: slots,
// immediates small and large (hex), backward and forward offsets.
std::vector<uint64_t> sampleInstr(IOp op) {
  std::vector<uint64_t> w{uint64_t(op)};
  if (op == IOp::BrTable) {
    w.insert(w.end(), {2 * 8, 3, uint64_t(-4), 0, 9, uint64_t(-1)});
    return w;
  }
  if (op == IOp::ReturnN) {
    w.insert(w.end(), {2, 24 * 8, 8, 16});
    return w;
  }
  const char *shape = kIOpShapes[size_t(op)];
  for (size_t k = 0; shape[k] != '\0'; ++k) {
    switch (shape[k]) {
    case 's':
      w.push_back((k + 1) * 8);
      break;
    case 'i':
      w.push_back(k % 2 == 0 ? uint64_t(1000003 * (k + 1)) : (uint64_t(1) << 40) + k);
      break;
    default:
      w.push_back(k % 2 == 0 ? uint64_t(-int64_t(k + 3)) : uint64_t(k + 7));
    }
  }
  return w;
}

TEST(Disassemble, EveryInstructionOfTheTableRoundTrips) {
  std::vector<uint64_t> all;
  for (int i = 0; i < kIOpCount; ++i) {
    IOp op = IOp(i);
    std::vector<uint64_t> words = sampleInstr(op);
    ASSERT_EQ(instrWords(words.data()), words.size()) << kIOpNames[i];
    size_t len = 0;
    std::string text = disassembleInstr(words, 0, &len);
    EXPECT_EQ(len, words.size()) << text;
    EXPECT_EQ(text.rfind(kIOpNames[i], 0), 0u) << text;
    EXPECT_EQ(text.find("<unknown"), std::string::npos) << text;
    auto back = assemble(text);
    ASSERT_TRUE(back.ok()) << text << ": " << back.error().describe();
    EXPECT_EQ(*back, words) << text;
    all.insert(all.end(), words.begin(), words.end());
  }
  // A whole program of every instruction, with word-index prefixes.
  auto back = assemble(disassemble(all));
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(*back, all);
}

TEST(Disassemble, NamesAreUnique) {
  for (int i = 0; i < kIOpCount; ++i) {
    for (int j = i + 1; j < kIOpCount; ++j) EXPECT_STRNE(kIOpNames[i], kIOpNames[j]);
  }
}

TEST(Disassemble, WordsThatAreNoInstructionSaySo) {
  std::vector<uint64_t> code{uint64_t(kIOpCount) + 5, uint64_t(IOp::Copy), 8};
  std::string text = disassemble(code);
  EXPECT_NE(text.find("<unknown word " + std::to_string(kIOpCount + 5) + ">"), std::string::npos);
  EXPECT_NE(text.find("<unknown word " + std::to_string(int(IOp::Copy)) + ">"), std::string::npos)
      << "a Copy cut short: " << text;
}

TEST(Disassemble, AssemblerErrorsNameTheLineAndToken) {
  auto unknown = assemble("Br @1\nFrobnicate s1\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("line 2"), std::string::npos);
  EXPECT_NE(unknown.error().message.find("Frobnicate"), std::string::npos);
  auto operands = assemble("Copy s1\n");
  ASSERT_FALSE(operands.ok());
  EXPECT_NE(operands.error().message.find("wrong number of operands"), std::string::npos);
  auto bad = assemble("Const s1 #12x\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("#12x"), std::string::npos);
}

#ifdef HALTER_SPEC_JSON_DIR
TEST(Disassemble, LoweredSpecModulesRoundTrip) {
  size_t modules = 0, functions = 0;
  for (const auto &entry : std::filesystem::directory_iterator(HALTER_SPEC_JSON_DIR)) {
    if (entry.path().extension() != ".wasm") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::vector<uint8_t> bytes(std::istreambuf_iterator<char>(in), {});
    auto m = binary::decodeModule(bytes);
    if (!m.ok() || !valid::validateModule(*m).ok()) continue; // assert_invalid and kin
    ++modules;
    for (Form form : {Form::Plain, Form::Metered}) {
      auto lowered = lowerModule(*m, form);
      ASSERT_TRUE(lowered.ok()) << entry.path() << ": " << lowered.error().describe();
      if (form == Form::Plain) functions += lowered->size();
      for (const LoweredCode &fn : *lowered) {
        std::string text = disassemble(fn.code);
        ASSERT_EQ(text.find("<unknown"), std::string::npos) << entry.path() << ":\n" << text;
        auto back = assemble(text);
        ASSERT_TRUE(back.ok()) << entry.path() << ": " << back.error().describe();
        ASSERT_EQ(*back, fn.code) << entry.path() << ":\n" << text;
      }
    }
  }
  // The suite has thousands of valid modules (SIMD ones do not decode yet).
  EXPECT_GT(modules, 1000u);
  EXPECT_GT(functions, 4000u);
}
#endif

} // namespace
} // namespace halter::compile
