// Test helper for stage_loop_kafkatest: runs the shared stage loop (upper-casing each
// value into OUT) and kills itself with _exit(3) in the middle of a transaction when it
// reaches the record whose value is CRASH_AT, after producing outputs for the records
// before it in the same batch.
//   stage_crasher BOOTSTRAP IN OUT DLQ GROUP TXID CRASH_AT
#include <unistd.h>

#include <cstdio>

#include "absl/strings/ascii.h"
#include "libs/kafka/stage_loop.h"

int main(int argc, char** argv) {
  if (argc != 8) {
    std::fprintf(stderr, "usage: stage_crasher BOOTSTRAP IN OUT DLQ GROUP TXID CRASH_AT\n");
    return 2;
  }
  ww::kafka::StageOptions o;
  o.stage = "crasher";
  o.client.bootstrap_servers = argv[1];
  o.input_topics = {argv[2]};
  const std::string out = argv[3];
  o.deadletter_topic = argv[4];
  o.group_id = argv[5];
  o.transactional_id = argv[6];
  o.max_batch_wait = absl::Seconds(2);  // gather the whole input into one batch
  const std::string crash_at = argv[7];
  auto loop = ww::kafka::StageLoop::Create(
      o, {[&](const ww::kafka::Record& r) {
        if (r.value == crash_at) {
          sleep(1);  // let the outputs before it reach the broker inside the open transaction
          _exit(3);
        }
        return absl::StatusOr<std::vector<ww::kafka::OutRecord>>(
            std::vector<ww::kafka::OutRecord>{{out, r.key, absl::AsciiStrToUpper(r.value)}});
      }});
  if (!loop.ok()) return 2;
  std::atomic<bool> stop{false};
  (void)(*loop)->Run(stop);
  return 1;  // not reached unless the loop failed
}
