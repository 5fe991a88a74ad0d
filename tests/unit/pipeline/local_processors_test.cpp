#include "pipeline/local_processors.h"

#include <gtest/gtest.h>

#include <unicode/uchar.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace halter::pipeline {
namespace {

ProcessorResult run(std::string_view name, std::string_view input, LocalOptions options = {}) {
  return runLocal(name, input, options);
}

// The payload of a transform that must succeed.
std::string transform(std::string_view name, std::string_view input) {
  ProcessorResult r = run(name, input);
  EXPECT_TRUE(r.ok) << name << ": " << r.error;
  EXPECT_TRUE(r.metadata.empty()) << name;
  return r.payload;
}

std::string upper(std::string_view s) {
  return transform("change_text_case_upper", s);
}
std::string lower(std::string_view s) {
  return transform("change_text_case_lower", s);
}
std::string proper(std::string_view s) {
  return transform("change_text_case_proper", s);
}
std::string title(std::string_view s) {
  return transform("change_text_case_title", s);
}
std::string reverse(std::string_view s) {
  return transform("reverse_text", s);
}

// The analyzer's own metadata map; the payload must be empty.
std::map<std::string, std::string> analyze(std::string_view name, std::string_view input) {
  ProcessorResult r = run(name, input);
  EXPECT_TRUE(r.ok) << name << ": " << r.error;
  EXPECT_TRUE(r.payload.empty()) << name;
  EXPECT_EQ(r.metadata.size(), 1u) << name;
  return r.metadata[std::string(name)];
}

std::map<std::string, std::string> counts(std::string_view s) {
  return analyze("token_counter", s);
}
std::map<std::string, std::string> freq(std::string_view s) {
  return analyze("word_frequency_analyzer", s);
}

TEST(LocalProcessorsTest, NamesAndIntents) {
  const auto &names = localProcessorNames();
  ASSERT_EQ(names.size(), 8u);
  for (std::string_view n : names) EXPECT_TRUE(isLocalProcessor(n)) << n;
  EXPECT_FALSE(isLocalProcessor("Reverse_Text"));
  EXPECT_FALSE(isLocalProcessor("reverse_text "));
  EXPECT_FALSE(isLocalProcessor(""));
  EXPECT_EQ(localIntent("token_counter"), Intent::Analyze);
  EXPECT_EQ(localIntent("word_frequency_analyzer"), Intent::Analyze);
  EXPECT_EQ(localIntent("reverse_text"), Intent::Transform);
  EXPECT_EQ(localIntent("prefix_suffix_adder"), Intent::Transform);
  EXPECT_EQ(localIntent("change_text_case_title"), Intent::Transform);
  EXPECT_EQ(localIntent("no_such_thing"), Intent::Transform);
}

TEST(LocalProcessorsTest, UnknownNameFails) {
  ProcessorResult r = run("shout", "x");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "Unknown local processor implementation: 'shout'");
}

TEST(LocalProcessorsTest, UpperUsesFullMappings) {
  EXPECT_EQ(upper("hello, World 42"), "HELLO, WORLD 42");
  EXPECT_EQ(upper("straße"), "STRASSE");
  EXPECT_EQ(upper("ﬁne"), "FINE"); // ligature expands
  EXPECT_EQ(upper("\u0149"), "\u02bcN");
  EXPECT_EQ(upper("\u01c6"), "\u01c4");             // uppercase, not titlecase U+01C5
  EXPECT_EQ(upper("\u1fb3"), "\u0391\u0399");       // iota subscript, unconditional
  EXPECT_EQ(upper("i"), "I");                       // no Turkish tailoring
  EXPECT_EQ(upper("\u0390"), "\u0399\u0308\u0301"); // one char -> three
  EXPECT_EQ(upper("日本 😀"), "日本 😀");             // uncased kept
  EXPECT_EQ(upper(""), "");
}

TEST(LocalProcessorsTest, CaseMappingThatGrowsPastTheFirstBuffer) {
  // Each of these maps to more UTF-16 units than it had, so the output
  // outgrows the first buffer and the mapping is redone at the exact size.
  std::string eszetts, doubled;
  for (int i = 0; i < 1000; ++i) eszetts += "\u00df", doubled += "SS";
  EXPECT_EQ(upper(eszetts), doubled);
  std::string tonos, expanded;
  for (int i = 0; i < 300; ++i) tonos += "\u0390", expanded += "\u0399\u0308\u0301";
  EXPECT_EQ(upper(tonos), expanded);
  EXPECT_EQ(proper("\u00df" + eszetts), "SS" + eszetts);
}

