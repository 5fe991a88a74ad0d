#include "binary/decoder.h"

#include "bytes.h"

#include <gtest/gtest.h>

namespace halter::binary {
namespace {

using test::Bytes;
using test::cat;
using test::section;
using test::str;
using test::uleb;

Error decodeError(const Bytes &b) {
  auto r = decodeModule(b);
  EXPECT_FALSE(r.ok());
  return r.ok() ? Error{} : r.error();
}

// A module using most sections: an imported function, a table, a memory,
// a global, an export, a start function, an element and a data segment.
Bytes richModule() {
  return test::module({
      section(1, {0x02, 0x60, 0x00, 0x00, 0x60, 0x01, 0x7F, 0x01, 0x7E}),
      section(2, cat({{0x01}, str("env"), str("f"), {0x00, 0x00}})),
      section(3, {0x01, 0x00}),
      section(4, {0x01, 0x70, 0x01, 0x01, 0x10}),
      section(5, {0x01, 0x00, 0x01}),
      section(6, {0x01, 0x7F, 0x01, 0x41, 0x2A, 0x0B}),
      section(7, cat({{0x01}, str("run"), {0x00, 0x01}})),
      section(8, {0x01}),
      section(9, {0x01, 0x00, 0x41, 0x00, 0x0B, 0x01, 0x01}),
      section(12, {0x01}),
      section(10, {0x01, 0x05, 0x01, 0x02, 0x7F, 0x01, 0x0B}),
      section(11, {0x01, 0x00, 0x41, 0x08, 0x0B, 0x02, 'h', 'i'}),
  });
}

TEST(DecoderTest, DecodesEverySection) {
  Bytes b = richModule();
  auto r = decodeModule(b);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const ir::Module &m = *r;
  EXPECT_EQ(m.bytes, b);
  ASSERT_EQ(m.types.size(), 2u);
  EXPECT_EQ(m.types[1].params, std::vector<ValType>{ValType::I32});
  EXPECT_EQ(m.types[1].results, std::vector<ValType>{ValType::I64});
  ASSERT_EQ(m.imports.size(), 1u);
  EXPECT_EQ(m.imports[0].module, "env");
  EXPECT_EQ(m.imports[0].name, "f");
  EXPECT_EQ(m.imported_funcs, std::vector<uint32_t>{0});
  EXPECT_EQ(m.numFuncs(), 2u);
  EXPECT_EQ(m.functions, std::vector<uint32_t>{0});
  ASSERT_EQ(m.tables.size(), 1u);
  EXPECT_EQ(m.tables[0].elem, ValType::FuncRef);
  EXPECT_EQ(m.tables[0].limits.min, 1u);
  EXPECT_EQ(m.tables[0].limits.max, std::optional<uint64_t>(16));
  ASSERT_EQ(m.memories.size(), 1u);
  EXPECT_EQ(m.memories[0].limits.min, 1u);
  EXPECT_FALSE(m.memories[0].limits.max.has_value());
  ASSERT_EQ(m.globals.size(), 1u);
  EXPECT_TRUE(m.globals[0].type.is_mutable);
  ASSERT_EQ(m.globals[0].init.instrs.size(), 1u);
  EXPECT_EQ(m.globals[0].init.instrs[0].op, Op::I32Const);
  EXPECT_EQ(m.globals[0].init.instrs[0].value, 42u);
  ASSERT_EQ(m.exports.size(), 1u);
  EXPECT_EQ(m.exports[0].name, "run");
  EXPECT_EQ(m.exports[0].index, 1u);
  EXPECT_EQ(m.start, std::optional<uint32_t>(1));
  ASSERT_EQ(m.elems.size(), 1u);
  EXPECT_EQ(m.elems[0].mode, ir::SegmentMode::Active);
  ASSERT_EQ(m.elems[0].items.size(), 1u);
  EXPECT_EQ(m.elems[0].items[0].instrs[0].op, Op::RefFunc);
  EXPECT_EQ(m.elems[0].items[0].instrs[0].value, 1u);
  EXPECT_EQ(m.data_count, std::optional<uint32_t>(1));
  ASSERT_EQ(m.codes.size(), 1u);
  const ir::FunctionBody &body = m.codes[0];
  ASSERT_EQ(body.locals.size(), 1u);
  EXPECT_EQ(body.locals[0].count, 2u);
  EXPECT_EQ(body.locals[0].type, ValType::I32);
  EXPECT_EQ(body.total_locals, 2u);
  EXPECT_EQ(body.code_end - body.code_begin, 2u); // nop, end
  EXPECT_EQ(b[body.code_end - 1], 0x0B);
  ASSERT_EQ(m.datas.size(), 1u);
  EXPECT_EQ(m.datas[0].data_size, 2u);
  EXPECT_EQ(b[m.datas[0].data_begin], 'h');
  EXPECT_EQ(m.datas[0].offset_expr.instrs[0].value, 8u);
  ASSERT_EQ(m.sections.size(), 12u);
  EXPECT_EQ(m.sections[9].id, 12);
  EXPECT_EQ(m.sections.back().end, b.size());
}

TEST(DecoderTest, EmptyModule) {
  auto r = decodeModule(test::header());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->sections.empty());
}

TEST(DecoderTest, MagicAndVersion) {
  EXPECT_EQ(decodeError({0x00, 0x61, 0x73}).code, ErrorCode::UnexpectedEnd);
  EXPECT_EQ(decodeError({0x00, 0x61, 0x73, 0x6E, 1, 0, 0, 0}).code, ErrorCode::BadMagic);
  EXPECT_EQ(decodeError({0x00, 0x61, 0x73, 0x6D, 1, 0}).code, ErrorCode::UnexpectedEnd);
  Error e = decodeError({0x00, 0x61, 0x73, 0x6D, 2, 0, 0, 0});
  EXPECT_EQ(e.code, ErrorCode::BadVersion);
  EXPECT_EQ(e.offset, 4u);
}

TEST(DecoderTest, TruncationAtEveryByteFailsCleanly) {
  Bytes b = richModule();
  int well_formed = 0;
  for (size_t len = 0; len < b.size(); ++len) {
    Bytes prefix(b.begin(), b.begin() + len);
    auto r = decodeModule(prefix);
    // A prefix that ends on a section boundary before the function section
    // is itself a well-formed module; every other prefix is an error found
    // inside the given bytes.
    if (r.ok()) {
      EXPECT_TRUE(r->functions.empty()) << "len " << len;
      ++well_formed;
      continue;
    }
    EXPECT_LE(r.error().offset, len) << "len " << len;
    EXPECT_FALSE(r.error().message.empty());
  }
  EXPECT_EQ(well_formed, 3); // the header alone, then after the type and import sections
}

TEST(DecoderTest, SectionOrderEnforced) {
  Error e = decodeError(test::module({test::funcs(0), test::voidType()}));
  EXPECT_EQ(e.code, ErrorCode::MalformedSection);
  EXPECT_EQ(e.message, "unexpected content after last section");
  // Duplicate section.
  EXPECT_EQ(decodeError(test::module({test::voidType(), test::voidType()})).code,
            ErrorCode::MalformedSection);
  // Data count must precede code.
  Bytes late_count =
      test::module({test::voidType(), test::funcs(1), test::code({0x0B}), section(12, {0x00})});
  EXPECT_EQ(decodeError(late_count).code, ErrorCode::MalformedSection);
  // Custom sections go anywhere.
  Bytes custom = section(0, str("x"));
  auto r = decodeModule(test::module(
      {custom, test::voidType(), custom, test::funcs(1), custom, test::code({0x0B}), custom}));
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->customs.size(), 4u);
  EXPECT_EQ(r->sections.size(), 7u);
}

