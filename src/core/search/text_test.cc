#include "core/search/text.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace aura::core::search {
namespace {

using Tokens = std::vector<std::string>;

TEST(Tokenize, LowercasesAndSplitsOnNonLetters) {
  EXPECT_EQ(Tokenize("Cheap HOSTEL, near the beach!"), (Tokens{"cheap", "hostel", "near", "the", "beach"}));
  EXPECT_EQ(Tokenize("5-star hotel for 2 people"), (Tokens{"star", "hotel", "for", "people"}));
}

TEST(Tokenize, KeepsInnerApostrophesAndHyphens) {
  EXPECT_EQ(Tokenize("sea-view room, O'Neil's surfers' hostel"),
            (Tokens{"sea-view", "room", "o'neil's", "surfers", "hostel"}));
  EXPECT_EQ(Tokenize("Lisbon\xE2\x80\x99s old quarter"), (Tokens{"lisbon's", "old", "quarter"}));
  EXPECT_EQ(Tokenize("--dash-- and ''quotes''"), (Tokens{"dash", "and", "quotes"}));
  EXPECT_EQ(Tokenize("a--b"), (Tokens{"a", "b"}));
}

TEST(Tokenize, HandlesNonAsciiLetters) {
  EXPECT_EQ(Tokenize("Café ÉCOLE Zürich"), (Tokens{"café", "école", "zürich"}));
  EXPECT_EQ(Tokenize("МОСКВА отель"), (Tokens{"москва", "отель"}));
  EXPECT_EQ(Tokenize("東京のホテル"), (Tokens{"東京のホテル"}));
  EXPECT_EQ(Tokenize("sun\xF0\x9F\x8C\x9E" "beach"), (Tokens{"sun", "beach"}));  // emoji separates
}

TEST(Tokenize, SurvivesInvalidUtf8AndControlBytes) {
  const std::string bad = std::string("ho\xFF\xFEtel\x01\x02 be\xC3") + "ach";
  EXPECT_EQ(Tokenize(bad), (Tokens{"ho", "tel", "be", "ach"}));
  EXPECT_TRUE(Tokenize(std::string("\0\0\0", 3)).empty());
  EXPECT_TRUE(Tokenize("").empty());
}

TEST(Tokenize, DropsOverlongTokens) {
  EXPECT_TRUE(Tokenize(std::string(100, 'a')).empty());
  EXPECT_EQ(Tokenize(std::string(64, 'a')).size(), 1u);
}

TEST(CleanQuery, StripsControlsAndCollapsesWhitespace) {
  EXPECT_EQ(CleanQuery("  cheap\tHOSTEL \x01\x7F \n"), "cheap HOSTEL");
  EXPECT_EQ(CleanQuery("a\xE2\x80\x8B" "b"), "ab");  // zero-width space
  EXPECT_EQ(CleanQuery("a\xC2\xA0\xE3\x80\x80" "b"), "a b");  // no-break and ideographic spaces
  EXPECT_EQ(CleanQuery("\x01\x02\t "), "");
  EXPECT_EQ(CleanQuery("bad\xFFutf8"), "badutf8");
}

TEST(NormalizeQuery, FoldsCaseAndSpacing) {
  EXPECT_EQ(NormalizeQuery(" Cheap   Hostel "), NormalizeQuery("cheap hostel"));
  EXPECT_EQ(NormalizeQuery("ÉCOLE"), "école");
}

TEST(Snippet, ReturnsTheFirstSentenceWhenItFits) {
  EXPECT_EQ(Snippet("A friendly hostel in Bali. Good for backpackers."), "A friendly hostel in Bali.");
  EXPECT_EQ(Snippet("Short."), "Short.");
  EXPECT_EQ(Snippet("No full stop here"), "No full stop here");
}

TEST(Snippet, CutsLongTextAtAWordBoundary) {
  std::string text;
  for (int i = 0; i < 60; ++i) text += "word" + std::to_string(i) + " ";
  const std::string s = Snippet(text, 160);
  EXPECT_LE(s.size(), 160u + 3);
  EXPECT_EQ(s.substr(s.size() - 3), "\xE2\x80\xA6");
  const std::string body = s.substr(0, s.size() - 3);
  EXPECT_NE(body.back(), ' ');
  EXPECT_EQ(text.compare(0, body.size(), body), 0);
  EXPECT_EQ(text[body.size()], ' ');  // the cut is at a space
}

TEST(Snippet, NeverSplitsAUtf8Character) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += "é";  // no spaces at all
  const std::string s = Snippet(text, 161);
  const std::string body = s.substr(0, s.size() - 3);
  EXPECT_EQ(body.size() % 2, 0u);
  EXPECT_EQ(CleanQuery(body), body);  // still valid UTF-8
}

}  // namespace
}  // namespace aura::core::search
