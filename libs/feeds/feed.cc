#include "libs/feeds/feed.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <libxml/xmlerror.h>
#include <unicode/ucnv.h>
#include <unicode/utf8.h>

#include <climits>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "libs/feeds/date.h"
#include "libs/feeds/html_text.h"
#include "libs/feeds/internal/dom_text.h"
#include "libs/feeds/internal/items.h"
#include "libs/feeds/url.h"
#include "libs/runtime/ids.h"
#include "libs/url/url.h"

namespace ww::feeds {
namespace {

constexpr int kMaxParserWarnings = 10;

// ---------------------------------------------------------------------------------------------
// Encoding: pick a charset (BOM > content type > UTF-16 sniff > XML declaration > UTF-8) and
// convert to UTF-8 with ICU.

std::string NormalizeCharsetKey(absl::string_view name) {
  std::string key;
  for (char c : name) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) key.push_back(absl::ascii_tolower(c));
  }
  return key;
}

bool IsUtf8Name(absl::string_view name) {
  std::string k = NormalizeCharsetKey(name);
  return k == "utf8";
}

// Browsers read these as windows-1252; so do feeds written by tools that mislabel cp1252.
std::string EffectiveCharset(absl::string_view name) {
  std::string k = NormalizeCharsetKey(name);
  if (k == "iso88591" || k == "latin1" || k == "l1" || k == "usascii" || k == "ascii" ||
      k == "iso885911987" || k == "cp819" || k == "ibm819") {
    return "windows-1252";
  }
  // WHATWG: GB2312 and GBK labels are decoded as GB18030, their superset, because real
  // documents labelled GB2312 use GBK characters.
  if (k == "gb2312" || k == "gbk" || k == "xgbk" || k == "cp936" || k == "csgb2312" ||
      k == "chinese" || k == "iso58gb231280") {
    return "gb18030";
  }
  return std::string(name);
}

bool CharsetKnown(const std::string& name) {
  UErrorCode err = U_ZERO_ERROR;
  UConverter* conv = ucnv_open(name.c_str(), &err);
  if (U_FAILURE(err) || conv == nullptr) return false;
  ucnv_close(conv);
  return true;
}

std::string CharsetFromContentType(absl::string_view content_type) {
  std::vector<absl::string_view> parts = absl::StrSplit(content_type, ';');
  for (size_t i = 1; i < parts.size(); ++i) {
    absl::string_view p = absl::StripAsciiWhitespace(parts[i]);
    if (p.size() > 8 && absl::EqualsIgnoreCase(p.substr(0, 8), "charset=")) {
      absl::string_view v = absl::StripAsciiWhitespace(p.substr(8));
      if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) {
        v = v.substr(1, v.size() - 2);
      }
      return std::string(v);
    }
  }
  return "";
}

std::string CharsetFromDeclaration(absl::string_view bytes) {
  absl::string_view head = bytes.substr(0, 1024);
  size_t start = head.find("<?xml");
  if (start == absl::string_view::npos ||
      !absl::StripAsciiWhitespace(head.substr(0, start)).empty()) {
    return "";
  }
  size_t end = head.find("?>", start);
  if (end == absl::string_view::npos) return "";
  absl::string_view decl = head.substr(start, end - start);
  size_t enc = decl.find("encoding");
  if (enc == absl::string_view::npos) return "";
  size_t eq = decl.find('=', enc);
  if (eq == absl::string_view::npos) return "";
  size_t q = decl.find_first_of("\"'", eq);
  if (q == absl::string_view::npos) return "";
  size_t qe = decl.find(decl[q], q + 1);
  if (qe == absl::string_view::npos) return "";
  return std::string(absl::StripAsciiWhitespace(decl.substr(q + 1, qe - q - 1)));
}

bool ValidUtf8(absl::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  int32_t i = 0;
  int32_t n = static_cast<int32_t>(s.size());
  while (i < n) {
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0) return false;
  }
  return true;
}