TEST(DecoderTest, UnknownSectionId) {
  Error e = decodeError(test::module({section(13, {})}));
  EXPECT_EQ(e.code, ErrorCode::MalformedSection);
  EXPECT_EQ(e.message, "malformed section id");
  EXPECT_EQ(e.offset, 8u);
}

TEST(DecoderTest, SectionSizeMismatch) {
  // A type section claiming one byte more than its contents use.
  Error e = decodeError(test::module({section(1, {0x01, 0x60, 0x00, 0x00, 0x00})}));
  EXPECT_EQ(e.code, ErrorCode::MalformedSection);
  EXPECT_EQ(e.message, "section size mismatch");
  // One byte fewer: the contents run past the section end.
  Bytes b = test::module({section(1, {0x01, 0x60, 0x00, 0x00})});
  b[9] = 3;
  b.pop_back();
  b.push_back(0x00); // the byte now lies outside the section
  EXPECT_EQ(decodeError(b).code, ErrorCode::UnexpectedEnd);
  // A size larger than the file.
  Bytes big = cat({test::header(), {0x01, 0x10, 0x00}});
  EXPECT_EQ(decodeError(big).code, ErrorCode::UnexpectedEnd);
}

TEST(DecoderTest, FunctionAndCodeCountsMustAgree) {
  Error e = decodeError(test::module({test::voidType(), test::funcs(2), test::code({0x0B})}));
  EXPECT_EQ(e.message, "function and code section have inconsistent lengths");
  e = decodeError(test::module({test::voidType(), test::funcs(1)}));
  EXPECT_EQ(e.message, "function and code section have inconsistent lengths");
  e = decodeError(test::module({test::voidType(), test::code({0x0B})}));
  EXPECT_EQ(e.message, "function and code section have inconsistent lengths");
}

