#include "libs/feeds/html_text.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <climits>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/str_replace.h"
#include "libs/feeds/internal/dom_text.h"

namespace ww::feeds {
namespace internal {
namespace {

constexpr int kMaxDepth = 512;

// Accumulates text with collapsed whitespace; separators are only emitted between content, so
// the result is trimmed and has no blank lines.
class TextBuilder {
 public:
  void Text(absl::string_view s, bool pre) {
    for (size_t i = 0; i < s.size(); ++i) {
      char c = s[i];
      if (c == '\n' && pre) {
        Break();
      } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        space_ = true;
      } else if (c == '\xC2' && i + 1 < s.size() && s[i + 1] == '\xA0') {  // U+00A0
        space_ = true;
        ++i;
      } else {
        if (!out_.empty()) {
          if (break_) {
            out_.push_back('\n');
          } else if (space_) {
            out_.push_back(' ');
          }
        }
        break_ = space_ = false;
        out_.push_back(c);
      }
    }
  }
  void Break() { break_ = true; }
  void Space() { space_ = true; }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
  bool space_ = false;
  bool break_ = false;
};

std::string LocalName(const xmlNode* n) {
  absl::string_view name = reinterpret_cast<const char*>(n->name);
  if (size_t colon = name.rfind(':'); colon != absl::string_view::npos) {
    name.remove_prefix(colon + 1);  // unbound prefix kept in the name by the recovering parser
  }
  return absl::AsciiStrToLower(name);
}

bool IsDropped(absl::string_view name) {
  static constexpr absl::string_view kDropped[] = {
      "script", "style",    "iframe", "img",   "noscript", "object", "embed",   "svg",
      "math",   "template", "head",   "audio", "video",    "canvas", "picture", "source"};
  for (absl::string_view d : kDropped) {
    if (name == d) return true;
  }
  return false;
}

bool IsBlock(absl::string_view name) {
  static constexpr absl::string_view kBlocks[] = {
      "p",       "div",     "li",      "ul",      "ol",         "dl",       "dt",     "dd",
      "h1",      "h2",      "h3",      "h4",      "h5",         "h6",       "tr",     "table",
      "thead",   "tbody",   "tfoot",   "caption", "blockquote", "pre",      "hr",     "section",
      "article", "header",  "footer",  "aside",   "nav",        "main",     "figure", "figcaption",
      "address", "details", "summary", "center",  "form",       "fieldset", "body",   "html"};
  for (absl::string_view b : kBlocks) {
    if (name == b) return true;
  }
  return false;
}

void Walk(const xmlNode* parent, TextBuilder* tb, int depth, bool pre) {
  for (const xmlNode* c = parent->children; c != nullptr; c = c->next) {
    switch (c->type) {
      case XML_TEXT_NODE:
      case XML_CDATA_SECTION_NODE:
        if (c->content != nullptr) tb->Text(reinterpret_cast<const char*>(c->content), pre);
        break;
      case XML_ELEMENT_NODE: {
        std::string name = LocalName(c);
        if (IsDropped(name)) break;
        if (name == "br") {
          tb->Break();
          break;
        }
        bool block = IsBlock(name);
        if (block) {
          tb->Break();
        } else if (name == "td" || name == "th") {
          tb->Space();
        }
        if (depth < kMaxDepth) Walk(c, tb, depth + 1, pre || name == "pre");
        if (block) {
          tb->Break();
        } else if (name == "td" || name == "th") {
          tb->Space();
        }
        break;
      }
      default:  // comments, PIs, entity references (never expanded), DTD nodes
        break;
    }
  }
}

}  // namespace

void EnsureLibxml() {
  static const bool initialised = [] {
    xmlInitParser();
    return true;
  }();
  (void)initialised;
}

std::string NodeToText(const xmlNode* node) {
  TextBuilder tb;
  Walk(node, &tb, 0, false);
  return tb.Take();
}

std::string CollapseText(absl::string_view text, bool keep_paragraphs) {
  TextBuilder tb;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = i;
    int newlines = 0;
    while (j < text.size() && absl::ascii_isspace(static_cast<unsigned char>(text[j]))) {
      newlines += text[j] == '\n';
      ++j;
    }
    if (j > i) {
      if (keep_paragraphs && newlines >= 2) {
        tb.Break();
      } else {
        tb.Space();
      }
      i = j;
      continue;
    }
    while (j < text.size() && !absl::ascii_isspace(static_cast<unsigned char>(text[j]))) ++j;
    tb.Text(text.substr(i, j - i), false);
    i = j;
  }
  return tb.Take();
}

}  // namespace internal

std::string HtmlToText(std::string_view fragment) {
  absl::string_view html(fragment.data(), fragment.size());
  if (html.find_first_of("<&") == absl::string_view::npos) {
    return internal::CollapseText(html, false);
  }
  internal::EnsureLibxml();
  // &apos; is XML and HTML5 but not HTML 4, which is what libxml2's HTML parser knows.
  std::string input = absl::StrReplaceAll(html, {{"&apos;", "&#39;"}});
  if (input.size() > static_cast<size_t>(INT_MAX)) input.resize(INT_MAX);
  constexpr int kOptions =
      HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING;
  std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc(
      htmlReadMemory(input.data(), static_cast<int>(input.size()), nullptr, "UTF-8", kOptions),
      &xmlFreeDoc);
  if (doc == nullptr) return internal::CollapseText(html, false);
  return internal::NodeToText(reinterpret_cast<const xmlNode*>(doc.get()));
}

}  // namespace ww::feeds
