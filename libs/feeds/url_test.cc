#include "libs/feeds/url.h"

#include "gtest/gtest.h"

namespace ww::feeds {
namespace {

struct UrlCase {
  const char* input;
  const char* canonical;
};

class CanonicalUrlTest : public ::testing::TestWithParam<UrlCase> {};

TEST_P(CanonicalUrlTest, Canonicalises) {
  EXPECT_EQ(CanonicalUrl(GetParam().input), GetParam().canonical) << GetParam().input;
}

INSTANTIATE_TEST_SUITE_P(
    Table, CanonicalUrlTest,
    ::testing::Values(
        UrlCase{"HTTPS://Example.COM/News/Story?id=7", "https://example.com/News/Story?id=7"},
        UrlCase{"http://example.com:80/a", "http://example.com/a"},
        UrlCase{"https://example.com:443/a", "https://example.com/a"},
        UrlCase{"https://example.com:8443/a", "https://example.com:8443/a"},
        UrlCase{"http://example.com:443/a", "http://example.com:443/a"},
        UrlCase{"https://example.com", "https://example.com/"},
        UrlCase{"https://example.com/a#section-2", "https://example.com/a"},
        UrlCase{"https://example.com/a?utm_source=rss&utm_medium=feed&UTM_Campaign=x",
                "https://example.com/a"},
        UrlCase{"https://example.com/a?id=1&utm_source=rss&page=2&fbclid=abc&gclid=z",
                "https://example.com/a?id=1&page=2"},
        UrlCase{"https://example.com/a?mc_cid=1&mc_eid=2&x=y", "https://example.com/a?x=y"},
        UrlCase{"https://example.com/a?b=2&a=1", "https://example.com/a?b=2&a=1"},
        UrlCase{"https://example.com/a?", "https://example.com/a"},
        UrlCase{"https://example.com/caf%c3%a9?q=%e2%82%ac",
                "https://example.com/caf%C3%A9?q=%E2%82%AC"},
        UrlCase{"  https://example.com/a \n", "https://example.com/a"},
        UrlCase{"https://www.example.com./a", "https://www.example.com/a"},
        UrlCase{"https://User:Pw@Example.com/a", "https://User:Pw@example.com/a"},
        UrlCase{"http://[2001:DB8::1]:80/a", "http://[2001:db8::1]/a"},
        UrlCase{"urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a",
                "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"},
        UrlCase{"/relative/path?utm_source=x", "/relative/path?utm_source=x"},
        UrlCase{"https://example.com/news/../world/./story", "https://example.com/world/story"},
        UrlCase{"https://example.com/a/b/..", "https://example.com/a/"}, UrlCase{"", ""}));

}  // namespace
}  // namespace ww::feeds
