#include "gtest/gtest.h"
#include "services/ingestor/articles.h"

namespace ww::services {
namespace {

TEST(MakeArticle, IdComesFromTheCanonicalUrl) {
  ww::v1::Article a;
  a.set_title("Kim's train");
  a.set_text("text");
  a.set_url("HTTPS://News.Example.com/story?id=1&utm_source=x#top");
  auto one = MakeArticle(a, {});
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(one->url(), "https://news.example.com/story?id=1");
  a.set_url("https://news.example.com/story?id=1");
  auto two = MakeArticle(a, {});
  EXPECT_EQ(one->id(), two->id());
  EXPECT_FALSE(one->content_hash().empty());
  EXPECT_GT(one->ingested_unix_ms(), 0);
}

TEST(MakeArticle, WithoutUrlTheIdComesFromSourceAndText) {
  ww::v1::Article a;
  a.set_text("Kim's train arrived.");
  a.set_source("wire");
  auto one = MakeArticle(a, {});
  a.set_text("KIM’S train arrived.");
  auto two = MakeArticle(a, {});
  EXPECT_EQ(one->id(), two->id());
}

TEST(MakeArticle, RefusesWhatCannotBeAnArticle) {
  ww::v1::Article empty;
  EXPECT_EQ(MakeArticle(empty, {}).status().code(), absl::StatusCode::kInvalidArgument);
  ww::v1::Article big;
  big.set_text(std::string(100, 'x'));
  ArticleLimits limits;
  limits.max_text_bytes = 10;
  auto r = MakeArticle(big, limits);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("limit is 10"), std::string_view::npos);
  ww::v1::Article relative;
  relative.set_text("x");
  relative.set_url("/story/1");
  EXPECT_EQ(MakeArticle(relative, {}).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ww::services
