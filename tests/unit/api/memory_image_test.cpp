// Copy-on-write memory images (CompileOptions::memory_images): generated
// modules with random data segments give the same memory, byte for byte,
// whether their instances map the image or copy the segments; instances
// never see each other's writes; reset brings the image back; and
// instantiating a module with a large image costs no private memory.
#include "support/wat.h"

#include "halter/halter.h"
#include "runtime/api_access.h"
#include "runtime/instance.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <unistd.h>

namespace halter {
namespace {

rt::Instance &engine(Instance &inst) {
  return *detail::ApiAccess::impl(inst);
}
rt::Memory &memoryOf(Instance &inst) {
  return *engine(inst).memories[0];
}

// Which way a generated module's data segments are placed.
enum class Shape {
  Constant,       // every offset an i32.const inside the initial size: an image
  ImportedOffset, // one offset is global.get of an import: copying
  OutOfBounds,    // one segment ends past the initial size: instantiation traps
};

struct Generated {
  std::string wat;
  Shape shape;
  bool has_data = false; // some active segment has a byte
};

std::string escaped(const std::vector<uint8_t> &bytes) {
  std::string s;
  char buf[4];
  for (uint8_t b : bytes) {
    std::snprintf(buf, sizeof buf, "\\%02x", b);
    s += buf;
  }
  return s;
}

Generated generate(std::mt19937 &rng, Shape shape) {
  Generated g;
  g.shape = shape;
  uint32_t pages = 1 + rng() % 4;
  uint32_t bytes = pages * 65536;
  std::string wat = "(module\n  (import \"env\" \"base\" (global $base i32))\n";
  wat += "  (memory (export \"mem\") " + std::to_string(pages) + " 16)\n";
  int segments = 1 + int(rng() % 7);
  int special = int(rng() % segments); // the segment that makes the shape
  for (int i = 0; i < segments; ++i) {
    // Sizes around host-page and wasm-page boundaries, often empty.
    static const uint32_t kSizes[] = {0, 1, 7, 4095, 4096, 4097, 9000, 65536, 70000};
    uint32_t size = kSizes[rng() % std::size(kSizes)];
    if (size > bytes) size = bytes;
    uint32_t at = uint32_t(rng() % (bytes - size + 1));
    if (rng() % 4 == 0) at = at / 4096 * 4096; // page-aligned now and then
    std::string offset = "(i32.const " + std::to_string(at) + ")";
    if (i == special && shape == Shape::ImportedOffset) {
      size = std::min(size, 5000u); // the linker's base is below 60000
      offset = "(global.get $base)";
    }
    if (i == special && shape == Shape::OutOfBounds) {
      size = 1 + rng() % 5000;
      offset = "(i32.const " + std::to_string(bytes - size / 2) + ")";
    }
    std::vector<uint8_t> data(size);
    for (uint8_t &b : data) b = uint8_t(rng() % 4 == 0 ? 0 : rng()); // zeros inside too
    bool passive = i != special && rng() % 5 == 0;
    if (size != 0 && !passive) g.has_data = true;
    if (passive) {
      wat += "  (data \"" + escaped(data) + "\")\n"; // passive: never in the image
    } else {
      wat += "  (data " + offset + " \"" + escaped(data) + "\")\n";
    }
  }
  wat += R"(  (func (export "store8") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
)
)";
  g.wat = wat;
  return g;
}

Linker linkerWithBase(uint32_t base) {
  Linker linker;
  linker.define("env", "base", *Extern::hostGlobal({ValType::I32, false}, Value::i32(base)));
  return linker;
}

std::shared_ptr<const Module> compile(const std::string &wat, bool images) {
  CompileOptions options;
  options.memory_images = images;
  auto m = Module::compile(test::watToWasm(wat), options);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().describe()) << "\n" << wat;
  return m.ok() ? *m : nullptr;
}

::testing::AssertionResult sameMemory(Instance &a, Instance &b) {
  rt::Memory &ma = memoryOf(a), &mb = memoryOf(b);
  if (ma.sizeBytes() != mb.sizeBytes())
    return ::testing::AssertionFailure() << "sizes " << ma.sizeBytes() << " and " << mb.sizeBytes();
  for (uint64_t i = 0; i < ma.sizeBytes(); ++i) {
    if (ma.data()[i] != mb.data()[i])
      return ::testing::AssertionFailure()
             << "byte " << i << ": " << int(ma.data()[i]) << " against " << int(mb.data()[i]);
  }
  return ::testing::AssertionSuccess();
}

