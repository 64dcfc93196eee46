// libFuzzer target: FeedUrlsFromOpml on arbitrary bytes (wwctl feeds import-opml).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "libs/feeds/opml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)ww::feeds::FeedUrlsFromOpml(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
