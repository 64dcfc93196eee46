#include "services/deduper/dedup_stage.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ww/v1/records.pb.h"

namespace ww::services {
namespace {

const char* kStory =
    "The central bank raised its main interest rate by half a point on Thursday to 4.5 per "
    "cent, the highest level in fifteen years, and said further increases were likely.\n"
    "Governor Anna Berg told reporters that inflation was still far above the target of two "
    "per cent and that the bank would act as forcefully as needed to bring it down.\n"
    "Markets had expected a smaller rise of a quarter point.";

kafka::Record Raw(const std::string& id, const std::string& source, const std::string& text,
                  int64_t offset = 0, const std::string& title = "") {
  ww::v1::Article a;
  a.set_id(id);
  a.set_title(title);
  a.set_source(source);
  a.set_url("https://" + source + "/" + id);
  a.set_text(text);
  return {"raw", 0, offset, id, a.SerializeAsString(), false, {}, 1000 + offset};
}

// Runs stage 1 and returns its claim as if read back from the claims topic at `offset`.
kafka::Record Claim(const kafka::Record& raw, int64_t offset) {
  auto out = FingerprintArticle(raw, "claims");
  EXPECT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].partition, 0);
  return {"claims", 0, offset, (*out)[0].key, (*out)[0].value, false, {}, 1000 + offset};
}

DedupStage::Replay NoHistory() {
  return [](int64_t, const std::function<void(const kafka::Record&)>&) { return absl::OkStatus(); };
}

TEST(DedupStage, NearCopyGoesToDuplicatesWithTheClusterAndItsOutlets) {
  auto stage = DedupStage::Create("unique", "dups", {}, NoHistory());
  ASSERT_TRUE(stage.ok());
  auto first = (*stage)->Process(Claim(Raw("a1", "wire", kStory, 0, "Rates rise"), 0));
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ((*first)[0].topic, "unique");
  auto copy = (*stage)->Process(
      Claim(Raw("a2", "herald", std::string("By Staff\n") + kStory + "\nNewspapers in English", 0,
                "Bank raises rates"),
            1));
  ASSERT_TRUE(copy.ok());
  ASSERT_EQ(copy->size(), 1u);
  EXPECT_EQ((*copy)[0].topic, "dups");
  ww::v1::Article out;
  ASSERT_TRUE(out.ParseFromString((*copy)[0].value));
  EXPECT_EQ(out.cluster_id(), "a1");
  EXPECT_EQ(out.duplicate_of(), "a1");
  EXPECT_EQ(out.cluster_articles(), 2u);
  // A copy belongs to its report's story, which now has two articles and one report.
  EXPECT_EQ(out.story_id(), "a1");
  EXPECT_EQ(out.story_articles(), 2u);
  EXPECT_EQ(out.story_reports(), 1u);
  EXPECT_EQ(out.story_source_count(), 2u);
  EXPECT_GE(out.duplicate_similarity(), 0.4f);
  EXPECT_LT(out.duplicate_similarity(), 1.0f) << "a near copy, not an exact one";
  EXPECT_EQ(std::vector<std::string>(out.cluster_sources().begin(), out.cluster_sources().end()),
            (std::vector<std::string>{"wire", "herald"}));
  ASSERT_FALSE((*copy)[0].headers.empty());
  EXPECT_EQ((*copy)[0].headers[0].value, "a1");
  // The article itself goes on as it came (the decider borrows its headline and text).
  EXPECT_EQ(out.text(), std::string("By Staff\n") + kStory + "\nNewspapers in English");
  EXPECT_EQ(out.title(), "Bank raises rates");
  EXPECT_EQ(out.source(), "herald");
  ww::v1::Article report;
  ASSERT_TRUE(report.ParseFromString((*first)[0].value));
  EXPECT_EQ(report.text(), kStory);
  EXPECT_EQ(report.title(), "Rates rise");
}

// Claims written by the SimHash design (issue 4) carry field 12, a 64-bit fingerprint of
// the lead, and no duplicate_similarity. A deduper started on such a topic judges them by
// their text like any other.
TEST(DedupStage, ClaimsOfThePreviousDesignAreDecidedByTheirText) {
  auto old_claim = [](const std::string& id, const std::string& source, const std::string& text,
                      int64_t offset) {
    ww::v1::Article a;
    a.set_id(id);
    a.set_source(source);
    a.set_url("https://" + source + "/" + id);
    a.set_text(text);
    a.set_content_hash("00000000000000000000000000000000" + id);  // as the old ingestor set it
    std::string bytes = a.SerializeAsString();
    bytes += '\x61';  // field 12, fixed64: the old near_fingerprint
    bytes += std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    return kafka::Record{"claims", 0, offset, id, bytes, false, {}, 1000 + offset};
  };
  auto stage = DedupStage::Create("unique", "dups", {}, NoHistory());
  ASSERT_TRUE(stage.ok());
  auto first = (*stage)->Process(old_claim("a1", "wire", kStory, 0));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ((*first)[0].topic, "unique");
  auto copy = (*stage)->Process(old_claim(
      "a2", "herald", std::string("Herald edition\n") + kStory + "\nCopyright herald", 1));
  ASSERT_TRUE(copy.ok());
  ASSERT_EQ(copy->size(), 1u);
  EXPECT_EQ((*copy)[0].topic, "dups");
  ww::v1::Article out;
  ASSERT_TRUE(out.ParseFromString((*copy)[0].value));
  EXPECT_EQ(out.duplicate_of(), "a1");
  EXPECT_GT(out.duplicate_similarity(), 0.0f);
}