TEST(DecoderTest, DataCountMustMatchDataSection) {
  Error e = decodeError(test::module({section(12, {0x01})}));
  EXPECT_EQ(e.message, "data count and data section have inconsistent lengths");
  e = decodeError(test::module(
      {section(5, {0x01, 0x00, 0x01}), section(12, {0x02}), section(11, {0x01, 0x01, 0x00})}));
  EXPECT_EQ(e.message, "data count and data section have inconsistent lengths");
  EXPECT_TRUE(decodeModule(test::module({section(12, {0x00})})).ok());
}

TEST(DecoderTest, DataDropNeedsDataCount) {
  Bytes drop = {0xFC, 0x09, 0x00, 0x0B};
  Bytes data = section(11, {0x01, 0x01, 0x00});
  Error e = decodeError(test::module(
      {test::voidType(), test::funcs(1), section(5, {0x01, 0x00, 0x01}), test::code(drop), data}));
  EXPECT_EQ(e.code, ErrorCode::Malformed);
  EXPECT_EQ(e.message, "data count section required");
  EXPECT_TRUE(
      decodeModule(test::module({test::voidType(), test::funcs(1), section(5, {0x01, 0x00, 0x01}),
                                 section(12, {0x01}), test::code(drop), data}))
          .ok());
  // Without any data section the index cannot be valid; the validator reports it.
  EXPECT_TRUE(
      decodeModule(test::module({test::voidType(), test::funcs(1), test::code(drop)})).ok());
}

TEST(DecoderTest, HugeCountsFailWithoutAllocating) {
  // Counts of 2^32-1 in a handful of bytes.
  Bytes huge = uleb(0xFFFFFFFFu);
  for (uint8_t id : {1, 2, 3, 4, 5, 6, 7, 9, 10, 11}) {
    Error e = decodeError(test::module({section(id, huge)}));
    EXPECT_EQ(e.code, ErrorCode::UnexpectedEnd) << int(id);
  }
  // Huge param count inside a type.
  EXPECT_EQ(decodeError(test::module({section(1, cat({{0x01, 0x60}, huge, {0x00}}))})).code,
            ErrorCode::UnexpectedEnd);
  // Huge name length.
  EXPECT_EQ(decodeError(test::module({section(7, cat({{0x01}, huge}))})).code,
            ErrorCode::UnexpectedEnd);
  // Huge br_table.
  Bytes br = cat({{0x0E}, huge, {0x00, 0x0B}});
  EXPECT_EQ(decodeError(test::module({test::voidType(), test::funcs(1), test::code(br)})).code,
            ErrorCode::UnexpectedEnd);
}

TEST(DecoderTest, TooManyLocals) {
  auto bodyWithLocals = [](const Bytes &locals) {
    Bytes body = cat({locals, {0x0B}});
    return test::module(
        {test::voidType(), test::funcs(1), section(10, cat({{0x01}, uleb(body.size()), body}))});
  };
  Bytes overflow = cat({{0x02}, uleb(0xFFFFFFFFu), {0x7F}, uleb(0xFFFFFFFFu), {0x7E}});
  Error e = decodeError(bodyWithLocals(overflow));
  EXPECT_EQ(e.code, ErrorCode::ImplementationLimit);
  EXPECT_EQ(e.message, "too many locals");
  EXPECT_EQ(decodeError(bodyWithLocals(cat({{0x01}, uleb(50001), {0x7F}}))).code,
            ErrorCode::ImplementationLimit);
  auto ok = decodeModule(bodyWithLocals(cat({{0x02}, uleb(50000), {0x7F}, {0x00, 0x7E}})));
  ASSERT_TRUE(ok.ok()) << ok.error().describe();
  EXPECT_EQ(ok->codes[0].total_locals, 50000u);
}

