#include "libs/feeds/opml.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <set>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "libs/feeds/internal/dom_text.h"

namespace ww::feeds {
namespace {

void Collect(const xmlNode* n, std::vector<std::string>* out, std::set<std::string>* seen,
             int depth) {
  for (const xmlNode* c = n->children; c != nullptr && depth < 64; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (absl::EqualsIgnoreCase(reinterpret_cast<const char*>(c->name), "outline")) {
      xmlChar* v = xmlGetProp(c, BAD_CAST "xmlUrl");
      if (v == nullptr) v = xmlGetProp(c, BAD_CAST "xmlurl");
      if (v != nullptr) {
        std::string url(absl::StripAsciiWhitespace(reinterpret_cast<const char*>(v)));
        xmlFree(v);
        if (!url.empty() && seen->insert(url).second) out->push_back(url);
      }
    }
    Collect(c, out, seen, depth + 1);
  }
}

}  // namespace

absl::StatusOr<std::vector<std::string>> FeedUrlsFromOpml(std::string_view opml) {
  internal::EnsureLibxml();
  if (opml.size() > (64u << 20)) return absl::InvalidArgumentError("OPML larger than 64 MiB");
  xmlDoc* doc =
      xmlReadMemory(opml.data(), static_cast<int>(opml.size()), nullptr, nullptr,
                    XML_PARSE_NONET | XML_PARSE_RECOVER | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == nullptr) return absl::InvalidArgumentError("not OPML: not XML");
  const xmlNode* root = xmlDocGetRootElement(doc);
  if (root == nullptr ||
      !absl::EqualsIgnoreCase(reinterpret_cast<const char*>(root->name), "opml")) {
    xmlFreeDoc(doc);
    return absl::InvalidArgumentError("not OPML: the root element is not <opml>");
  }
  std::vector<std::string> urls;
  std::set<std::string> seen;
  Collect(root, &urls, &seen, 0);
  xmlFreeDoc(doc);
  return urls;
}

}  // namespace ww::feeds