TEST(LocalProcessorsTest, LowerAppliesFinalSigma) {
  EXPECT_EQ(lower("HELLO World"), "hello world");
  EXPECT_EQ(lower("ΟΔΟΣ"), "\u03bf\u03b4\u03bf\u03c2");
  EXPECT_EQ(lower("ΟΔΟΣ ΟΔΟΣ"), "\u03bf\u03b4\u03bf\u03c2 \u03bf\u03b4\u03bf\u03c2");
  EXPECT_EQ(lower("ΣΑΣ"), "\u03c3\u03b1\u03c2");   // initial medial, last final
  EXPECT_EQ(lower("Σ"), "\u03c3");                 // alone: not preceded by a cased letter
  EXPECT_EQ(lower("ΑΣ."), "\u03b1\u03c2.");        // punctuation after still ends the word
  EXPECT_EQ(lower("ΑΣ'Α"), "\u03b1\u03c3'\u03b1"); // case-ignorable apostrophe is skipped
  EXPECT_EQ(lower("İ"), "i\u0307");                // U+0130, full mapping
  EXPECT_EQ(lower("ẞ"), "ß");
  EXPECT_EQ(lower(""), "");
}

TEST(LocalProcessorsTest, ProperCollapsesWhitespace) {
  EXPECT_EQ(proper("hello wORLD"), "Hello World");
  EXPECT_EQ(proper("  \tmany\n\n  spaces\r\n here  "), "Many Spaces Here");
  EXPECT_EQ(proper("a\u3000b\u00a0c\u2028d\u0085e"), "A B C D E");
  EXPECT_EQ(proper("ßtraße"), "SStraße");          // first char maps to two
  EXPECT_EQ(proper("\u01c6UNGLA"), "\u01c4ungla"); // char::to_uppercase, not titlecase
  EXPECT_EQ(proper("'TIS"), "'tis");               // first char has no case
  EXPECT_EQ(proper("hello-WORLD"), "Hello-world");
  // Sigma in the rest of the word is lowered with the rest alone.
  EXPECT_EQ(proper("ΟΔΟΣ"), "\u039f\u03b4\u03bf\u03c2");
  EXPECT_EQ(proper("ΣΣ"), "\u03a3\u03c3"); // rest "Σ" has no cased letter before it
  EXPECT_EQ(proper(""), "");
  EXPECT_EQ(proper(" \n\t\u3000 "), "");
}

TEST(LocalProcessorsTest, TitleKeepsSmallWordsLower) {
  EXPECT_EQ(title("the lord OF the rings"), "The Lord of the Rings");
  EXPECT_EQ(title("A TALE of TWO cities"), "A Tale of Two Cities");
  EXPECT_EQ(title("war AND peace"), "War and Peace");
  EXPECT_EQ(title("of mice and men"), "Of Mice and Men");
  // The whole token is compared, so punctuation defeats the list.
  EXPECT_EQ(title("go to the, end"), "Go to The, End");
  EXPECT_EQ(title("x by\tWITH\nfor"), "X by with for");
  EXPECT_EQ(title("an  AN an"), "An an an");
  EXPECT_EQ(title("into then"), "Into Then");
  EXPECT_EQ(title(""), "");
}

TEST(LocalProcessorsTest, ReverseSeparatesCombiningMarks) {
  EXPECT_EQ(reverse("abc"), "cba");
  EXPECT_EQ(reverse("e\u0301x"), "x\u0301e");
  EXPECT_EQ(reverse("日本語"), "語本日");
  EXPECT_EQ(reverse("a😀b"), "b😀a");
  EXPECT_EQ(reverse("\r\n"), "\n\r");
  EXPECT_EQ(reverse(""), "");
}

TEST(LocalProcessorsTest, PrefixSuffix) {
  EXPECT_EQ(run("prefix_suffix_adder", "text").payload, "[text]");
  EXPECT_EQ(run("prefix_suffix_adder", "").payload, "[]");
  EXPECT_EQ(run("prefix_suffix_adder", "text", {"", ""}).payload, "text");
  EXPECT_EQ(run("prefix_suffix_adder", "", {"", ""}).payload, "");
  EXPECT_EQ(run("prefix_suffix_adder", "mid", {">> ", ""}).payload, ">> mid");
  EXPECT_EQ(run("prefix_suffix_adder", "mid", {"", " «»"}).payload, "mid «»");
  ProcessorResult r = run("prefix_suffix_adder", "x");
  EXPECT_TRUE(r.ok);
  EXPECT_TRUE(r.metadata.empty());
}