TEST(DecoderTest, BodyMustEndWithItsFinalEnd) {
  Bytes base_type = test::voidType();
  auto withCode = [&](const Bytes &code) {
    return test::module({base_type, test::funcs(1), test::code(code)});
  };
  // Missing end.
  Error e = decodeError(withCode({0x01}));
  EXPECT_EQ(e.message, "END opcode expected");
  // The last byte is 0x0B but it closes a block, not the function.
  e = decodeError(withCode({0x02, 0x40, 0x0B}));
  EXPECT_EQ(e.message, "END opcode expected");
  // Bytes after the final end.
  e = decodeError(withCode({0x0B, 0x01, 0x0B}));
  EXPECT_EQ(e.code, ErrorCode::MalformedSection);
  // Nested blocks, loops and if/else.
  auto r = decodeModule(
      withCode({0x02, 0x40, 0x03, 0x40, 0x41, 0x01, 0x04, 0x40, 0x05, 0x0B, 0x0B, 0x0B, 0x0B}));
  ASSERT_TRUE(r.ok()) << r.error().describe();
  // An immediate that is the 0x0B byte must not count as an end.
  r = decodeModule(withCode({0x41, 0x0B, 0x1A, 0x0B}));
  ASSERT_TRUE(r.ok()) << r.error().describe();
}

TEST(DecoderTest, IllegalOpcodeInBody) {
  Error e = decodeError(test::module({test::voidType(), test::funcs(1), test::code({0x06, 0x0B})}));
  EXPECT_EQ(e.code, ErrorCode::MalformedOpcode);
  EXPECT_EQ(e.message.rfind("illegal opcode", 0), 0u);
  // SIMD is not supported yet.
  e = decodeError(test::module({test::voidType(), test::funcs(1), test::code({0xFD, 0x0C, 0x0B})}));
  EXPECT_EQ(e.code, ErrorCode::MalformedOpcode);
}

TEST(DecoderTest, ZeroBytes) {
  auto withCode = [](const Bytes &code) {
    return test::module(
        {test::voidType(), test::funcs(1), section(5, {0x01, 0x00, 0x01}), test::code(code)});
  };
  EXPECT_TRUE(decodeModule(withCode({0x3F, 0x00, 0x1A, 0x0B})).ok());
  Error e = decodeError(withCode({0x3F, 0x01, 0x1A, 0x0B}));
  EXPECT_EQ(e.code, ErrorCode::Malformed);
  EXPECT_EQ(e.message, "zero byte expected");
  EXPECT_EQ(decodeError(withCode({0xFC, 0x0A, 0x00, 0x01, 0x0B})).message, "zero byte expected");
}

TEST(DecoderTest, NamesMustBeUtf8) {
  auto exportNamed = [](const Bytes &name) {
    return test::module({test::voidType(), test::funcs(1),
                         section(7, cat({{0x01}, uleb(name.size()), name, {0x00, 0x00}})),
                         test::code({0x0B})});
  };
  EXPECT_TRUE(
      decodeModule(exportNamed({'a', 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80})).ok());
  const Bytes bad[] = {
      {0x80},                   // lone continuation
      {0xC0, 0x80},             // overlong NUL
      {0xE0, 0x80, 0xAF},       // overlong '/'
      {0xED, 0xA0, 0x80},       // surrogate U+D800
      {0xF4, 0x90, 0x80, 0x80}, // U+110000
      {0xF8, 0x88, 0x80, 0x80, 0x80},
      {0xE2, 0x82}, // truncated
      {0xFF},
  };
  for (const Bytes &name : bad) {
    Error e = decodeError(exportNamed(name));
    EXPECT_EQ(e.code, ErrorCode::MalformedUtf8);
    EXPECT_EQ(e.message, "malformed UTF-8 encoding");
  }
  // Custom section names too.
  EXPECT_EQ(decodeError(test::module({section(0, {0x01, 0xFF})})).code, ErrorCode::MalformedUtf8);
}