// `*used` receives the name of the encoding read, lowercased, as its source named it.
std::string ToUtf8(absl::string_view bytes, absl::string_view content_type,
                   std::vector<std::string>* warnings, std::string* used) {
  std::string charset;
  std::string named;
  size_t skip = 0;
  auto u = [&](size_t i) { return i < bytes.size() ? static_cast<uint8_t>(bytes[i]) : 0x100; };
  if (u(0) == 0xEF && u(1) == 0xBB && u(2) == 0xBF) {
    charset = "UTF-8", skip = 3;
  } else if (u(0) == 0xFF && u(1) == 0xFE && u(2) == 0 && u(3) == 0) {
    charset = "UTF-32LE", skip = 4;
  } else if (u(0) == 0 && u(1) == 0 && u(2) == 0xFE && u(3) == 0xFF) {
    charset = "UTF-32BE", skip = 4;
  } else if (u(0) == 0xFE && u(1) == 0xFF) {
    charset = "UTF-16BE", skip = 2;
  } else if (u(0) == 0xFF && u(1) == 0xFE) {
    charset = "UTF-16LE", skip = 2;
  }
  // Takes a declared charset when it is known; warns and keeps looking when it is not.
  auto adopt = [&](const std::string& declared, absl::string_view where) {
    if (declared.empty()) return;
    std::string eff = EffectiveCharset(declared);
    if (CharsetKnown(eff)) {
      charset = eff;
      named = declared;
    } else {
      warnings->push_back(absl::StrCat("unknown charset '", declared, "' in ", where));
    }
  };
  if (charset.empty()) adopt(CharsetFromContentType(content_type), "content type ignored");
  if (charset.empty()) {  // no BOM: '<' (or '<?') written in a wide encoding
    if (u(0) == '<' && u(1) == 0 && u(2) == 0 && u(3) == 0) {
      charset = "UTF-32LE";
    } else if (u(0) == 0 && u(1) == 0 && u(2) == 0 && u(3) == '<') {
      charset = "UTF-32BE";
    } else if (u(0) == '<' && u(1) == 0) {
      charset = "UTF-16LE";
    } else if (u(0) == 0 && u(1) == '<') {
      charset = "UTF-16BE";
    }
  }
  if (charset.empty()) {
    std::string declared = CharsetFromDeclaration(bytes);
    if (!absl::StartsWithIgnoreCase(declared, "utf-16")) {
      adopt(declared, "XML declaration ignored, read as UTF-8");
    }
  }
  if (charset.empty()) charset = "UTF-8";
  *used = absl::AsciiStrToLower(named.empty() ? charset : named);
  absl::string_view body = bytes.substr(skip);
  if (IsUtf8Name(charset) && ValidUtf8(body)) return std::string(body);
  if (IsUtf8Name(charset)) warnings->push_back("invalid UTF-8 bytes replaced by U+FFFD");

  UErrorCode err = U_ZERO_ERROR;
  int32_t len = static_cast<int32_t>(body.size());
  int32_t need = ucnv_convert("UTF-8", charset.c_str(), nullptr, 0, body.data(), len, &err);
  if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err)) {
    warnings->push_back(absl::StrCat("cannot convert from ", charset, ": ", u_errorName(err)));
    return std::string(body);
  }
  std::string out(static_cast<size_t>(need), '\0');
  err = U_ZERO_ERROR;
  ucnv_convert("UTF-8", charset.c_str(), out.data(), need, body.data(), len, &err);
  if (U_FAILURE(err)) {
    warnings->push_back(absl::StrCat("cannot convert from ", charset, ": ", u_errorName(err)));
    return std::string(body);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Pre-parse repair. Removes the XML declaration (the text is UTF-8 now) and any DOCTYPE (so no
// DTD or entity declaration ever reaches libxml2), rewrites every entity reference as a numeric
// character reference, escapes bare '&' and drops characters XML forbids. Line structure is
// preserved so that libxml2's line numbers still match the input.

bool IsXmlChar(uint32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

// HTML5 reads numeric references to C1 controls as windows-1252 characters; so do we.
uint32_t FixC1(uint32_t c) {
  static constexpr uint16_t kCp1252[32] = {
      0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
      0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
      0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};
  if (c >= 0x80 && c <= 0x9F && kCp1252[c - 0x80] != 0) return kCp1252[c - 0x80];
  return c;
}

class Repairer {
 public:
  explicit Repairer(absl::string_view in) : in_(in) {}

  std::string Run(std::vector<std::string>* warnings) {
    out_.reserve(in_.size() + in_.size() / 16);
    SkipDeclaration();
    while (pos_ < in_.size()) {
      char c = in_[pos_];
      if (c == '<') {
        if (Starts("<!--")) {
          CopyUntil("-->");
        } else if (Starts("<![CDATA[")) {
          CopyUntil("]]>");
        } else if (Starts("<?")) {
          CopyUntil("?>");
        } else if (StartsIgnoreCase("<!DOCTYPE")) {
          SkipDoctype();
        } else {
          Tag();
        }
      } else if (c == '&') {
        Entity();
      } else if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
        Note(&controls_);
        ++pos_;
      } else if (c == '\xEF' && pos_ + 2 < in_.size() && in_[pos_ + 1] == '\xBF' &&
                 (in_[pos_ + 2] == '\xBE' || in_[pos_ + 2] == '\xBF')) {
        Note(&controls_);  // U+FFFE / U+FFFF
        pos_ += 3;
      } else {
        Emit(c);
      }
    }
    while (!open_.empty()) CloseTop(/*at_eof=*/true);
    int listed = 0;
    for (const std::string& u : unclosed_) {
      if (++listed > kMaxParserWarnings) {
        warnings->push_back(absl::StrCat("and ", unclosed_.size() - kMaxParserWarnings,
                                         " more unclosed tags recovered"));
        break;
      }
      warnings->push_back(u);
    }
    Report(stray_end_, "end tag without start tag dropped", warnings);
    Report(bare_lt_, "unescaped '<' escaped", warnings);
    Report(doctype_, "DOCTYPE removed (DTDs and entity declarations are never processed)",
           warnings);
    Report(bare_amp_, "unescaped '&' escaped", warnings);
    Report(unknown_entity_, "unknown entity reference kept as text", warnings);
    Report(bad_charref_, "invalid character reference dropped", warnings);
    Report(controls_, "characters not allowed in XML dropped", warnings);
    if (leading_garbage_) warnings->push_back("text before the first tag dropped");
    return std::move(out_);
  }

 private:
  struct Count {
    int n = 0;
    int first_line = 0;
  };
  struct Open {
    std::string name;
    int line;
  };

  static absl::string_view Local(absl::string_view name) {
    size_t colon = name.rfind(':');
    return colon == absl::string_view::npos ? name : name.substr(colon + 1);
  }
  // Feed elements that only hold text: a feed field starting while one of them is open means
  // its end tag was forgotten.
  static bool IsLeafField(absl::string_view name) {
    static constexpr absl::string_view kLeaves[] = {
        "title",     "link",      "description", "guid",
        "pubDate",   "category",  "comments",    "id",
        "updated",   "published", "issued",      "modified",
        "created",   "date",      "creator",     "encoded",
        "summary",   "language",  "copyright",   "lastBuildDate",
        "generator", "docs",      "ttl",         "managingEditor",
        "webMaster", "rights",    "subtitle",    "icon",
        "logo"};
    absl::string_view local = Local(name);
    for (absl::string_view l : kLeaves) {
      if (local == l) return true;
    }
    return false;
  }
  static bool IsFeedField(absl::string_view name) {
    absl::string_view local = Local(name);
    return IsLeafField(name) || local == "item" || local == "entry" || local == "channel" ||
           local == "author" || local == "source" || local == "enclosure";
  }
  static bool IsNameStart(char c) {
    return absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':' ||
           static_cast<unsigned char>(c) >= 0x80;
  }

  void CloseTop(bool at_eof) {
    const Open& top = open_.back();
    if (unclosed_.size() <= static_cast<size_t>(kMaxParserWarnings)) {
      unclosed_.push_back(absl::StrCat("line ", top.line, ": unclosed <", top.name, ">",
                                       at_eof ? " at end of document" : "", " recovered"));
    } else {
      unclosed_.emplace_back();
    }
    absl::StrAppend(&out_, "</", top.name, ">");
    open_.pop_back();
  }

  // A '<' that is not a comment, CDATA section, PI or DOCTYPE: a start or end tag, or a bare
  // '<' in text. Keeps tags balanced the way an HTML parser would.
  void Tag() {
    size_t p = pos_ + 1;
    bool end = p < in_.size() && in_[p] == '/';
    if (end) ++p;
    if (p >= in_.size() || !IsNameStart(in_[p])) {
      Note(&bare_lt_);
      out_ += "&#60;";
      ++pos_;
      return;
    }
    size_t name_end = p;
    while (name_end < in_.size() &&
           !absl::ascii_isspace(static_cast<unsigned char>(in_[name_end])) &&
           in_[name_end] != '/' && in_[name_end] != '>' && in_[name_end] != '<') {
      ++name_end;
    }
    std::string name(in_.substr(p, name_end - p));
    size_t gt = name_end;
    char quote = 0;
    for (; gt < in_.size(); ++gt) {
      char c = in_[gt];
      if (quote != 0) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '>' || c == '<') {
        break;
      }
    }
    if (gt >= in_.size() || in_[gt] != '>') {  // unterminated tag: treat the '<' as text
      Note(&bare_lt_);
      out_ += "&#60;";
      ++pos_;
      return;
    }
    if (!end) {
      bool self_closing = in_[gt - 1] == '/';
      if (!open_.empty() && IsLeafField(open_.back().name) && IsFeedField(name)) {
        CloseTop(false);
      }
      if (!self_closing) open_.push_back({name, line_});
      while (pos_ <= gt) Emit(in_[pos_]);
      return;
    }
    int match = -1;
    for (int i = static_cast<int>(open_.size()) - 1; i >= 0 && match < 0; --i) {
      if (open_[i].name == name) match = i;
    }
    for (int i = static_cast<int>(open_.size()) - 1; i >= 0 && match < 0; --i) {
      if (absl::EqualsIgnoreCase(open_[i].name, name)) match = i;
    }
    if (match < 0) {
      Note(&stray_end_);
      Blank(gt + 1);
      return;
    }
    while (static_cast<int>(open_.size()) > match + 1) CloseTop(false);
    absl::StrAppend(&out_, "</", open_.back().name, ">");
    open_.pop_back();
    Blank(gt + 1);
  }

  bool Starts(absl::string_view s) const { return in_.substr(pos_, s.size()) == s; }
  bool StartsIgnoreCase(absl::string_view s) const {
    return absl::EqualsIgnoreCase(in_.substr(pos_, s.size()), s);
  }
  void Emit(char c) {
    if (c == '\n') ++line_;
    out_.push_back(c);
    ++pos_;
  }
  void Note(Count* c) {
    if (c->n++ == 0) c->first_line = line_;
  }
  void CopyUntil(absl::string_view end) {
    size_t stop = in_.find(end, pos_);
    stop = stop == absl::string_view::npos ? in_.size() : stop + end.size();
    while (pos_ < stop) Emit(in_[pos_]);
  }
  // Replaces in_[pos_, stop) by its newlines only.
  void Blank(size_t stop) {
    for (; pos_ < stop; ++pos_) {
      if (in_[pos_] == '\n') {
        out_.push_back('\n');
        ++line_;
      }
    }
  }
  void SkipDeclaration() {
    size_t p = 0;
    while (p < in_.size() && absl::ascii_isspace(static_cast<unsigned char>(in_[p]))) ++p;
    size_t first_tag = in_.find('<', p);
    if (first_tag == absl::string_view::npos) return;
    if (first_tag > p) {  // e.g. a PHP warning printed before the feed
      leading_garbage_ = true;
      pos_ = 0;
      Blank(first_tag);
      p = first_tag;
    }
    if (in_.substr(p, 5) == "<?xml" && p + 5 < in_.size() &&
        absl::ascii_isspace(static_cast<unsigned char>(in_[p + 5]))) {
      size_t end = in_.find("?>", p);
      pos_ = 0;
      Blank(end == absl::string_view::npos ? in_.size() : end + 2);
    }
  }
  void SkipDoctype() {
    Note(&doctype_);
    size_t p = pos_ + 9;
    int depth = 0;
    char quote = 0;
    for (; p < in_.size(); ++p) {
      char c = in_[p];
      if (quote != 0) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '[') {
        ++depth;
      } else if (c == ']') {
        if (depth > 0) --depth;
      } else if (c == '>' && depth == 0) {
        break;
      }
    }
    Blank(p < in_.size() ? p + 1 : in_.size());
  }
  void EmitCharRef(uint32_t cp) { absl::StrAppend(&out_, "&#", cp, ";"); }
  void Entity() {
    size_t p = pos_ + 1;
    if (p < in_.size() && in_[p] == '#') {
      bool hex = p + 1 < in_.size() && (in_[p + 1] == 'x' || in_[p + 1] == 'X');
      size_t q = p + (hex ? 2 : 1);
      uint64_t v = 0;
      size_t digits = 0;
      while (q < in_.size() && digits < 8 &&
             (hex ? absl::ascii_isxdigit(static_cast<unsigned char>(in_[q]))
                  : absl::ascii_isdigit(static_cast<unsigned char>(in_[q])))) {
        char d = absl::ascii_tolower(in_[q]);
        v = v * (hex ? 16 : 10) + (d <= '9' ? d - '0' : d - 'a' + 10);
        ++q;
        ++digits;
      }
      if (digits > 0 && q < in_.size() && in_[q] == ';') {
        uint32_t cp = FixC1(static_cast<uint32_t>(v));
        if (IsXmlChar(cp)) {
          EmitCharRef(cp);
        } else {
          Note(&bad_charref_);
        }
        pos_ = q + 1;
        return;
      }
    } else {
      size_t q = p;
      while (q < in_.size() && q - p < 32 &&
             (absl::ascii_isalnum(static_cast<unsigned char>(in_[q])))) {
        ++q;
      }
      if (q > p && q < in_.size() && in_[q] == ';' &&
          absl::ascii_isalpha(static_cast<unsigned char>(in_[p]))) {
        std::string name(in_.substr(p, q - p));
        std::optional<uint32_t> cp;
        if (name == "amp")
          cp = '&';
        else if (name == "lt")
          cp = '<';
        else if (name == "gt")
          cp = '>';
        else if (name == "quot")
          cp = '"';
        else if (name == "apos")
          cp = '\'';
        else if (const htmlEntityDesc* e = htmlEntityLookup(BAD_CAST name.c_str()))
          cp = e->value;
        if (cp.has_value()) {
          EmitCharRef(*cp);
        } else {
          Note(&unknown_entity_);
          out_ += "&#38;" + name + ";";
        }
        pos_ = q + 1;
        return;
      }
    }
    Note(&bare_amp_);
    out_ += "&#38;";
    ++pos_;
  }
  void Report(const Count& c, absl::string_view what, std::vector<std::string>* warnings) {
    if (c.n == 0) return;
    std::string w = absl::StrCat("line ", c.first_line, ": ", what);
    if (c.n > 1) absl::StrAppend(&w, " (", c.n, " times)");
    warnings->push_back(std::move(w));
  }

  absl::string_view in_;
  std::string out_;
  size_t pos_ = 0;
  int line_ = 1;
  bool leading_garbage_ = false;
  std::vector<Open> open_;
  std::vector<std::string> unclosed_;
  Count stray_end_, bare_lt_;
  Count doctype_, bare_amp_, unknown_entity_, bad_charref_, controls_;
};

