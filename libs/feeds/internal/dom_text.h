// Internal to ww::feeds: text extraction shared by HtmlToText and the feed parser. Exposes
// libxml2 types, so it must never be included from a public header.
#ifndef WW_LIBS_FEEDS_INTERNAL_DOM_TEXT_H_
#define WW_LIBS_FEEDS_INTERNAL_DOM_TEXT_H_

#include <libxml/tree.h>

#include <string>

#include "absl/strings/string_view.h"

namespace ww::feeds::internal {

// Initialises libxml2 once per process (xmlInitParser is required before concurrent use).
// Thread-safe, idempotent.
void EnsureLibxml();

// Readable text of the children of `node` (an HTML document or an XML element holding XHTML
// or stray HTML markup), with the HtmlToText rules. Entity reference nodes are never expanded.
std::string NodeToText(const xmlNode* node);

// Whitespace-collapsed plain text: runs of whitespace become one space, except that a run with
// two or more newlines (a blank line) becomes "\n" when keep_paragraphs is set.
std::string CollapseText(absl::string_view text, bool keep_paragraphs);

}  // namespace ww::feeds::internal

#endif  // WW_LIBS_FEEDS_INTERNAL_DOM_TEXT_H_
