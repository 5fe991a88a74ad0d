#include "compile/disassemble.h"

#include "compile/register_code.h"

#include <charconv>
#include <map>

namespace halter::compile {
namespace {

std::string immText(uint64_t v) {
  if (v < (uint64_t(1) << 32)) return "#" + std::to_string(v);
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v, 16);
  return "#0x" + std::string(buf, r.ptr);
}

std::string slotText(uint64_t v) {
  // A slot word is a byte offset; one that is not a multiple of 8 is shown
  // as it is, so nothing is lost.
  if (v % 8 != 0) return "s?" + std::to_string(v);
  return "s" + std::to_string(v / 8);
}

std::string operandText(char shape, uint64_t v) {
  switch (shape) {
  case 's':
    return slotText(v);
  case 'o': {
    int64_t off = static_cast<int64_t>(v);
    return "@" + std::to_string(off);
  }
  default:
    return immText(v);
  }
}

// The shape of a variable-length instruction at `code[at]`, or empty when
// its length words run past the end.
std::string variableShape(std::span<const uint64_t> code, size_t at, IOp op) {
  if (op == IOp::BrTable) {
    if (at + 2 >= code.size()) return {};
    return "si" + std::string(code[at + 2] + 1, 'o');
  }
  // ReturnN
  if (at + 1 >= code.size()) return {};
  return "is" + std::string(code[at + 1], 's');
}

} // namespace

std::string disassembleInstr(std::span<const uint64_t> code, size_t at, size_t *words) {
  *words = 1;
  uint64_t w = code[at];
  if (w >= uint64_t(kIOpCount)) return "<unknown word " + std::to_string(w) + ">";
  IOp op = static_cast<IOp>(w);
  std::string shape = kIOpShapes[w];
  if (shape == "*") {
    shape = variableShape(code, at, op);
    // A count that runs past the end of the code is not an instruction.
    if (shape.empty() || shape.size() > code.size() - at - 1)
      return "<unknown word " + std::to_string(w) + ">";
  } else if (shape.size() > code.size() - at - 1) {
    return "<unknown word " + std::to_string(w) + ">";
  }
  std::string out = kIOpNames[w];
  std::string targets;
  for (size_t k = 0; k < shape.size(); ++k) {
    uint64_t v = code[at + 1 + k];
    out += ' ';
    out += operandText(shape[k], v);
    if (shape[k] == 'o') {
      targets += targets.empty() ? " ; -> " : " ";
      targets += std::to_string(int64_t(at) + static_cast<int64_t>(v));
    }
  }
  *words = 1 + shape.size();
  return out + targets;
}

std::string disassemble(std::span<const uint64_t> code) {
  std::string out;
  for (size_t at = 0; at < code.size();) {
    size_t words = 1;
    out += std::to_string(at) + ": " + disassembleInstr(code, at, &words) + "\n";
    at += words;
  }
  return out;
}

Result<std::vector<uint64_t>> assemble(std::string_view text) {
  static const std::map<std::string, uint64_t, std::less<>> by_name = [] {
    std::map<std::string, uint64_t, std::less<>> m;
    for (int i = 0; i < kIOpCount; ++i) m.emplace(kIOpNames[i], uint64_t(i));
    return m;
  }();
  std::vector<uint64_t> words;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (size_t c = line.find(';'); c != std::string_view::npos) line = line.substr(0, c);
    if (size_t c = line.find(':'); c != std::string_view::npos) line = line.substr(c + 1);
    std::vector<std::string_view> tokens;
    for (size_t i = 0; i < line.size();) {
      while (i < line.size() && line[i] == ' ') ++i;
      size_t j = i;
      while (j < line.size() && line[j] != ' ') ++j;
      if (j > i) tokens.push_back(line.substr(i, j - i));
      i = j;
    }
    if (tokens.empty()) continue;
    auto bad = [&](std::string_view token, const char *why) {
      return makeError(ErrorCode::InvalidArgument, kNoOffset,
                       "line " + std::to_string(line_no) + ": " + why + ": \"" +
                           std::string(token) + "\"");
    };
    auto it = by_name.find(tokens[0]);
    if (it == by_name.end()) return bad(tokens[0], "unknown instruction");
    size_t start = words.size();
    words.push_back(it->second);
    for (size_t k = 1; k < tokens.size(); ++k) {
      std::string_view t = tokens[k];
      uint64_t v = 0;
      std::from_chars_result r{};
      if (t.size() >= 2 && t[0] == 's' && t[1] == '?') {
        r = std::from_chars(t.data() + 2, t.data() + t.size(), v);
      } else if (t[0] == 's') {
        r = std::from_chars(t.data() + 1, t.data() + t.size(), v);
        v *= 8;
      } else if (t[0] == '#' && t.size() > 3 && t[1] == '0' && t[2] == 'x') {
        r = std::from_chars(t.data() + 3, t.data() + t.size(), v, 16);
      } else if (t[0] == '#') {
        r = std::from_chars(t.data() + 1, t.data() + t.size(), v);
      } else if (t[0] == '@') {
        int64_t off = 0;
        r = std::from_chars(t.data() + 1, t.data() + t.size(), off);
        v = static_cast<uint64_t>(off);
      } else {
        return bad(t, "unknown operand");
      }
      if (r.ec != std::errc() || r.ptr != t.data() + t.size()) return bad(t, "bad operand");
      words.push_back(v);
    }
    // As many operands as the shape has (for br_table and ReturnN, as their
    // counts say).
    size_t want = 0;
    disassembleInstr(words, start, &want);
    if (kIOpShapes[it->second][0] != '*' &&
        tokens.size() != 1 + std::string_view(kIOpShapes[it->second]).size())
      return bad(tokens[0], "wrong number of operands");
    if (want != words.size() - start) return bad(tokens[0], "wrong number of operands");
  }
  return words;
}

} // namespace halter::compile