// ---------------------------------------------------------------------------------------------
// libxml2 parsing.

struct ErrorSink {
  std::vector<std::string> messages;
  int dropped = 0;
};

void OnXmlError(void* user_data, xmlErrorPtr error) {
  auto* ctxt = static_cast<xmlParserCtxtPtr>(user_data);
  if (ctxt == nullptr || ctxt->_private == nullptr || error == nullptr) return;
  if (error->level < XML_ERR_ERROR) return;  // warnings (e.g. relative namespace URIs) are noise
  auto* sink = static_cast<ErrorSink*>(ctxt->_private);
  if (sink->messages.size() >= kMaxParserWarnings) {
    ++sink->dropped;
    return;
  }
  std::string msg = error->message != nullptr ? error->message : "parse error";
  while (!msg.empty() && absl::ascii_isspace(static_cast<unsigned char>(msg.back()))) {
    msg.pop_back();
  }
  sink->messages.push_back(absl::StrCat("line ", error->line, ": ", msg, " (recovered)"));
}

using DocPtr = std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)>;

DocPtr ParseXml(const std::string& text, std::vector<std::string>* warnings) {
  DocPtr none(nullptr, &xmlFreeDoc);
  if (text.size() > static_cast<size_t>(INT_MAX)) return none;
  xmlParserCtxtPtr ctxt = xmlCreateMemoryParserCtxt(text.data(), static_cast<int>(text.size()));
  if (ctxt == nullptr) return none;
  // No NOENT (no entity substitution), no DTDLOAD/DTDATTR/DTDVALID, no network.
  xmlCtxtUseOptions(ctxt, XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOCDATA |
                              XML_PARSE_IGNORE_ENC | XML_PARSE_COMPACT);
  ErrorSink sink;
  ctxt->_private = &sink;
  ctxt->sax->serror = &OnXmlError;
  ctxt->sax->error = nullptr;
  ctxt->sax->warning = nullptr;
  ctxt->vctxt.error = nullptr;
  ctxt->vctxt.warning = nullptr;
  xmlParseDocument(ctxt);
  DocPtr doc(ctxt->myDoc, &xmlFreeDoc);
  ctxt->myDoc = nullptr;
  xmlFreeParserCtxt(ctxt);
  for (std::string& m : sink.messages) warnings->push_back(std::move(m));
  if (sink.dropped > 0) {
    warnings->push_back(absl::StrCat("and ", sink.dropped, " more parse errors recovered"));
  }
  return doc;
}

