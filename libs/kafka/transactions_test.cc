// librdkafka's transaction protocol as Transactions follows it, call by call, against a
// scripted fake producer (the real broker is in the kafka and chaos tiers).
#include "libs/kafka/transactions.h"

#include <deque>
#include <functional>
#include <memory>

#include "gtest/gtest.h"

namespace ww::kafka {
namespace {

TxnError Retriable(const char* m = "Local: Timed out") { return {m, true, false, false, false}; }
TxnError NeedsAbort(const char* m = "Broker: Invalid producer epoch") {
  return {m, false, true, false, false};
}
TxnError Fatal(const char* m = "Broker: Producer fenced") { return {m, false, false, true, false}; }
TxnError Permanent() {
  return {"Broker: Transactional Id authorization failed", false, false, true, true};
}

// What each call answers, in order (then success), and what was called, across producers.
struct Script {
  std::deque<TxnError> init, begin, send, commit, abort;
  int inits = 0, begins = 0, sends = 0, commits = 0, aborts = 0, produced = 0;
  std::function<void()> on_call;  // observes the Transactions between calls
};

TxnResult Next(std::deque<TxnError>& q, int& count, Script& s) {
  ++count;
  if (s.on_call) s.on_call();
  if (q.empty()) return std::nullopt;
  TxnError e = q.front();
  q.pop_front();
  return e;
}

class FakeClient : public TxnClient {
 public:
  explicit FakeClient(Script* s) : s_(s) {}
  TxnResult Init(absl::Duration) override { return Next(s_->init, s_->inits, *s_); }
  TxnResult Begin() override { return Next(s_->begin, s_->begins, *s_); }
  absl::Status Produce(const OutRecord&) override {
    ++s_->produced;
    return absl::OkStatus();
  }
  TxnResult SendOffsets(const OffsetMap&, absl::Duration) override {
    return Next(s_->send, s_->sends, *s_);
  }
  TxnResult Commit(absl::Duration) override { return Next(s_->commit, s_->commits, *s_); }
  TxnResult Abort(absl::Duration) override { return Next(s_->abort, s_->aborts, *s_); }

 private:
  Script* s_;
};

class TransactionsTest : public ::testing::Test {
 protected:
  Transactions& txn() {
    if (!txn_) {
      TransactionsOptions o;
      o.name = "test";
      o.backoff = {absl::Microseconds(100), absl::Milliseconds(1)};
      txn_ =
          std::make_unique<Transactions>(o, [this]() -> absl::StatusOr<std::unique_ptr<TxnClient>> {
            ++made_;
            return std::unique_ptr<TxnClient>(new FakeClient(&script_));
          });
    }
    return *txn_;
  }
  absl::Status StartAndBegin() {
    if (absl::Status s = txn().Start(never_); !s.ok()) return s;
    return txn().Begin(never_);
  }

