// Writing the WebAssembly binary format: LEB128 integers, names, limits,
// constant expressions and section framing. The inverse of the decoder's
// readers, for tools that emit modules (preinitialisation).
#pragma once

#include "halter/types.h"
#include "ir/module.h"

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace halter::binary {

// Appends to a byte vector; every integer in the minimal LEB128 form.
class WasmWriter {
public:
  void byte(uint8_t v) { out_.push_back(v); }
  void bytes(std::span<const uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void u32(uint32_t v) { uleb(v); }
  void uleb(uint64_t v);
  void sleb(int64_t v);
  // A length-prefixed UTF-8 name (or byte vector).
  void name(std::string_view s);
  // Table and memory limits (flag 0: min only, 1: min and max).
  void limits(const SizeLimits &l);
  // The instructions of `expr`, then `end`.
  void constExpr(const ir::ConstExpr &expr);
  // A section: id, payload size, payload.
  void section(uint8_t id, std::span<const uint8_t> payload);

  const std::vector<uint8_t> &out() const { return out_; }
  std::vector<uint8_t> take() { return std::move(out_); }

private:
  std::vector<uint8_t> out_;
};

// Constant expressions of one instruction.
ir::ConstExpr i32Const(uint32_t bits);
ir::ConstExpr i64Const(uint64_t bits);
ir::ConstExpr f32Const(uint32_t bits);
ir::ConstExpr f64Const(uint64_t bits);
ir::ConstExpr refNull(ValType type);
ir::ConstExpr refFunc(uint32_t func_index);

} // namespace halter::binary
