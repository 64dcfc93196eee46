#include "services/ingestor/ingest_service.h"

#include "libs/runtime/log.h"

namespace ww::services {

grpc::Status IngestServiceImpl::Submit(grpc::ServerContext*, const ww::v1::SubmitRequest* req,
                                       ww::v1::SubmitResponse* resp) {
  ww::v1::Article a;
  a.set_title(req->title());
  a.set_text(req->text());
  a.set_url(req->url());
  a.set_source(req->source());
  a.set_published_unix_ms(req->published_unix_ms());
  a.set_language(req->language());
  auto article = MakeArticle(std::move(a), limits_);
  if (!article.ok()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(article.status().message()));
  }
  auto sent = producer_->Send({raw_topic_, article->id(), article->SerializeAsString()});
  if (!sent.ok()) {
    runtime::Logger("ingestor").Error("cannot publish article", {{"error", sent.status().ToString()}});
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, std::string(sent.status().message()));
  }
  resp->set_article_id(article->id());
  return grpc::Status::OK;
}

}  // namespace ww::services