// ---------------------------------------------------------------------------------------------
// Document model helpers.

enum class Ns { kNone, kRss, kAtom, kContent, kDc, kDcTerms, kRdf, kXhtml, kOther };

constexpr absl::string_view kAtom10 = "http://www.w3.org/2005/Atom";
constexpr absl::string_view kAtom03 = "http://purl.org/atom/ns#";
constexpr absl::string_view kRss10 = "http://purl.org/rss/1.0/";
constexpr absl::string_view kRss090 = "http://my.netscape.com/rdf/simple/0.9/";
constexpr absl::string_view kRdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";

Ns NsFromUri(absl::string_view uri) {
  if (uri == kAtom10 || uri == kAtom03) return Ns::kAtom;
  if (uri == kRss10 || uri == kRss090 || uri == "http://backend.userland.com/rss2" ||
      uri == "http://blogs.law.harvard.edu/tech/rss" || uri == "http://purl.org/net/rss1.1#") {
    return Ns::kRss;
  }
  if (uri == "http://purl.org/rss/1.0/modules/content/") return Ns::kContent;
  if (uri == "http://purl.org/dc/elements/1.1/") return Ns::kDc;
  if (uri == "http://purl.org/dc/terms/") return Ns::kDcTerms;
  if (uri == kRdf) return Ns::kRdf;
  if (uri == "http://www.w3.org/1999/xhtml") return Ns::kXhtml;
  return Ns::kOther;
}

