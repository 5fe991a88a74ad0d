#include "pipeline/local_processors.h"

#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utypes.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <exception>
#include <limits>
#include <string>

namespace halter::pipeline {

namespace {

constexpr std::string_view kUpper = "change_text_case_upper";
constexpr std::string_view kLower = "change_text_case_lower";
constexpr std::string_view kProper = "change_text_case_proper";
constexpr std::string_view kTitle = "change_text_case_title";
constexpr std::string_view kReverse = "reverse_text";
constexpr std::string_view kPrefixSuffix = "prefix_suffix_adder";
constexpr std::string_view kTokenCounter = "token_counter";
constexpr std::string_view kWordFrequency = "word_frequency_analyzer";

constexpr int kInvalidUtf8Code = 400; // DAGwood's code for undecodable input
// Failures DAGwood cannot have (Rust's case mapping is infallible); they only
// happen here if ICU or the allocator gives up.
constexpr int kInternalErrorCode = 500;

// Words that title case leaves lowercase unless they come first.
constexpr std::array<std::u32string_view, 14> kSmallWords = {U"a",   U"an", U"the",  U"and", U"or",
                                                             U"but", U"in", U"on",   U"at",  U"to",
                                                             U"for", U"of", U"with", U"by"};

ProcessorResult failure(int code, std::string message) {
  ProcessorResult r;
  r.error_code = code;
  r.error = std::move(message);
  return r;
}

ProcessorResult success(std::string payload, Metadata metadata = {}) {
  ProcessorResult r;
  r.ok = true;
  r.payload = std::move(payload);
  r.metadata = std::move(metadata);
  return r;
}

bool isContinuation(uint8_t b) {
  return (b & 0xC0) == 0x80;
}

// Decodes `bytes` as Rust's String::from_utf8 validates them. On failure,
// `error` gets Rust's Utf8Error Display text: the byte counts and offsets must
// match Rust's validator, which rejects at the first byte that cannot continue
// a well-formed sequence (so overlongs and surrogates fail after 1 byte).
bool decodeUtf8(std::string_view bytes, std::u32string &out, std::string &error) {
  const size_t n = bytes.size();
  auto at = [&](size_t k) { return static_cast<uint8_t>(bytes[k]); };
  auto invalid = [&](size_t index, size_t len) {
    error = "invalid utf-8 sequence of " + std::to_string(len) + " bytes from index " +
            std::to_string(index);
    return false;
  };
  auto incomplete = [&](size_t index) {
    error = "incomplete utf-8 byte sequence from index " + std::to_string(index);
    return false;
  };
  out.clear();
  out.reserve(n);
  size_t i = 0;
  while (i < n) {
    const uint8_t b0 = at(i);
    if (b0 < 0x80) {
      out.push_back(b0);
      ++i;
      continue;
    }
    size_t width = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF)
      width = 2;
    else if (b0 >= 0xE0 && b0 <= 0xEF)
      width = 3;
    else if (b0 >= 0xF0 && b0 <= 0xF4)
      width = 4;
    if (width == 0) return invalid(i, 1);
    // The lead byte narrows the second byte's range (no overlongs, no
    // surrogates, nothing above U+10FFFF).
    uint8_t lo = 0x80, hi = 0xBF;
    if (b0 == 0xE0)
      lo = 0xA0;
    else if (b0 == 0xED)
      hi = 0x9F;
    else if (b0 == 0xF0)
      lo = 0x90;
    else if (b0 == 0xF4)
      hi = 0x8F;
    if (i + 1 >= n) return incomplete(i);
    if (at(i + 1) < lo || at(i + 1) > hi) return invalid(i, 1);
    for (size_t k = 2; k < width; ++k) {
      if (i + k >= n) return incomplete(i);
      if (!isContinuation(at(i + k))) return invalid(i, k);
    }
    char32_t c = b0 & (0x7F >> width);
    for (size_t k = 1; k < width; ++k) c = (c << 6) | (at(i + k) & 0x3F);
    out.push_back(c);
    i += width;
  }
  return true;
}

void appendUtf8(std::string &out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

void appendUtf8(std::string &out, std::u32string_view text) {
  for (char32_t c : text) appendUtf8(out, c);
}

enum class CaseMap : uint8_t { Upper, Lower };

// Whole-string full case mapping in ICU's root locale: SpecialCasing's
// unconditional mappings plus Final_Sigma for lowercase, no language
// tailoring; that is what Rust's str::to_uppercase/to_lowercase do. The
// string is mapped as one unit so sigma sees its neighbours. Appends UTF-32.
bool mapCase(std::u32string_view text, CaseMap which, std::u32string &out, std::string &error) {
  if (text.empty()) return true;
  std::u16string src;
  src.reserve(text.size());
  for (char32_t c : text) {
    if (c < 0x10000) {
      src.push_back(static_cast<char16_t>(c));
    } else {
      src.push_back(static_cast<char16_t>(0xD7C0 + (c >> 10)));
      src.push_back(static_cast<char16_t>(0xDC00 | (c & 0x3FF)));
    }
  }
  constexpr size_t kMaxUnits = std::numeric_limits<int32_t>::max() / 4;
  if (src.size() > kMaxUnits) {
    error = "text too large for case mapping";
    return false;
  }
  auto run = [&](std::u16string &dst, UErrorCode &status) {
    const int32_t cap = static_cast<int32_t>(dst.size());
    const int32_t len = static_cast<int32_t>(src.size());
    return which == CaseMap::Upper ? u_strToUpper(dst.data(), cap, src.data(), len, "", &status)
                                   : u_strToLower(dst.data(), cap, src.data(), len, "", &status);
  };
  // Most text keeps its length; retry once with the exact size if not.
  std::u16string dst(src.size() + 8, u'\0');
  UErrorCode status = U_ZERO_ERROR;
  int32_t len = run(dst, status);
  if (status == U_BUFFER_OVERFLOW_ERROR) {
    dst.assign(static_cast<size_t>(len), u'\0');
    status = U_ZERO_ERROR;
    len = run(dst, status);
  }
  if (U_FAILURE(status)) {
    error = std::string("case mapping failed: ") + u_errorName(status);
    return false;
  }
  // ICU's output from well-formed input is well-formed UTF-16.
  for (int32_t k = 0; k < len; ++k) {
    const char16_t u = dst[static_cast<size_t>(k)];
    if (u >= 0xD800 && u <= 0xDBFF && k + 1 < len) {
      const char16_t low = dst[static_cast<size_t>(++k)];
      out.push_back(0x10000 + ((static_cast<char32_t>(u) - 0xD800) << 10) + (low - 0xDC00));
    } else {
      out.push_back(u);
    }
  }
  return true;
}

// Rust char::is_whitespace: the White_Space property.
bool isWhitespace(char32_t c) {
  return u_isUWhiteSpace(static_cast<UChar32>(c));
}

// Rust char::is_alphanumeric: Alphabetic, or general category Nd/Nl/No.
bool isAlphanumeric(char32_t c) {
  const auto cp = static_cast<UChar32>(c);
  if (u_hasBinaryProperty(cp, UCHAR_ALPHABETIC)) return true;
  const int8_t type = u_charType(cp);
  return type == U_DECIMAL_DIGIT_NUMBER || type == U_LETTER_NUMBER || type == U_OTHER_NUMBER;
}

// Rust str::split_whitespace: maximal non-whitespace runs.
std::vector<std::u32string_view> splitWhitespace(std::u32string_view text) {
  std::vector<std::u32string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && isWhitespace(text[i])) ++i;
    const size_t start = i;
    while (i < text.size() && !isWhitespace(text[i])) ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}

// Rust str::lines().count(): pieces ending in '\n', plus a final piece
// without one if it is non-empty. A lone '\r' is not a line break.
size_t lineCount(std::u32string_view text) {
  if (text.empty()) return 0;
  const auto breaks = static_cast<size_t>(std::count(text.begin(), text.end(), U'\n'));
  return breaks + (text.back() == U'\n' ? 0 : 1);
}

// DAGwood's proper-case word: the first char's own uppercase mapping (may
// be several chars) followed by the lowercased remainder, mapped on its own.
bool properWord(std::u32string_view word, std::u32string &out, std::string &error) {
  return mapCase(word.substr(0, 1), CaseMap::Upper, out, error) &&
         mapCase(word.substr(1), CaseMap::Lower, out, error);
}

bool changeCase(std::string_view name, std::u32string_view text, std::u32string &out,
                std::string &error) {
  if (name == kUpper) return mapCase(text, CaseMap::Upper, out, error);
  if (name == kLower) return mapCase(text, CaseMap::Lower, out, error);
  const bool title = name == kTitle;
  const std::vector<std::u32string_view> words = splitWhitespace(text);
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out.push_back(U' ');
    if (title && i > 0) {
      std::u32string lower;
      if (!mapCase(words[i], CaseMap::Lower, lower, error)) return false;
      if (std::find(kSmallWords.begin(), kSmallWords.end(), lower) != kSmallWords.end()) {
        out += lower;
        continue;
      }
    }
    if (!properWord(words[i], out, error)) return false;
  }
  return true;
}