TEST(MemoryImage, GeneratedModulesGiveTheSameBytesEitherWay) {
  std::mt19937 rng(20261203);
  int imaged = 0;
  for (int round = 0; round < 90; ++round) {
    Shape shape = Shape(round % 3);
    Generated g = generate(rng, shape);
    SCOPED_TRACE("round " + std::to_string(round) + "\n" + g.wat);
    auto with_image = compile(g.wat, true);
    auto copying = compile(g.wat, false);
    ASSERT_TRUE(with_image && copying);
    Linker linker = linkerWithBase(uint32_t(rng() % 60000));
    auto a = linker.instantiate(with_image);
    auto b = linker.instantiate(copying);
    if (shape == Shape::OutOfBounds) {
      ASSERT_FALSE(a.ok());
      ASSERT_FALSE(b.ok());
      EXPECT_EQ(a.error().code, ErrorCode::InstantiationTrap);
      EXPECT_EQ(a.error().describe(), b.error().describe());
      continue;
    }
    ASSERT_TRUE(a.ok()) << a.error().describe();
    ASSERT_TRUE(b.ok()) << b.error().describe();
    bool expect_image = shape == Shape::Constant && g.has_data;
    EXPECT_EQ(memoryOf(**a).fromImage(), expect_image);
    EXPECT_FALSE(memoryOf(**b).fromImage());
    imaged += expect_image;
    EXPECT_TRUE(sameMemory(**a, **b));

    // Writes to one instance of the image stay in it.
    auto a2 = linker.instantiate(with_image);
    ASSERT_TRUE(a2.ok());
    for (int k = 0; k < 50; ++k) {
      Value args[] = {Value::i32(uint32_t(rng() % memoryOf(**a).sizeBytes())),
                      Value::i32(rng() % 256)};
      ASSERT_TRUE((*a)->call("store8", args)->returned());
    }
    Value grow[] = {Value::i32(1 + rng() % 3)};
    ASSERT_TRUE((*a)->call("grow", grow)->returned());
    EXPECT_TRUE(sameMemory(**a2, **b));

    // Reset brings the image (or the copies) back and the size down.
    ASSERT_TRUE((*a)->reset().ok());
    EXPECT_TRUE(sameMemory(**a, **b));
    ASSERT_TRUE((*b)->call("grow", grow)->returned());
    ASSERT_TRUE((*b)->reset().ok());
    EXPECT_TRUE(sameMemory(**a, **b));
    if (HasFailure()) return;
  }
  EXPECT_GE(imaged, 20); // the generator does reach the image path
}

// A memory imported from an instance whose memory has an image: the
// importer's data segments are written into it, not assumed in the image.
TEST(MemoryImage, AnImportersSegmentsAreWrittenIntoAnImagedMemory) {
  auto exporter =
      compile(R"((module (memory (export "mem") 1) (data (i32.const 0) "exporter")))", true);
  auto importer = compile(R"((module (import "e" "mem" (memory 1))
                               (data (i32.const 4) "IMPORTER")))",
                          true);
  ASSERT_TRUE(exporter && importer);
  auto e = Linker().instantiate(exporter);
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(memoryOf(**e).fromImage());
  Linker linker;
  linker.defineInstance("e", **e);
  ASSERT_TRUE(linker.instantiate(importer).ok());
  EXPECT_EQ(std::string(reinterpret_cast<const char *>(memoryOf(**e).data()), 12), "expoIMPORTER");
}

// 40 instances of a module with 8 MiB of data: mapped, not copied.
TEST(MemoryImage, InstantiatingCostsNoPrivateMemory) {
  std::string data(8 << 20, 'x');
  std::string wat = "(module (memory 129) (data (i32.const 0) \"" + data +
                    "\")\n"
                    "  (func (export \"read\") (param i32) (result i32) "
                    "(i32.load8_u (local.get 0))))";
  auto with_image = compile(wat, true);
  auto copying = compile(wat, false);
  ASSERT_TRUE(with_image && copying);
  auto growth = [](const std::shared_ptr<const Module> &m, size_t *private_pages) {
    std::vector<std::shared_ptr<Instance>> keep;
    size_t before = test::residentBytes();
    *private_pages = 0;
    for (int i = 0; i < 40; ++i) {
      auto inst = Linker().instantiate(m);
      EXPECT_TRUE(inst.ok());
      if (!inst.ok()) return size_t(0);
      Value at[] = {Value::i32(uint32_t(i) * 4096)};
      EXPECT_EQ((*inst)->call("read", at)->results[0].asI32(), uint32_t('x'));
      rt::Memory &mem = memoryOf(**inst);
      *private_pages += test::privatePages(mem.data(), mem.sizeBytes());
      keep.push_back(*inst);
    }
    return test::residentBytes() - before;
  };
  size_t image_private = 0, copy_private = 0;
  size_t image_growth = growth(with_image, &image_private);
  size_t copy_growth = growth(copying, &copy_private);
  EXPECT_EQ(image_private, 0u); // reads do not copy a page
  EXPECT_GE(copy_private, 40u * (8u << 20) / 4096);
  // The image is 8 MiB of shared file pages, counted once.
  EXPECT_LT(image_growth, size_t(24) << 20);
  EXPECT_GT(copy_growth, size_t(300) << 20);
}

} // namespace
} // namespace halter
