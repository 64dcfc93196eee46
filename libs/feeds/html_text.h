// HTML fragments (feed descriptions, content:encoded) to clean plain text.
#ifndef WW_LIBS_FEEDS_HTML_TEXT_H_
#define WW_LIBS_FEEDS_HTML_TEXT_H_

#include <string>
#include <string_view>

namespace ww::feeds {

// Turns an HTML fragment (UTF-8) into clean text: script, style, iframe, img, noscript, object,
// embed, svg, template and head subtrees dropped; <p>, <br>, <div>, <li>, headings, table rows,
// blockquote and other block elements become single "\n" separators (no blank lines); named
// (HTML 4 plus &apos;) and numeric entities decoded; runs of whitespace, including &nbsp;,
// collapsed to one space; result trimmed. Text inside <pre> keeps its line breaks.
// Uses libxml2's HTML parser in recover mode, never touches the network. Never fails (garbage in
// gives best-effort text out); thread-safe.
std::string HtmlToText(std::string_view html);

}  // namespace ww::feeds

#endif  // WW_LIBS_FEEDS_HTML_TEXT_H_