struct Name {
  Ns ns;
  absl::string_view local;
};

Name NameOf(const xmlNode* n) {
  absl::string_view name = reinterpret_cast<const char*>(n->name);
  if (n->ns != nullptr && n->ns->href != nullptr) {
    return {NsFromUri(reinterpret_cast<const char*>(n->ns->href)), name};
  }
  // The recovering parser keeps unbound prefixes in the name ("content:encoded").
  if (size_t colon = name.find(':'); colon != absl::string_view::npos) {
    absl::string_view prefix = name.substr(0, colon);
    absl::string_view local = name.substr(colon + 1);
    if (prefix == "content") return {Ns::kContent, local};
    if (prefix == "dc") return {Ns::kDc, local};
    if (prefix == "dcterms") return {Ns::kDcTerms, local};
    if (prefix == "atom") return {Ns::kAtom, local};
    if (prefix == "rdf") return {Ns::kRdf, local};
    return {Ns::kOther, local};
  }
  return {Ns::kNone, name};
}

std::vector<const xmlNode*> Children(const xmlNode* n) {
  std::vector<const xmlNode*> out;
  for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) out.push_back(c);
  }
  return out;
}

std::string Attr(const xmlNode* n, const char* name) {
  xmlChar* v = xmlGetProp(n, BAD_CAST name);  // no namespace; entity refs are not expanded
  if (v == nullptr) return "";
  std::string out = reinterpret_cast<const char*>(v);
  xmlFree(v);
  return out;
}

// Concatenated text and CDATA below n; entity reference nodes are skipped, never expanded.
void RawText(const xmlNode* n, std::string* out, int depth = 0) {
  for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
    if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content) {
      out->append(reinterpret_cast<const char*>(c->content));
    } else if (c->type == XML_ELEMENT_NODE && depth < 64) {
      RawText(c, out, depth + 1);
    }
  }
}

std::string RawText(const xmlNode* n) {
  std::string s;
  RawText(n, &s);
  return s;
}

std::string Trimmed(const xmlNode* n) {
  return std::string(absl::StripAsciiWhitespace(RawText(n)));
}

bool HasElementChildren(const xmlNode* n) {
  for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) return true;
  }
  return false;
}

bool LooksLikeHtml(absl::string_view s) {
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    char n = s[i + 1];
    if (s[i] == '<' &&
        (absl::ascii_isalpha(static_cast<unsigned char>(n)) || n == '/' || n == '!')) {
      return true;
    }
    if (s[i] == '&' && (absl::ascii_isalpha(static_cast<unsigned char>(n)) || n == '#')) {
      return true;
    }
  }
  return false;
}

