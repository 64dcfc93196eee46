#include "libs/url/url.h"

#include "gtest/gtest.h"

namespace ww::url {
namespace {

TEST(Url, ParsesTheParts) {
  auto u = Url::Parse("HTTPS://user:pw@Example.com:8443/a/b?x=1&y=2#frag");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->scheme(), "https");
  EXPECT_EQ(u->user_info(), "user:pw");
  EXPECT_EQ(u->port(), "8443");
  EXPECT_EQ(u->path(), "/a/b");
  EXPECT_EQ(u->query(), "x=1&y=2");
  EXPECT_EQ(u->fragment(), "frag");
}

TEST(Url, RemovesDotSegments) {
  EXPECT_EQ(Url::Parse("https://example.com/a/../b")->ToString(), "https://example.com/b");
  EXPECT_EQ(Url::Parse("https://example.com/a/./b/../../c/d")->ToString(),
            "https://example.com/c/d");
}

TEST(Url, RefusesWhatIsNotAnAbsoluteUrl) {
  for (const char* bad : {"", "/relative/path", "news story", "https://"}) {
    auto u = Url::Parse(bad);
    EXPECT_FALSE(u.ok()) << bad << " gave " << u->ToString();
    if (!u.ok()) EXPECT_EQ(u.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

// RFC 3986 section 5.4.1, normal examples.
TEST(Url, ResolvesReferencesAsRfc3986Says) {
  auto base = Url::Parse("http://a/b/c/d;p?q");
  ASSERT_TRUE(base.ok());
  const std::pair<const char*, const char*> cases[] = {
      {"g", "http://a/b/c/g"},     {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"},   {"/g", "http://a/g"},
      {"//g", "http://g/"},        {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"}, {"#s", "http://a/b/c/d;p?q#s"},
      {"g#s", "http://a/b/c/g#s"}, {"..", "http://a/b/"},
      {"../g", "http://a/b/g"},    {"../..", "http://a/"},
      {"../../g", "http://a/g"},   {"https://other.org/x", "https://other.org/x"},
      {"", "http://a/b/c/d;p?q"},
  };
  for (const auto& [ref, want] : cases) {
    auto got = base->Resolve(ref);
    ASSERT_TRUE(got.ok()) << ref << ": " << got.status();
    EXPECT_EQ(got->ToString(), want) << ref;
  }
  // Resolving does not change the base.
  EXPECT_EQ(base->ToString(), "http://a/b/c/d;p?q");
}

TEST(Url, CopiesAreIndependent) {
  auto a = Url::Parse("https://example.com/a?x=1");
  ASSERT_TRUE(a.ok());
  Url b = *a;
  b.set_query("");
  b.set_port("8080");
  EXPECT_EQ(a->ToString(), "https://example.com/a?x=1");
  EXPECT_EQ(b.ToString(), "https://example.com:8080/a");
}

}  // namespace
}  // namespace ww::url
