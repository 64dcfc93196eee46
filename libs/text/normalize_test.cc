#include "libs/text/normalize.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "libs/text/utf8.h"

namespace ww::text {
namespace {

using ::testing::ElementsAre;

// Checks the documented invariants of the origin map.
void ExpectValidOrigin(std::string_view input, const Normalized& n) {
  ASSERT_EQ(n.origin.size(), n.text.size() + 1);
  EXPECT_EQ(n.origin.back(), input.size());
  for (size_t i = 0; i + 1 < n.origin.size(); ++i) {
    EXPECT_LE(n.origin[i], n.origin[i + 1]) << "at folded byte " << i;
    EXPECT_LT(n.origin[i], input.size());
    // Every origin points at the start of a code point in the input.
    EXPECT_FALSE(IsUtf8Continuation(input[n.origin[i]]) &&
                 DecodeUtf8Before(input, n.origin[i]).cp != kReplacementChar);
  }
}

TEST(NormalizeTest, EmptyInput) {
  const Normalized n = Normalize("");
  EXPECT_EQ(n.text, "");
  EXPECT_THAT(n.origin, ElementsAre(0u));
}

TEST(NormalizeTest, AsciiLowercasesAndKeepsOffsets) {
  const Normalized n = Normalize("Kim JONG");
  EXPECT_EQ(n.text, "kim jong");
  EXPECT_THAT(n.origin, ElementsAre(0, 1, 2, 3, 4, 5, 6, 7, 8));
}

// Long ASCII texts take a 16-bytes-at-a-time path: same result as folding byte by byte.
TEST(NormalizeTest, LongAsciiMatchesBytewiseFold) {
  std::mt19937 rng(5);
  const std::string alphabet = "aZq09 -  `'\t\n\x7F.,AzMm";
  for (int round = 0; round < 2000; ++round) {
    std::string input;
    for (int k = static_cast<int>(rng() % 100); k > 0; --k) {
      input.push_back(alphabet[rng() % alphabet.size()]);
    }
    std::string text;
    std::vector<uint32_t> origin;
    for (size_t i = 0; i < input.size(); ++i) {
      char c = input[i];
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F || c == '-') c = ' ';
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c == '`') c = '\'';
      if (c == ' ' && !text.empty() && text.back() == ' ') continue;
      text.push_back(c);
      origin.push_back(static_cast<uint32_t>(i));
    }
    origin.push_back(static_cast<uint32_t>(input.size()));
    const Normalized n = Normalize(input);
    ASSERT_EQ(n.text, text) << input;
    ASSERT_EQ(n.origin, origin) << input;
  }
}

TEST(NormalizeTest, CaseAndWidthFold) {
  EXPECT_EQ(NormalizeText("KIM JONG UN"), "kim jong un");
  EXPECT_EQ(NormalizeText("ＰＵＴＩＮ"), "putin");
  EXPECT_EQ(NormalizeText("Straße"), "strasse");
  EXPECT_EQ(NormalizeText("ﬁnance"), "finance");
  EXPECT_EQ(NormalizeText("ΣΟΦΟΣ σοφος"), "σοφοσ σοφοσ");
}

TEST(NormalizeTest, RemovesLatinGreekCyrillicDiacritics) {
  EXPECT_EQ(NormalizeText("Pútin"), "putin");
  EXPECT_EQ(NormalizeText("Éric Zemmour"), "eric zemmour");
  EXPECT_EQ(NormalizeText("Ёлка"), "елка");
  EXPECT_EQ(NormalizeText("Άθήνα"), "αθηνα");
  EXPECT_EQ(NormalizeText("Łukasz Øresund Đoković"), "lukasz oresund dokovic");
  EXPECT_EQ(NormalizeText("İstanbul"), "istanbul");
  // Decomposed input (e + combining acute) folds like the precomposed form.
  EXPECT_EQ(NormalizeText("Pu\xCC\x81tin"), "putin");
  EXPECT_EQ(NormalizeText("Pútin"), NormalizeText("Pu\xCC\x81tin"));
}

TEST(NormalizeTest, KeepsOtherScriptsComposed) {
  EXPECT_EQ(NormalizeText("김정은"), "김정은");
  EXPECT_EQ(NormalizeText("金正恩"), "金正恩");
  EXPECT_EQ(NormalizeText("ｶﾀｶﾅ"), "カタカナ");
  EXPECT_EQ(NormalizeText("が"), "が");
  // Conjoining jamo compose to the syllable.
  EXPECT_EQ(NormalizeText("\u1100\u1161"), "가");
}

