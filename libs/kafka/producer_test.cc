// Producer against librdkafka's in-process mock cluster (no broker): what a caller sees when
// the cluster makes the idempotent producer fail fatally.
#include "libs/kafka/producer.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "gtest/gtest.h"

namespace ww::kafka {
namespace {

constexpr int16_t kProduceApiKey = 0;  // the Kafka protocol's key for Produce requests

class MockCluster {
 public:
  MockCluster() {
    char err[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
    owner_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    cluster_ = rd_kafka_mock_cluster_new(owner_, 1);
    rd_kafka_mock_topic_create(cluster_, "articles.raw", 1, 1);
  }
  ~MockCluster() {
    rd_kafka_mock_cluster_destroy(cluster_);
    rd_kafka_destroy(owner_);
  }
  ClientConfig Config() const {
    return {rd_kafka_mock_cluster_bootstraps(cluster_), {{"log_level", "0"}}};
  }
  // The next `n` produce requests fail with `err`.
  void FailProduce(int n, rd_kafka_resp_err_t err) {
    for (int i = 0; i < n; ++i) rd_kafka_mock_push_request_errors(cluster_, kProduceApiKey, 1, err);
  }

 private:
  rd_kafka_t* owner_;
  rd_kafka_mock_cluster_t* cluster_;
};

OutRecord Article(int i) {
  OutRecord r;
  r.topic = "articles.raw";
  r.key = "ar-" + std::to_string(i);
  r.value = "article " + std::to_string(i);
  return r;
}

// Seen in the chaos tier: after the broker was killed and restarted, the ingestor's
// producer hit "out of order sequence number" (a fatal error for an idempotent producer)
// and refused every pushed article from then on, for good.
TEST(Producer, KeepsSendingAfterAFatalSequenceError) {
  MockCluster cluster;
  auto producer = Producer::Create(cluster.Config());
  ASSERT_TRUE(producer.ok()) << producer.status();
  ASSERT_TRUE((*producer)->Send(Article(0), absl::Seconds(10)).ok());

  cluster.FailProduce(1, RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
  for (int i = 1; i <= 3; ++i) {
    auto sent = (*producer)->Send(Article(i), absl::Seconds(10));
    EXPECT_TRUE(sent.ok()) << "article " << i << ": " << sent.status();
  }
  cluster.FailProduce(1, RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
  EXPECT_TRUE((*producer)->SendAll({Article(4), Article(5)}, absl::Seconds(10)).ok());
}

}  // namespace
}  // namespace ww::kafka
