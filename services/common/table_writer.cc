#include "services/common/table_writer.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libs/rpc/server.h"
#include "libs/runtime/string_view.h"

namespace ww::services {

grpc::Status TableWriter::Send(const kafka::OutRecord& record) {
  auto delivered = producer_->Send(record);
  if (!delivered.ok()) return rpc::ToGrpc(delivered.status());
  int64_t& high = written_[delivered->partition];
  high = std::max(high, delivered->offset);
  return grpc::Status::OK;
}

grpc::Status TableWriter::Put(const std::string& key, const std::string& value) {
  return Send({topic_, key, value, /*tombstone=*/false});
}

grpc::Status TableWriter::Delete(const std::string& key) {
  return Send({topic_, key, "", /*tombstone=*/true});
}

grpc::Status TableWriter::AwaitRead(TableProgress& progress, std::string_view who,
                                    absl::Duration timeout) const {
  if (progress.AwaitRead(written_, timeout)) return grpc::Status::OK;
  return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                      absl::StrCat("written to Kafka, but ", runtime::ToAbsl(who),
                                   " has not read it back within ", absl::FormatDuration(timeout)));
}

}  // namespace ww::services