std::string OneLine(std::string s) {
  for (char& c : s) {
    if (c == '\n') c = ' ';
  }
  return s;
}

// An element whose content is HTML: escaped or CDATA markup, or (malformed but common) raw
// child elements.
std::string HtmlField(const xmlNode* n) {
  if (HasElementChildren(n)) return internal::NodeToText(n);
  return HtmlToText(RawText(n));
}

// Plain-text field that may nevertheless carry escaped markup or double-escaped entities.
std::string PlainField(const xmlNode* n) {
  if (HasElementChildren(n)) return OneLine(internal::NodeToText(n));
  std::string raw = RawText(n);
  if (LooksLikeHtml(raw)) return OneLine(HtmlToText(raw));
  return internal::CollapseText(raw, false);
}

enum class TextKind { kText, kHtml, kXhtml, kSkip };

// Atom text constructs: type="text|html|xhtml" (1.0), MIME types and mode= (0.3).
TextKind AtomKind(const xmlNode* n) {
  std::string type = absl::AsciiStrToLower(Attr(n, "type"));
  std::string mode = absl::AsciiStrToLower(Attr(n, "mode"));
  if (!Attr(n, "src").empty()) return TextKind::kSkip;
  if (mode == "base64") return TextKind::kSkip;
  if (type == "xhtml" || type == "application/xhtml+xml") return TextKind::kXhtml;
  if (mode == "xml") return TextKind::kXhtml;
  if (type == "html" || type == "text/html" || mode == "escaped") return TextKind::kHtml;
  if (type.empty() || type == "text" || absl::StartsWith(type, "text/")) return TextKind::kText;
  return TextKind::kSkip;
}

std::string AtomText(const xmlNode* n, bool one_line) {
  std::string out;
  switch (AtomKind(n)) {
    case TextKind::kText:
      out = HasElementChildren(n) ? internal::NodeToText(n)
                                  : internal::CollapseText(RawText(n), !one_line);
      break;
    case TextKind::kHtml:
      out = HtmlField(n);
      break;
    case TextKind::kXhtml:
      out = internal::NodeToText(n);
      break;
    case TextKind::kSkip:
      break;
  }
  return one_line ? OneLine(std::move(out)) : out;
}

std::string XmlString(xmlChar* s) {
  if (s == nullptr) return "";
  std::string out = reinterpret_cast<const char*>(s);
  xmlFree(s);
  return out;
}

bool IsAbsolute(absl::string_view url) {
  size_t colon = url.find(':');
  if (colon == absl::string_view::npos || colon == 0) return false;
  for (size_t i = 0; i < colon; ++i) {
    char c = url[i];
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
      return false;
    }
  }
  return absl::ascii_isalpha(static_cast<unsigned char>(url[0]));
}

// `ref` resolved against `base` (itself resolved against `feed_link` when relative, as an
// xml:base may be); `ref` unchanged when there is nothing absolute to resolve it against.
std::string Resolve(absl::string_view base, absl::string_view ref) {
  if (ref.empty() || base.empty() || IsAbsolute(ref)) return std::string(ref);
  absl::StatusOr<url::Url> b = url::Url::Parse(std::string_view(base.data(), base.size()));
  if (!b.ok()) return std::string(ref);
  absl::StatusOr<url::Url> resolved = b->Resolve(std::string_view(ref.data(), ref.size()));
  return resolved.ok() ? resolved->ToString() : std::string(ref);
}

// Absolute, canonical link for href found at node n: xml:base chain first, then feed_link.
std::string ResolveLink(const xmlDoc* doc, const xmlNode* n, absl::string_view href,
                        absl::string_view feed_link) {
  std::string ref(absl::StripAsciiWhitespace(href));
  if (ref.empty()) return "";
  std::string base = XmlString(xmlNodeGetBase(const_cast<xmlDoc*>(doc), const_cast<xmlNode*>(n)));
  if (!base.empty() && !IsAbsolute(base)) base = Resolve(feed_link, base);
  std::string url = Resolve(base, ref);
  if (!IsAbsolute(url)) url = Resolve(feed_link, url);
  return CanonicalUrl(url);
}

struct DateField {
  std::string raw;
  bool set() const { return !raw.empty(); }
};

}  // namespace

void internal::FinishItem(FeedItem item, const std::string& date_raw, Feed* feed) {
  int index = static_cast<int>(feed->items.size()) + 1;
  if (!date_raw.empty()) {
    absl::StatusOr<absl::Time> t = ParseFeedDate(date_raw);
    if (t.ok()) {
      item.published = *t;
    } else {
      feed->warnings.push_back(
          absl::StrCat("item ", index, ": unparseable date '", date_raw.substr(0, 80), "'"));
    }
  }
  // Valid but of no use to the pipeline (nothing to read or link to): not a recovery, so no
  // warning.
  if (item.title.empty() && item.url.empty() && item.text.empty()) return;
  if (item.id.empty()) item.id = item.url;
  if (item.id.empty()) {
    item.id = "sha256:" + runtime::Sha256Hex(item.title + std::string(1, '\0') + item.text);
  }
  feed->items.push_back(std::move(item));
}

std::string internal::ResolveUrl(absl::string_view base, absl::string_view ref) {
  return Resolve(base, ref);
}

