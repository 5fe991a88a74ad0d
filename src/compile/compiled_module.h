// What Module::compile produces: the decoded module, its functions (lowered
// on first call), and the public descriptions of its imports, exports and
// sections. Immutable once built but for the lazily lowered code and its
// counters; instances share it (rt::Instance::module).
#pragma once

#include "compile/compiled_function.h"
#include "compile/memory_image.h"
#include "halter/module_info.h"
#include "ir/module.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <vector>

namespace halter::compile {

struct CompiledModule {
  ir::Module ir;
  std::vector<CompiledFunction> code; // one per defined function
  std::vector<ImportInfo> imports;
  std::vector<ExportInfo> exports;
  std::vector<SectionInfo> sections;
  std::chrono::nanoseconds compile_time{0};
  // hash64 of the module's bytes: a snapshot names its module by it.
  uint64_t content_hash = 0;

  // Held while a form of a function is lowered and published (first calls
  // from several threads lower it once).
  mutable std::mutex lowering_lock;
  // Forms lowered so far (Form::Plain, Form::Metered) and their code words.
  mutable std::atomic<uint32_t> lowered_count[2] = {0, 0};
  mutable std::atomic<uint64_t> lowered_words{0};

  // CompileOptions::memory_images: instances of a module whose memory 0
  // MemoryImage::layOut accepts map its image instead of copying segments.
  bool use_memory_image = true;
  // The image, laid out by the first instantiation that wants it; null when
  // the module has none (or use_memory_image is false).
  const std::shared_ptr<const MemoryImage> &memoryImage() const;

private:
  mutable std::once_flag memory_image_once_;
  mutable std::shared_ptr<const MemoryImage> memory_image_;
};

// Fills cm.code (one unlowered CompiledFunction per defined function, its
// frame shape from cm.ir), cm.imports, cm.exports and cm.sections.
void describeModule(CompiledModule &cm);

} // namespace halter::compile
