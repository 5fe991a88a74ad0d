#include "binary/name_section.h"

#include "binary/utf8.h"
#include "common/byte_reader.h"

#include <optional>
#include <string>

namespace halter::binary {
namespace {

std::optional<std::string> readName(ByteReader &r) {
  auto len = r.readU32();
  if (!len.ok()) return std::nullopt;
  auto text = r.readBytes(*len);
  if (!text.ok() || !isValidUtf8(*text)) return std::nullopt;
  return std::string(text->begin(), text->end());
}

bool readFunctionNames(ByteReader &r, ir::Names &names) {
  auto count = r.readU32();
  if (!count.ok() || *count > r.remaining()) return false;
  for (uint32_t i = 0; i < *count; ++i) {
    auto index = r.readU32();
    if (!index.ok()) return false;
    std::optional<std::string> name = readName(r);
    if (!name) return false;
    names.functions[*index] = std::move(*name);
  }
  return r.atEnd();
}

} // namespace

ir::Names parseNameSection(std::span<const uint8_t> bytes, uint64_t begin, uint64_t end) {
  ir::Names names;
  ByteReader r(bytes, begin, end);
  while (!r.atEnd()) {
    auto id = r.readByte();
    if (!id.ok()) return {};
    auto size = r.readU32();
    if (!size.ok()) return {};
    auto sub = r.sub(*size);
    if (!sub.ok()) return {};
    ByteReader &s = *sub;
    if (*id == 0) {
      std::optional<std::string> name = readName(s);
      if (!name || !s.atEnd()) return {};
      names.module = std::move(*name);
    } else if (*id == 1) {
      if (!readFunctionNames(s, names)) return {};
    }
    r.seek(s.end());
  }
  return names;
}

} // namespace halter::binary