ProcessorResult tokenCounter(std::u32string_view text) {
  Metadata metadata;
  auto &own = metadata[std::string(kTokenCounter)];
  own["char_count"] = std::to_string(text.size());
  own["word_count"] = std::to_string(splitWhitespace(text).size());
  own["line_count"] = std::to_string(std::max<size_t>(1, lineCount(text)));
  return success({}, std::move(metadata));
}

ProcessorResult wordFrequency(std::u32string_view text) {
  std::map<std::string, size_t> counts;
  for (std::u32string_view word : splitWhitespace(text)) {
    // Filter first, then lowercase the filtered string as a whole (so a
    // final sigma is judged against the filtered neighbours).
    std::u32string kept;
    for (char32_t c : word)
      if (isAlphanumeric(c)) kept.push_back(c);
    if (kept.empty()) continue;
    std::u32string lower;
    std::string error;
    if (!mapCase(kept, CaseMap::Lower, lower, error)) return failure(kInternalErrorCode, error);
    std::string key;
    appendUtf8(key, lower);
    ++counts[key];
  }
  Metadata metadata;
  auto &own = metadata[std::string(kWordFrequency)];
  for (const auto &[word, count] : counts) own["word_freq_" + word] = std::to_string(count);
  own["total_unique_words"] = std::to_string(counts.size());
  return success({}, std::move(metadata));
}