  Script script_;
  int made_ = 0;
  std::unique_ptr<Transactions> txn_;
  const OffsetMap offsets_ = {{{"ww.articles.raw", 0}, 42}};
  std::function<bool()> never_ = [] { return false; };
};

TEST_F(TransactionsTest, StartWaitsForTheBrokerWithOneProducer) {
  for (int i = 0; i < 5; ++i) script_.init.push_back(Retriable());
  ASSERT_TRUE(txn().Start(never_).ok());
  EXPECT_EQ(script_.inits, 6);
  EXPECT_EQ(made_, 1);
  EXPECT_FALSE(txn().waiting());
}

TEST_F(TransactionsTest, CommitIsCalledAgainWhileRetriableAndReportsWaiting) {
  ASSERT_TRUE(StartAndBegin().ok());
  for (int i = 0; i < 3; ++i) script_.commit.push_back(Retriable());
  bool waited = false;
  script_.on_call = [&] { waited = waited || txn().waiting(); };
  EXPECT_TRUE(txn().Commit(offsets_, never_).ok());
  EXPECT_EQ(script_.commits, 4);
  EXPECT_EQ(script_.aborts, 0);  // resumed, not rolled back
  EXPECT_TRUE(waited);
  EXPECT_FALSE(txn().waiting());
  EXPECT_EQ(made_, 1);
}

TEST_F(TransactionsTest, SendOffsetsIsCalledAgainWhileRetriable) {
  ASSERT_TRUE(StartAndBegin().ok());
  script_.send = {Retriable(), Retriable()};
  EXPECT_TRUE(txn().Commit(offsets_, never_).ok());
  EXPECT_EQ(script_.sends, 3);
  EXPECT_EQ(script_.commits, 1);
}

TEST_F(TransactionsTest, RequiresAbortAbortsResumingTheAbortTooAndSaysAborted) {
  ASSERT_TRUE(StartAndBegin().ok());
  script_.commit = {NeedsAbort()};
  script_.abort = {Retriable(), Retriable()};
  absl::Status s = txn().Commit(offsets_, never_);
  EXPECT_TRUE(absl::IsAborted(s)) << s;
  EXPECT_EQ(script_.commits, 1);
  EXPECT_EQ(script_.aborts, 3);
  EXPECT_EQ(made_, 1);
}

TEST_F(TransactionsTest, SendOffsetsThatRequiresAbortNeverCommits) {
  ASSERT_TRUE(StartAndBegin().ok());
  script_.send = {NeedsAbort()};
  EXPECT_TRUE(absl::IsAborted(txn().Commit(offsets_, never_)));
  EXPECT_EQ(script_.commits, 0);
  EXPECT_EQ(script_.aborts, 1);
}

TEST_F(TransactionsTest, AFencedProducerIsReplacedNotTheProcess) {
  ASSERT_TRUE(StartAndBegin().ok());
  script_.commit = {Fatal()};
  absl::Status s = txn().Commit(offsets_, never_);
  EXPECT_TRUE(absl::IsAborted(s)) << s;
  EXPECT_EQ(made_, 2);
  EXPECT_EQ(script_.inits, 2);  // the new producer's init aborts the open transaction
  EXPECT_EQ(script_.aborts, 0);
  // And the next transaction goes through on the new producer.
  ASSERT_TRUE(txn().Begin(never_).ok());
  EXPECT_TRUE(txn().Commit(offsets_, never_).ok());
}

TEST_F(TransactionsTest, AProducerThatCannotAbortIsReplaced) {
  ASSERT_TRUE(StartAndBegin().ok());
  script_.abort = {Fatal("Local: Fatal error")};
  EXPECT_TRUE(txn().Abort(never_).ok());
  EXPECT_EQ(made_, 2);
}

TEST_F(TransactionsTest, AFatalBeginReplacesTheProducerAndAsksForAnotherTry) {
  ASSERT_TRUE(txn().Start(never_).ok());
  script_.begin = {Fatal()};
  EXPECT_TRUE(absl::IsAborted(txn().Begin(never_)));
  EXPECT_EQ(made_, 2);
  EXPECT_TRUE(txn().Begin(never_).ok());
}

TEST_F(TransactionsTest, AnInitThatFailsFatallyTriesANewProducer) {
  script_.init = {Fatal(), Retriable()};
  EXPECT_TRUE(txn().Start(never_).ok());
  EXPECT_EQ(made_, 2);
  EXPECT_EQ(script_.inits, 3);
}

TEST_F(TransactionsTest, WhatNoNewProducerFixesIsReturned) {
  script_.init = {Permanent()};
  absl::Status s = txn().Start(never_);
  EXPECT_TRUE(absl::IsFailedPrecondition(s)) << s;
  EXPECT_NE(s.message().find("authorization"), std::string::npos) << s;
  EXPECT_EQ(made_, 1);
}

TEST_F(TransactionsTest, StopEndsTheWaitWithCancelled) {
  ASSERT_TRUE(StartAndBegin().ok());
  for (int i = 0; i < 1000; ++i) script_.commit.push_back(Retriable());
  absl::Status s = txn().Commit(offsets_, [&] { return script_.commits >= 3; });
  EXPECT_TRUE(absl::IsCancelled(s)) << s;
  EXPECT_EQ(script_.commits, 3);
  EXPECT_EQ(script_.aborts, 0);
}

TEST_F(TransactionsTest, ABadConfigurationIsReportedAtOnce) {
  TransactionsOptions o;
  o.name = "test";
  Transactions t(o, []() -> absl::StatusOr<std::unique_ptr<TxnClient>> {
    return absl::InvalidArgumentError("kafka property linger.ms=x: invalid value");
  });
  EXPECT_TRUE(absl::IsInvalidArgument(t.Start([] { return false; })));
}

}  // namespace
}  // namespace ww::kafka