namespace {
using internal::FinishItem;

bool IsRssCore(const Name& n) { return n.ns == Ns::kNone || n.ns == Ns::kRss; }

std::string FirstRssLink(const xmlDoc* doc, const xmlNode* parent, absl::string_view base_link) {
  std::string atom_alt;
  for (const xmlNode* c : Children(parent)) {
    Name n = NameOf(c);
    if (IsRssCore(n) && n.local == "link") {
      std::string href = Trimmed(c);
      if (!href.empty()) return ResolveLink(doc, c, href, base_link);
    }
    if (n.ns == Ns::kAtom && n.local == "link" && atom_alt.empty()) {
      std::string rel = Attr(c, "rel");
      if (rel.empty() || rel == "alternate") {
        atom_alt = ResolveLink(doc, c, Attr(c, "href"), base_link);
      }
    }
  }
  return atom_alt;
}

void ParseRssItem(const xmlDoc* doc, const xmlNode* node, Feed* feed) {
  FeedItem item;
  std::string guid, pub_date, dc_date;
  bool guid_is_permalink = true;
  const xmlNode* guid_node = nullptr;
  const xmlNode* content = nullptr;
  const xmlNode* description = nullptr;
  for (const xmlNode* c : Children(node)) {
    Name n = NameOf(c);
    if (IsRssCore(n)) {
      if (n.local == "title" && item.title.empty()) {
        item.title = PlainField(c);
      } else if (n.local == "guid" && guid.empty()) {
        guid = Trimmed(c);
        guid_node = c;
        guid_is_permalink = absl::AsciiStrToLower(Attr(c, "isPermaLink")) != "false";
      } else if (n.local == "pubDate" && pub_date.empty()) {
        pub_date = Trimmed(c);
      } else if (n.local == "description" && description == nullptr) {
        description = c;
      }
    } else if (n.ns == Ns::kContent && n.local == "encoded" && content == nullptr) {
      content = c;
    } else if ((n.ns == Ns::kDc && n.local == "date") ||
               (n.ns == Ns::kDcTerms &&
                (n.local == "issued" || n.local == "created" || n.local == "modified"))) {
      if (dc_date.empty()) dc_date = Trimmed(c);
    }
  }
  item.url = FirstRssLink(doc, node, feed->link);
  if (item.url.empty() && guid_node != nullptr && guid_is_permalink &&
      (absl::StartsWithIgnoreCase(guid, "http://") ||
       absl::StartsWithIgnoreCase(guid, "https://"))) {
    item.url = ResolveLink(doc, guid_node, guid, feed->link);
  }
  item.id = guid;
  if (content != nullptr) item.text = HtmlField(content);
  if (item.text.empty() && description != nullptr) item.text = HtmlField(description);
  FinishItem(std::move(item), pub_date.empty() ? dc_date : pub_date, feed);
}

absl::Status ParseRss(const xmlDoc* doc, const xmlNode* root, bool rdf, Feed* feed) {
  const xmlNode* channel = nullptr;
  for (const xmlNode* c : Children(root)) {
    Name n = NameOf(c);
    if (IsRssCore(n) && n.local == "channel") {
      channel = c;
      break;
    }
  }
  if (channel == nullptr) {
    // The root says RSS, so this is a feed, if an empty or broken one: read what is there.
    feed->warnings.push_back(absl::StrCat("<", reinterpret_cast<const char*>(root->name),
                                          "> without <channel> (recovered)"));
    channel = root;
  }
  for (const xmlNode* c : Children(channel)) {
    Name n = NameOf(c);
    if (IsRssCore(n) && n.local == "title") {
      feed->title = PlainField(c);
      break;
    }
  }
  feed->link = FirstRssLink(doc, channel, "");
  // RSS 2.0 puts items in the channel; RDF (and some broken 0.9x feeds) next to it.
  bool found = false;
  for (const xmlNode* parent : {channel, root}) {
    if (found && parent == root && !rdf) break;
    for (const xmlNode* c : Children(parent)) {
      Name n = NameOf(c);
      if (IsRssCore(n) && n.local == "item") {
        ParseRssItem(doc, c, feed);
        found = true;
      }
    }
  }
  return absl::OkStatus();
}

const xmlNode* AtomAlternateLink(const xmlNode* parent) {
  const xmlNode* best = nullptr;
  for (const xmlNode* c : Children(parent)) {
    Name n = NameOf(c);
    if ((n.ns != Ns::kAtom && n.ns != Ns::kNone) || n.local != "link") continue;
    std::string rel = Attr(c, "rel");
    if (!rel.empty() && rel != "alternate") continue;
    if (Attr(c, "href").empty()) continue;
    std::string type = absl::AsciiStrToLower(Attr(c, "type"));
    if (best == nullptr) best = c;
    if (type.empty() || type == "text/html" || type == "application/xhtml+xml") return c;
  }
  return best;
}

void ParseAtomEntry(const xmlDoc* doc, const xmlNode* entry, Feed* feed) {
  FeedItem item;
  std::string published, updated;
  const xmlNode* content = nullptr;
  const xmlNode* summary = nullptr;
  for (const xmlNode* c : Children(entry)) {
    Name n = NameOf(c);
    if (n.ns == Ns::kDc && n.local == "date" && published.empty()) {
      published = Trimmed(c);
      continue;
    }
    if (n.ns != Ns::kAtom && n.ns != Ns::kNone) continue;
    if (n.local == "id" && item.id.empty()) {
      item.id = Trimmed(c);
    } else if (n.local == "title" && item.title.empty()) {
      item.title = AtomText(c, /*one_line=*/true);
    } else if ((n.local == "published" || n.local == "issued" || n.local == "created") &&
               published.empty()) {
      published = Trimmed(c);
    } else if ((n.local == "updated" || n.local == "modified") && updated.empty()) {
      updated = Trimmed(c);
    } else if (n.local == "content" && content == nullptr) {
      content = c;
    } else if (n.local == "summary" && summary == nullptr) {
      summary = c;
    }
  }
  if (const xmlNode* link = AtomAlternateLink(entry)) {
    item.url = ResolveLink(doc, link, Attr(link, "href"), feed->link);
  }
  if (content != nullptr) item.text = AtomText(content, false);
  if (item.text.empty() && summary != nullptr) item.text = AtomText(summary, false);
  FinishItem(std::move(item), published.empty() ? updated : published, feed);
}

void ParseAtom(const xmlDoc* doc, const xmlNode* root, Feed* feed) {
  for (const xmlNode* c : Children(root)) {
    Name n = NameOf(c);
    if ((n.ns == Ns::kAtom || n.ns == Ns::kNone) && n.local == "title") {
      feed->title = AtomText(c, true);
      break;
    }
  }
  if (const xmlNode* link = AtomAlternateLink(root)) {
    feed->link = ResolveLink(doc, link, Attr(link, "href"), "");
  }
  for (const xmlNode* c : Children(root)) {
    Name n = NameOf(c);
    if ((n.ns == Ns::kAtom || n.ns == Ns::kNone) && n.local == "entry") {
      ParseAtomEntry(doc, c, feed);
    }
  }
}

}  // namespace