ProcessorResult runDecoded(std::string_view name, std::u32string_view text) {
  if (name == kTokenCounter) return tokenCounter(text);
  if (name == kWordFrequency) return wordFrequency(text);
  std::u32string out;
  if (name == kReverse) {
    out.assign(text.rbegin(), text.rend());
  } else {
    std::string error;
    if (!changeCase(name, text, out, error)) return failure(kInternalErrorCode, error);
  }
  std::string payload;
  payload.reserve(out.size());
  appendUtf8(payload, out);
  return success(std::move(payload));
}

} // namespace

std::string encodeUtf8(std::u32string_view text) {
  std::string out;
  appendUtf8(out, text);
  return out;
}

const std::vector<std::string_view> &localProcessorNames() {
  static const std::vector<std::string_view> kNames = {
      kUpper, kLower, kProper, kTitle, kReverse, kTokenCounter, kWordFrequency, kPrefixSuffix};
  return kNames;
}

bool isLocalProcessor(std::string_view name) {
  const auto &names = localProcessorNames();
  return std::find(names.begin(), names.end(), name) != names.end();
}

Intent localIntent(std::string_view name) {
  return name == kTokenCounter || name == kWordFrequency ? Intent::Analyze : Intent::Transform;
}

ProcessorResult runLocal(std::string_view name, std::string_view input,
                         const LocalOptions &options) {
  if (!isLocalProcessor(name))
    return failure(0, "Unknown local processor implementation: '" + std::string(name) + "'");
  try {
    std::u32string text;
    std::string error;
    // Every DAGwood processor decodes its input first, even the adder.
    if (!decodeUtf8(input, text, error))
      return failure(kInvalidUtf8Code, "Invalid UTF-8 input: " + error);
    if (name == kPrefixSuffix) {
      std::string payload;
      payload.reserve(options.prefix.size() + input.size() + options.suffix.size());
      payload.append(options.prefix).append(input).append(options.suffix);
      return success(std::move(payload));
    }
    return runDecoded(name, text);
  } catch (const std::exception &e) {
    // Allocation failure on huge input; report it rather than unwind.
    return failure(kInternalErrorCode, std::string("local processor failed: ") + e.what());
  }
}

} // namespace halter::pipeline