TEST(DecoderTest, ImportKindsAndTypes) {
  Bytes imports = section(2, cat({{0x04},
                                  str("m"),
                                  str("f"),
                                  {0x00, 0x00},
                                  str("m"),
                                  str("t"),
                                  {0x01, 0x6F, 0x00, 0x02},
                                  str("m"),
                                  str("mem"),
                                  {0x02, 0x01, 0x01, 0x02},
                                  str("m"),
                                  str("g"),
                                  {0x03, 0x7C, 0x00}}));
  auto r = decodeModule(test::module({test::voidType(), imports}));
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->imports.size(), 4u);
  ASSERT_EQ(r->imported_tables.size(), 1u);
  EXPECT_EQ(r->imported_tables[0].elem, ValType::ExternRef);
  EXPECT_EQ(r->imported_tables[0].limits.min, 2u);
  ASSERT_EQ(r->imported_memories.size(), 1u);
  EXPECT_EQ(r->imported_memories[0].limits.max, std::optional<uint64_t>(2));
  ASSERT_EQ(r->imported_globals.size(), 1u);
  EXPECT_EQ(r->imported_globals[0].type, ValType::F64);
  EXPECT_FALSE(r->imported_globals[0].is_mutable);
  EXPECT_EQ(r->numGlobals(), 1u);

  Error e =
      decodeError(test::module({section(2, cat({{0x01}, str("m"), str("x"), {0x04, 0x00}}))}));
  EXPECT_EQ(e.message, "malformed import kind");
  e = decodeError(
      test::module({section(2, cat({{0x01}, str("m"), str("g"), {0x03, 0x7F, 0x02}}))}));
  EXPECT_EQ(e.message, "malformed mutability");
  e = decodeError(test::module({section(5, {0x01, 0x02, 0x00})}));
  EXPECT_EQ(e.code, ErrorCode::MalformedLeb);
  e = decodeError(test::module({section(4, {0x01, 0x7F, 0x00, 0x00})}));
  EXPECT_EQ(e.message, "malformed reference type");
  e = decodeError(test::module({section(1, {0x01, 0x60, 0x01, 0x40, 0x00})}));
  EXPECT_EQ(e.message, "malformed value type");
  e = decodeError(test::module({section(7, cat({{0x01}, str("e"), {0x04, 0x00}}))}));
  EXPECT_EQ(e.message, "malformed export kind");
}

TEST(DecoderTest, ElementSegmentEncodings) {
  Bytes table = section(4, {0x01, 0x70, 0x00, 0x01});
  Bytes segs = section(9, {0x08,
                           // 0: active table 0, offset, funcidx vector
                           0x00, 0x41, 0x00, 0x0B, 0x01, 0x00,
                           // 1: passive, elemkind, funcidx vector
                           0x01, 0x00, 0x02, 0x00, 0x00,
                           // 2: active explicit table, offset, elemkind, funcidx vector
                           0x02, 0x00, 0x41, 0x01, 0x0B, 0x00, 0x01, 0x00,
                           // 3: declarative, elemkind, funcidx vector
                           0x03, 0x00, 0x01, 0x00,
                           // 4: active table 0, offset, expr vector
                           0x04, 0x41, 0x00, 0x0B, 0x02, 0xD2, 0x00, 0x0B, 0xD0, 0x70, 0x0B,
                           // 5: passive, reftype, expr vector
                           0x05, 0x6F, 0x01, 0xD0, 0x6F, 0x0B,
                           // 6: active explicit table, offset, reftype, expr vector
                           0x06, 0x00, 0x41, 0x00, 0x0B, 0x70, 0x01, 0xD2, 0x00, 0x0B,
                           // 7: declarative, reftype, expr vector
                           0x07, 0x70, 0x01, 0xD2, 0x00, 0x0B});
  auto r = decodeModule(
      test::module({test::voidType(), test::funcs(1), table, segs, test::code({0x0B})}));
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const auto &e = r->elems;
  ASSERT_EQ(e.size(), 8u);
  using M = ir::SegmentMode;
  const M modes[] = {M::Active, M::Passive, M::Active, M::Declarative,
                     M::Active, M::Passive, M::Active, M::Declarative};
  const size_t counts[] = {1, 2, 1, 1, 2, 1, 1, 1};
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(e[i].mode, modes[i]) << i;
    EXPECT_EQ(e[i].items.size(), counts[i]) << i;
  }
  EXPECT_EQ(e[2].offset_expr.instrs[0].value, 1u);
  EXPECT_EQ(e[1].items[1].instrs[0].op, Op::RefFunc);
  EXPECT_EQ(e[4].items[1].instrs[0].op, Op::RefNull);
  EXPECT_EQ(e[4].items[1].instrs[0].ref_type, ValType::FuncRef);
  EXPECT_EQ(e[5].elem_type, ValType::ExternRef);
  EXPECT_EQ(e[5].items[0].instrs[0].ref_type, ValType::ExternRef);
  EXPECT_EQ(e[6].elem_type, ValType::FuncRef);

  Error err = decodeError(test::module({section(9, {0x01, 0x08})}));
  EXPECT_EQ(err.code, ErrorCode::Malformed);
  err = decodeError(test::module({section(9, {0x01, 0x01, 0x01, 0x00})}));
  EXPECT_EQ(err.message, "malformed element kind");
}

