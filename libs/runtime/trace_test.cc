#include "libs/runtime/trace.h"

#include "gtest/gtest.h"

namespace ww::runtime {
namespace {

TEST(Traceparent, ParsesTheSpecificationsExample) {
  auto t = TraceContext::Parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(t->span_id, "00f067aa0ba902b7");
  EXPECT_TRUE(t->sampled);
  EXPECT_EQ(t->ToString(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  auto unsampled = TraceContext::Parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  ASSERT_TRUE(unsampled.has_value());
  EXPECT_FALSE(unsampled->sampled);
}

TEST(Traceparent, RefusesWhatTheSpecificationRefuses) {
  for (const char* bad : {
           "",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",         // no flags
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",      // zero trace id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",      // zero span id
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",      // uppercase
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",      // version ff
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-xyz",  // v00 with more
           "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
       }) {
    EXPECT_FALSE(TraceContext::Parse(bad).has_value()) << bad;
  }
  // A later version may append fields; its first four are still read.
  EXPECT_TRUE(TraceContext::Parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra")
                  .has_value());
}

TEST(Traceparent, RootsAreNewTracesAndChildrenStayInTheirTrace) {
  TraceContext a = TraceContext::NewRoot("article-1");
  TraceContext b = TraceContext::NewRoot("article-1");
  EXPECT_NE(a.trace_id, b.trace_id) << "two ingests of one article are two traces";
  ASSERT_TRUE(TraceContext::Parse(a.ToString()).has_value()) << a.ToString();

  TraceContext child = a.Child("tagger");
  EXPECT_EQ(child.trace_id, a.trace_id);
  EXPECT_NE(child.span_id, a.span_id);
  EXPECT_EQ(child.span_id, a.Child("tagger").span_id) << "a replayed step keeps its span";
  EXPECT_NE(child.span_id, a.Child("alerter").span_id);
  EXPECT_TRUE(TraceContext::Parse(child.ToString()).has_value());
}

}  // namespace
}  // namespace ww::runtime
