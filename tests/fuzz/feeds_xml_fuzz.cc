// libFuzzer target: ParseFeed on arbitrary bytes (RSS, RDF, Atom; the encoding paths too).
// The content type, which takes part in the encoding decision, is picked from the input's
// length so that a crash reproduces from the input file alone.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "libs/feeds/feed.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static constexpr std::string_view kContentTypes[] = {
      "", "application/rss+xml", "text/xml; charset=windows-1251",
      "application/atom+xml; charset=utf-16", "text/xml; charset=shift_jis"};
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)ww::feeds::ParseFeed(bytes, kContentTypes[size % std::size(kContentTypes)]);
  return 0;
}