TEST(NormalizeTest, UnifiesQuotes) {
  EXPECT_EQ(NormalizeText("Putin’s Putin‘s Putinʼs Putin′s Putin`s"),
            "putin's putin's putin's putin's putin's");
  EXPECT_EQ(NormalizeText("“a” «b» „c“ ＂d＂"), "\"a\" \"b\" \"c\" \"d\"");
}

TEST(NormalizeTest, HyphensAndDashesBecomeSpace) {
  EXPECT_EQ(NormalizeText("Kim Jong-un"), "kim jong un");
  EXPECT_EQ(NormalizeText("Kim Jong‐un"), "kim jong un");        // U+2010
  EXPECT_EQ(NormalizeText("Kim Jong‑un"), "kim jong un");        // U+2011
  EXPECT_EQ(NormalizeText("a–b—c―d−e﹣f－g"), "a b c d e f g");  // 2013 2014 2015 2212 FE63 FF0D
  EXPECT_EQ(NormalizeText("Kim Jong - un"), "kim jong un");
  EXPECT_EQ(NormalizeText("Kim Jong-un"), NormalizeText("Kim Jong Un"));
}

TEST(NormalizeTest, SoftHyphenAndIgnorablesRemoved) {
  EXPECT_EQ(NormalizeText("Pu\xC2\xADtin"), "putin");
  EXPECT_EQ(NormalizeText("Pu\u200Btin"), "putin");
  const std::string input = "Pu\xC2\xADtin";
  const Normalized n = Normalize(input);
  EXPECT_THAT(n.origin, ElementsAre(0, 1, 4, 5, 6, 7));
}

TEST(NormalizeTest, CollapsesWhitespaceRuns) {
  EXPECT_EQ(NormalizeText("kim  \t\n jong\u00A0\u3000un"), "kim jong un");
  EXPECT_EQ(NormalizeText("  a  "), " a ");
  const Normalized n = Normalize("a \t b");
  EXPECT_EQ(n.text, "a b");
  EXPECT_THAT(n.origin, ElementsAre(0, 1, 4, 5));
}

TEST(NormalizeTest, OriginMapsMultiByteCodePoints) {
  const std::string input = "Ёж 金";
  const Normalized n = Normalize(input);
  EXPECT_EQ(n.text, "еж 金");
  // е (2 bytes) from Ё at 0, ж (2 bytes) from 2, space from 4, 金 (3 bytes) from 5.
  EXPECT_THAT(n.origin, ElementsAre(0, 0, 2, 2, 4, 5, 5, 5, 8));
  ExpectValidOrigin(input, n);
}

TEST(NormalizeTest, OriginOfExpansionsAndCombiningSequences) {
  const std::string input =
      "\xC3\x9F"
      "e\xCC\x81";  // ß expands to "ss"; e + U+0301 is one unit
  const Normalized n = Normalize(input);
  EXPECT_EQ(n.text, "sse");
  EXPECT_THAT(n.origin, ElementsAre(0, 0, 2, 5));
  EXPECT_EQ(SegmentEnd(input, 2), 5u);
  EXPECT_EQ(SegmentEnd(input, 0), 2u);
}

TEST(NormalizeTest, InvalidUtf8BecomesReplacementCharacter) {
  const std::string input =
      "a\xFF"
      "b\xC3"
      "c\xE2\x82"
      "d\xED\xA0\x80"
      "e\xC0\xAF";
  const Normalized n = Normalize(input);
  EXPECT_EQ(n.text,
            "a\uFFFD"
            "b\uFFFD"
            "c\uFFFD\uFFFD"
            "d\uFFFD\uFFFD\uFFFD"
            "e\uFFFD\uFFFD");
  ExpectValidOrigin(input, n);
  // Truncated at the end.
  EXPECT_EQ(NormalizeText("x\xE2\x82"), "x\uFFFD\uFFFD");
  EXPECT_EQ(NormalizeText("\x80"), "\uFFFD");
}

TEST(NormalizeTest, OriginPropertiesOnMixedText) {
  const std::string input =
      "President Vladimir Putin’s train — ＰＵＴＩＮ, Ким Чен Ын, 金正恩과 김정은은 "
      "Pu\xCC\x81tin\xC2\xAD \xF0\x9F\x98\x80 \xFF end";
  const Normalized n = Normalize(input);
  ExpectValidOrigin(input, n);
  // The folded text is itself valid UTF-8 and a fixed point of the fold.
  EXPECT_EQ(NormalizeText(n.text), n.text);
}

