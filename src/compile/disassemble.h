// Register code as text and back (DESIGN §3.2), generated from the operand
// shapes of the instruction table (register_code.h): one line per
// instruction, `<index>: <Name> <operands>`, operands in shape order:
//   s<N>   frame slot N (the word holds N * 8, its byte offset)
//   #<V>   immediate (decimal, or 0x hex at 2^32 and above)
//   @<D>   branch offset in words, signed; the target follows in a comment
// br_table prints `s<idx> #<n> @<arm>...`, ReturnN `#<n> s<stage> s<src>...`.
#pragma once

#include "compile/compiled_function.h"
#include "halter/result.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace halter::compile {

// The instruction at `code[at]` (unthreaded: its first word is an IOp), or
// `<unknown word N>` when it is not one; `*words` is its length (1 when
// unknown or cut short).
std::string disassembleInstr(std::span<const uint64_t> code, size_t at, size_t *words);

// Every instruction of `code`, one a line, each prefixed with its word index.
std::string disassemble(std::span<const uint64_t> code);

// The words of disassembled text (either function's output, index prefixes
// and comments optional). Errors name the line and the token.
Result<std::vector<uint64_t>> assemble(std::string_view text);

} // namespace halter::compile