TEST(LocalProcessorsTest, TokenCounter) {
  using M = std::map<std::string, std::string>;
  EXPECT_EQ(counts(""), (M{{"char_count", "0"}, {"word_count", "0"}, {"line_count", "1"}}));
  EXPECT_EQ(counts("a\n")["line_count"], "1");
  EXPECT_EQ(counts("a\nb")["line_count"], "2");
  EXPECT_EQ(counts("a\r\nb")["line_count"], "2");
  EXPECT_EQ(counts("\n")["line_count"], "1");
  EXPECT_EQ(counts("\n\n")["line_count"], "2");
  EXPECT_EQ(counts("a\n\nb\n")["line_count"], "3");
  EXPECT_EQ(counts("a\rb")["line_count"], "1"); // a lone CR is not a break
  EXPECT_EQ(counts("hello world"),
            (M{{"char_count", "11"}, {"word_count", "2"}, {"line_count", "1"}}));
  // Chars are code points, not bytes or graphemes.
  EXPECT_EQ(counts("e\u0301 日本 😀")["char_count"], "7");
  EXPECT_EQ(counts("e\u0301 日本 😀")["word_count"], "3");
  EXPECT_EQ(counts("  a\u3000b\u00a0c\td  ")["word_count"], "4");
  // U+200B ZERO WIDTH SPACE is not White_Space.
  EXPECT_EQ(counts("a\u200bb")["word_count"], "1");
}

TEST(LocalProcessorsTest, WordFrequency) {
  using M = std::map<std::string, std::string>;
  EXPECT_EQ(freq(""), (M{{"total_unique_words", "0"}}));
  EXPECT_EQ(freq(" ... !!! -- "), (M{{"total_unique_words", "0"}}));
  EXPECT_EQ(freq("The cat, the CAT! the-end x2 2x ¾"),
            (M{{"word_freq_the", "2"},
               {"word_freq_cat", "2"},
               {"word_freq_theend", "1"},
               {"word_freq_x2", "1"},
               {"word_freq_2x", "1"},
               {"word_freq_¾", "1"}, // No counts as numeric
               {"total_unique_words", "6"}}));
  EXPECT_EQ(freq("ΟΔΟΣ, \u03bf\u03b4\u03bf\u03c2 Straße STRASSE 日本語 日本語。 \u216b"),
            (M{{"word_freq_\u03bf\u03b4\u03bf\u03c2", "2"},
               {"word_freq_straße", "1"},
               {"word_freq_strasse", "1"},
               {"word_freq_日本語", "2"},
               {"word_freq_\u217b", "1"}, // Nl, and lowercased
               {"total_unique_words", "5"}}));
  // Marks that are not Alphabetic are dropped; U+0301 is Mn without it.
  EXPECT_EQ(freq("cafe\u0301")["word_freq_cafe"], "1");
}

TEST(LocalProcessorsTest, InvalidUtf8) {
  struct Case {
    std::string input;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"ab\xff"
       "cd",
       "invalid utf-8 sequence of 1 bytes from index 2"},
      {"ab\xe2\x82", "incomplete utf-8 byte sequence from index 2"},
      {"\xe2", "incomplete utf-8 byte sequence from index 0"},
      {"\xf0\x9f\x98", "incomplete utf-8 byte sequence from index 0"},
      {"x\xe2\x82(", "invalid utf-8 sequence of 2 bytes from index 1"},
      {"\xf0\x9f\x98(", "invalid utf-8 sequence of 3 bytes from index 0"},
      {"\xe2(", "invalid utf-8 sequence of 1 bytes from index 0"},
      {"\x80", "invalid utf-8 sequence of 1 bytes from index 0"},
      {"\xc0\x80", "invalid utf-8 sequence of 1 bytes from index 0"},         // overlong
      {"\xe0\x80", "invalid utf-8 sequence of 1 bytes from index 0"},         // overlong, short
      {"\xed\xa0\x80", "invalid utf-8 sequence of 1 bytes from index 0"},     // surrogate
      {"\xf4\x90\x80\x80", "invalid utf-8 sequence of 1 bytes from index 0"}, // > U+10FFFF
      {"\xf5\x80", "invalid utf-8 sequence of 1 bytes from index 0"},
      {"é\xc3", "incomplete utf-8 byte sequence from index 2"},
      {std::string("a\0\xff", 3), "invalid utf-8 sequence of 1 bytes from index 2"},
  };
  for (std::string_view name : localProcessorNames()) {
    for (const Case &c : cases) {
      ProcessorResult r = run(name, c.input);
      EXPECT_FALSE(r.ok) << name;
      EXPECT_EQ(r.error_code, 400) << name;
      EXPECT_EQ(r.error, "Invalid UTF-8 input: " + c.message) << name;
      EXPECT_TRUE(r.payload.empty()) << name;
      EXPECT_TRUE(r.metadata.empty()) << name;
    }
  }
  // Boundary code points decode fine.
  EXPECT_EQ(reverse("\x7f\xdf\xbf\xef\xbf\xbf\xf4\x8f\xbf\xbf"),
            "\xf4\x8f\xbf\xbf\xef\xbf\xbf\xdf\xbf\x7f");
  EXPECT_EQ(reverse(std::string("a\0b", 3)), std::string("b\0a", 3));
}