TEST(NormalizeTest, IsIdempotentOnManyCodePoints) {
  std::string all;
  for (char32_t c = 0x20; c < 0x3100; ++c) AppendUtf8(c, &all);
  const Normalized n = Normalize(all);
  ExpectValidOrigin(all, n);
  // The fold is idempotent, code point by code point.
  int failures = 0;
  for (char32_t c = 0x20; c < 0x3100 && failures < 10; ++c) {
    std::string one;
    AppendUtf8(c, &one);
    const std::string folded = NormalizeText(one);
    if (NormalizeText(folded) != folded) {
      ++failures;
      ADD_FAILURE() << "not idempotent at U+" << std::hex << static_cast<uint32_t>(c);
    }
  }
  for (size_t i = 0; i < n.text.size();) {
    const DecodedCodePoint d = DecodeUtf8(n.text, i);
    EXPECT_NE(d.length, 0u);
    i += d.length;
  }
}

TEST(NormalizeTest, ThreadSafe) {
  const std::string input = "Ивановская область Ελλάδα 北京 Ｔｏｋｙｏ ąęćż ";
  const std::string expected = NormalizeText(input);
  std::vector<std::thread> threads;
  std::vector<std::string> results(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::string in;
      const char32_t first = 0x100 + static_cast<char32_t>(t) * 0x400;
      for (char32_t c = first; c < first + 0x400; ++c) AppendUtf8(c, &in);
      Normalize(in);
      results[t] = NormalizeText(input);
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& r : results) EXPECT_EQ(r, expected);
}

TEST(Utf8Test, DecodeAndAppendRoundTrip) {
  for (char32_t c : {0x41u, 0xE9u, 0x416u, 0x91D1u, 0x1F600u, 0x10FFFFu}) {
    std::string s;
    AppendUtf8(c, &s);
    const DecodedCodePoint d = DecodeUtf8(s, 0);
    EXPECT_EQ(d.cp, c);
    EXPECT_EQ(d.length, s.size());
    const DecodedCodePoint b = DecodeUtf8Before(s, s.size());
    EXPECT_EQ(b.cp, c);
    EXPECT_EQ(b.length, s.size());
  }
  EXPECT_EQ(DecodeUtf8("\xE2\x82", 0).cp, kReplacementChar);
  EXPECT_EQ(DecodeUtf8Before("a\x82", 2).cp, kReplacementChar);
  EXPECT_EQ(DecodeUtf8Before("a\x82", 2).length, 1u);
}

TEST(Utf8Test, WordCharacters) {
  EXPECT_TRUE(IsWordChar('a'));
  EXPECT_TRUE(IsWordChar('Z'));
  EXPECT_TRUE(IsWordChar('7'));
  EXPECT_TRUE(IsWordChar(0x0416));  // Ж
  EXPECT_TRUE(IsWordChar(0x91D1));  // 金
  EXPECT_TRUE(IsWordChar(0xC740));  // 은
  EXPECT_TRUE(IsWordChar(0x0301));  // combining acute
  EXPECT_FALSE(IsWordChar('\''));
  EXPECT_FALSE(IsWordChar(' '));
  EXPECT_FALSE(IsWordChar('-'));
  EXPECT_FALSE(IsWordChar('"'));
  EXPECT_FALSE(IsWordChar(0x3002));  // 。
  EXPECT_FALSE(IsWordChar(kReplacementChar));
}

TEST(Utf8Test, ScriptClasses) {
  EXPECT_EQ(GetScriptClass(0x91D1), ScriptClass::kHan);
  EXPECT_EQ(GetScriptClass(0x3072), ScriptClass::kHiragana);
  EXPECT_EQ(GetScriptClass(0x30AB), ScriptClass::kKatakana);
  EXPECT_EQ(GetScriptClass(0x30FC), ScriptClass::kKatakana);
  EXPECT_EQ(GetScriptClass(0xAE40), ScriptClass::kHangul);
  EXPECT_EQ(GetScriptClass('a'), ScriptClass::kOther);
  EXPECT_EQ(GetScriptClass(0x0416), ScriptClass::kOther);
  EXPECT_TRUE(IsSpacelessScript(0x91D1));
  EXPECT_FALSE(IsSpacelessScript(0xAE40));
}

}  // namespace
}  // namespace ww::text
