// libFuzzer target: HtmlToText on arbitrary bytes (feed descriptions and content).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "libs/feeds/html_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)ww::feeds::HtmlToText(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
