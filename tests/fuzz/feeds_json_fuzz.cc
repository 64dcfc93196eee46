// libFuzzer target: ParseFeed on JSON Feed documents (the input is detected as JSON when it
// is an object; the corpus is JSON Feeds, so mutations stay mostly on that path).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "libs/feeds/feed.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)ww::feeds::ParseFeed(bytes, "application/feed+json");
  return 0;
}
