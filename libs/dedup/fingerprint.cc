#include "libs/dedup/fingerprint.h"

#include "libs/runtime/ids.h"
#include "libs/text/normalize.h"

namespace ww::dedup {

std::string ContentHash(std::string_view text) {
  std::string folded = text::Normalize(text).text;
  // Normalize folds whitespace runs; trim the ends too so a trailing newline is no change.
  size_t b = folded.find_first_not_of(' ');
  if (b == std::string::npos) return "";
  size_t e = folded.find_last_not_of(' ');
  return runtime::StableHashHex(std::string_view(folded).substr(b, e - b + 1));
}

}  // namespace ww::dedup