absl::StatusOr<Feed> ParseFeed(std::string_view input, std::string_view content_type_in,
                               size_t max_bytes) {
  absl::string_view bytes(input.data(), input.size());
  absl::string_view content_type(content_type_in.data(), content_type_in.size());
  if (bytes.size() > max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrFormat("feed of %d bytes exceeds the %d byte limit", bytes.size(), max_bytes));
  }
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    return absl::ResourceExhaustedError("feed larger than 2 GiB");
  }
  if (absl::StripAsciiWhitespace(bytes).empty()) {
    return absl::InvalidArgumentError("not a feed: empty document");
  }
  internal::EnsureLibxml();
  Feed feed;
  std::string utf8 = ToUtf8(bytes, content_type, &feed.warnings, &feed.encoding);
  size_t first = utf8.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && utf8[first] == '{') {
    if (absl::Status st = internal::ParseJsonFeed(utf8, &feed); !st.ok()) return st;
    return feed;
  }
  std::string text = Repairer(utf8).Run(&feed.warnings);
  if (!absl::StrContains(text, '<')) {
    return absl::InvalidArgumentError("not a feed: no XML markup");
  }
  std::vector<std::string> parse_warnings;
  DocPtr doc = ParseXml(text, &parse_warnings);
  const xmlNode* root = doc != nullptr ? xmlDocGetRootElement(doc.get()) : nullptr;
  if (root == nullptr) {
    std::string why = parse_warnings.empty() ? "" : absl::StrCat(" (", parse_warnings[0], ")");
    return absl::InvalidArgumentError(absl::StrCat("not a feed: not XML", why));
  }
  for (std::string& w : parse_warnings) feed.warnings.push_back(std::move(w));

  Name name = NameOf(root);
  absl::string_view href = root->ns != nullptr ? reinterpret_cast<const char*>(root->ns->href) : "";
  std::string local = absl::AsciiStrToLower(name.local);
  if (local == "rss" && (name.ns == Ns::kNone || name.ns == Ns::kRss)) {
    std::string version = Attr(root, "version");
    feed.format = absl::StartsWith(version, "0.9") ? "rss0.9x" : "rss2.0";
    if (absl::Status st = ParseRss(doc.get(), root, false, &feed); !st.ok()) return st;
  } else if (name.local == "RDF" && (name.ns == Ns::kRdf || name.ns == Ns::kNone)) {
    bool rss090 = false;
    for (const xmlNode* c : Children(root)) {
      if (c->ns != nullptr && reinterpret_cast<const char*>(c->ns->href) == kRss090) {
        rss090 = true;
      }
    }
    feed.format = rss090 ? "rss0.9x" : "rss1.0";
    if (absl::Status st = ParseRss(doc.get(), root, true, &feed); !st.ok()) return st;
  } else if (name.local == "feed" && (name.ns == Ns::kAtom || name.ns == Ns::kNone)) {
    bool v03 = href == kAtom03 || (href.empty() && Attr(root, "version") == "0.3");
    feed.format = v03 ? "atom0.3" : "atom1.0";
    ParseAtom(doc.get(), root, &feed);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("not a feed: root element <", reinterpret_cast<const char*>(root->name), ">",
                     href.empty() ? "" : absl::StrCat(" in namespace ", href)));
  }
  return feed;
}

}  // namespace ww::feeds