TEST(DecoderTest, DataSegmentEncodings) {
  Bytes mem = section(5, {0x01, 0x00, 0x01});
  Bytes data = section(11, {0x03, 0x00, 0x41, 0x04, 0x0B, 0x01, 'a', 0x01, 0x02, 'b', 'c', 0x02,
                            0x00, 0x23, 0x00, 0x0B, 0x00});
  auto r = decodeModule(test::module({mem, data}));
  ASSERT_TRUE(r.ok()) << r.error().describe();
  ASSERT_EQ(r->datas.size(), 3u);
  EXPECT_EQ(r->datas[0].mode, ir::SegmentMode::Active);
  EXPECT_EQ(r->datas[1].mode, ir::SegmentMode::Passive);
  EXPECT_EQ(r->datas[1].data_size, 2u);
  EXPECT_EQ(r->bytes[r->datas[1].data_begin + 1], 'c');
  EXPECT_EQ(r->datas[2].offset_expr.instrs[0].op, Op::GlobalGet);
  EXPECT_EQ(r->datas[2].data_size, 0u);
  EXPECT_EQ(decodeError(test::module({mem, section(11, {0x01, 0x03, 0x00})})).message,
            "malformed data segment kind");
  EXPECT_EQ(decodeError(test::module({mem, section(11, {0x01, 0x01, 0x05, 'a'})})).code,
            ErrorCode::UnexpectedEnd);
}

TEST(DecoderTest, ConstExprKeepsNonConstantInstructions) {
  // The validator rejects these; decoding keeps them.
  Bytes global = section(6, {0x01, 0x7F, 0x00, 0x41, 0x01, 0x41, 0x02, 0x6A, 0x0B});
  auto r = decodeModule(test::module({global}));
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const auto &instrs = r->globals[0].init.instrs;
  ASSERT_EQ(instrs.size(), 3u);
  EXPECT_EQ(instrs[2].op, Op::I32Add);
  // Negative i32 constants are sign-extended like InstrReader's bits.
  r = decodeModule(test::module({section(6, {0x01, 0x7F, 0x00, 0x41, 0x7F, 0x0B})}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(uint32_t(r->globals[0].init.instrs[0].value), 0xFFFFFFFFu);
  // An unterminated expression.
  EXPECT_EQ(decodeError(test::module({section(6, {0x01, 0x7F, 0x00, 0x41, 0x01})})).code,
            ErrorCode::UnexpectedEnd);
}

TEST(DecoderTest, NameSection) {
  Bytes names = cat({str("name"), section(0, str("mod")),
                     section(1, cat({{0x02}, {0x00}, str("first"), {0x01}, str("second")}))});
  auto r = decodeModule(test::module({section(0, names)}));
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->names.module, "mod");
  ASSERT_EQ(r->names.functions.size(), 2u);
  EXPECT_EQ(r->names.functions.at(1), "second");
  ASSERT_EQ(r->customs.size(), 1u);
  EXPECT_EQ(r->customs[0].name, "name");
  EXPECT_EQ(r->customs[0].end, r->bytes.size());

  // A broken name section is ignored, not an error.
  Bytes broken = cat({str("name"), {0x01, 0x10, 0x05}});
  r = decodeModule(test::module({section(0, broken)}));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->names.functions.empty());
  EXPECT_TRUE(r->names.module.empty());
  Bytes bad_utf8 = cat({str("name"), section(0, {0x01, 0xFF})});
  r = decodeModule(test::module({section(0, bad_utf8)}));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->names.module.empty());
}

TEST(DecoderTest, ErrorsCarryOffsets) {
  // The illegal opcode sits at a known position.
  Bytes b = test::module({test::voidType(), test::funcs(1), test::code({0x01, 0x06, 0x0B})});
  Error e = decodeError(b);
  ASSERT_EQ(e.code, ErrorCode::MalformedOpcode);
  EXPECT_EQ(b[e.offset], 0x06);
}

} // namespace
} // namespace halter::binary