// Random text for the invariants below.
class TextGen {
public:
  explicit TextGen(uint32_t seed) : rng_(seed) {}

  std::u32string next() {
    std::u32string s;
    const size_t len = pick(0, 24);
    for (size_t i = 0; i < len; ++i) s.push_back(codePoint());
    return s;
  }

private:
  size_t pick(size_t lo, size_t hi) { return std::uniform_int_distribution<size_t>(lo, hi)(rng_); }

  char32_t codePoint() {
    static const std::u32string kSpaces = U" \t\n\r\v\f\u0085\u00a0\u1680\u2003\u2028\u3000";
    static const std::u32string kSpecial = U"ßΣσςİıŉǆǅǄ\u0301\u0345ᾳﬁẞ'.,-";
    switch (pick(0, 7)) {
    case 0:
      return static_cast<char32_t>(pick(0x20, 0x7E)); // ASCII
    case 1:
      return static_cast<char32_t>(pick(0xA0, 0xFF)); // Latin-1
    case 2:
      return static_cast<char32_t>(pick(0x370, 0x3FF)); // Greek
    case 3:
      return static_cast<char32_t>(pick(0x4E00, 0x4FFF)); // CJK
    case 4:
      return static_cast<char32_t>(pick(0x1F600, 0x1F64F)); // emoji
    case 5:
      return kSpecial[pick(0, kSpecial.size() - 1)];
    default:
      return kSpaces[pick(0, kSpaces.size() - 1)];
    }
  }

  std::mt19937 rng_;
};

std::string utf8(std::u32string_view s) {
  return encodeUtf8(s);
}

size_t tokenCount(std::u32string_view s) {
  size_t n = 0;
  bool in_word = false;
  for (char32_t c : s) {
    const bool space = u_isUWhiteSpace(static_cast<UChar32>(c));
    if (!space && !in_word) ++n;
    in_word = !space;
  }
  return n;
}

TEST(LocalProcessorsTest, GeneratedInvariants) {
  TextGen gen(20240611);
  for (int iter = 0; iter < 2000; ++iter) {
    const std::u32string text = gen.next();
    const std::string input = utf8(text);
    SCOPED_TRACE("case " + std::to_string(iter) + ": " + input);

    EXPECT_EQ(reverse(reverse(input)), input);
    EXPECT_EQ(reverse(input), utf8(std::u32string(text.rbegin(), text.rend())));

    auto c = counts(input);
    EXPECT_EQ(c["char_count"], std::to_string(text.size()));
    EXPECT_EQ(c["word_count"], std::to_string(tokenCount(text)));

    for (const std::string &out : {proper(input), title(input)}) {
      EXPECT_EQ(out.find("  "), std::string::npos);
      if (!out.empty()) {
        EXPECT_NE(out.front(), ' ');
        EXPECT_NE(out.back(), ' ');
      }
      // Words map to words one for one (case mapping never adds spaces).
      size_t spaces = 0;
      for (char ch : out) spaces += ch == ' ';
      const size_t words = tokenCount(text);
      EXPECT_EQ(out.empty() ? 0 : spaces + 1, words);
    }

    // Lowering is idempotent in the cases Rust's mapping is: ASCII-only text.
    bool ascii = true;
    for (char32_t ch : text) ascii = ascii && ch < 0x80;
    if (ascii) {
      EXPECT_EQ(lower(upper(input)), lower(input));
      EXPECT_EQ(upper(lower(input)), upper(input));
    }

    auto f = freq(input);
    EXPECT_EQ(f["total_unique_words"], std::to_string(f.size() - 1));
  }
}

} // namespace
} // namespace halter::pipeline