TEST(DedupStage, RedeliveryProducesNothingAndGarbageIsRefused) {
  auto stage = DedupStage::Create("unique", "dups", {}, NoHistory());
  ASSERT_TRUE(stage.ok());
  ASSERT_EQ((*stage)->Process(Claim(Raw("a1", "wire", kStory), 0))->size(), 1u);
  EXPECT_TRUE((*stage)->Process(Claim(Raw("a1", "wire", kStory), 1))->empty());
  auto bad = FingerprintArticle({"raw", 0, 7, "k", "\xff\xff not protobuf", false, {}, 0}, "c");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(DedupStage, AnOffsetGapRebuildsFromTheClaimsBeforeIt) {
  // Another replica decided claims 0..1; this one takes over at offset 2.
  std::vector<kafka::Record> history = {Claim(Raw("a1", "wire", kStory), 0),
                                        Claim(Raw("b1", "x",
                                                  "Something else entirely: a "
                                                  "train derailed near the city of Lyon on "
                                                  "Monday, officials said."),
                                              1)};
  int64_t asked = -1;
  auto stage = DedupStage::Create(
      "unique", "dups", {},
      [&](int64_t before, const std::function<void(const kafka::Record&)>& fold) {
        asked = before;
        for (const auto& r : history)
          if (r.offset < before) fold(r);
        return absl::OkStatus();
      });
  ASSERT_TRUE(stage.ok());
  auto out = (*stage)->Process(Claim(Raw("a3", "gazette", std::string(kStory) + "\nRead more"), 2));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(asked, 2);
  ASSERT_EQ(out->size(), 1u);
  EXPECT_EQ((*out)[0].topic, "dups");
}

// Transaction markers leave a gap after every committed batch. Asking the group about each
// gap cost an admin round trip per batch; only after the partition was taken away may a gap
// be claims another replica decided.
TEST(DedupStage, TheGroupIsAskedAboutAGapOnlyAfterThePartitionWasTakenAway) {
  int rebuilds = 0, asked = 0;
  std::vector<int64_t> rebuilt_before;
  int64_t group_offset = 0;
  auto stage = DedupStage::Create(
      "unique", "dups", {},
      [&](int64_t before, const std::function<void(const kafka::Record&)>&) {
        ++rebuilds;
        rebuilt_before.push_back(before);
        return absl::OkStatus();
      },
      [&]() -> absl::StatusOr<int64_t> {
        ++asked;
        return group_offset;
      });
  ASSERT_TRUE(stage.ok());
  auto text = [](int i) {
    return absl::StrCat("Report number ", i, " about an entirely separate matter: ", i * 7919,
                        " people gathered in square ", i, " on Tuesday, organisers said.");
  };
  ASSERT_TRUE((*stage)->Process(Claim(Raw("a0", "x", text(0)), 0)).ok());
  EXPECT_EQ(rebuilds, 1) << "a first record rebuilds from the claims before it";
  (*stage)->Commit();
  ASSERT_TRUE((*stage)->Process(Claim(Raw("a2", "x", text(2)), 2)).ok());  // 1: a marker
  (*stage)->Commit();
  EXPECT_EQ(asked, 0) << "a gap while the partition stayed here is markers";
  EXPECT_EQ(rebuilds, 1);

  // Taken away and given back, nobody else decided anything: asked, and in sync.
  (*stage)->OnRevoke();
  group_offset = 3;
  ASSERT_TRUE((*stage)->Process(Claim(Raw("a4", "x", text(4)), 4)).ok());
  (*stage)->Commit();
  EXPECT_EQ(asked, 1);
  EXPECT_EQ(rebuilds, 1);
  ASSERT_TRUE((*stage)->Process(Claim(Raw("a6", "x", text(6)), 6)).ok());
  (*stage)->Commit();
  EXPECT_EQ(asked, 1) << "asked once per takeover, not per batch";

  // Taken away while another replica decided claims 7..9: rebuilt up to the new record.
  (*stage)->OnRevoke();
  group_offset = 10;
  ASSERT_TRUE((*stage)->Process(Claim(Raw("a11", "x", text(11)), 11)).ok());
  EXPECT_EQ(asked, 2);
  EXPECT_EQ(rebuilds, 2);
  EXPECT_EQ(rebuilt_before.back(), 11);
}

TEST(DedupStage, RollbackLetsTheBatchBeReadAgain) {
  auto stage = DedupStage::Create("unique", "dups", {}, NoHistory());
  ASSERT_TRUE(stage.ok());
  EXPECT_EQ((*(*stage)->Process(Claim(Raw("a1", "wire", kStory), 0)))[0].topic, "unique");
  (*stage)->Rollback();
  EXPECT_EQ((*(*stage)->Process(Claim(Raw("a1", "wire", kStory), 0)))[0].topic, "unique");
}

}  // namespace
}  // namespace ww::services
