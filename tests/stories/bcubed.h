#pragma once
// B-cubed precision and recall of a clustering against gold classes (Bagga and Baldwin
// 1998): for each item, the share of its cluster that is of its class (precision) and the
// share of its class that is in its cluster (recall), averaged over items.
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ww::stories::eval {

struct BCubed {
  double precision = 0;
  double recall = 0;
  double f1() const {
    return precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
  }
};

// gold[i] and got[i] are item i's class and cluster.
inline BCubed Score(const std::vector<std::string>& gold, const std::vector<std::string>& got) {
  std::map<std::string, int> in_class, in_cluster;
  std::map<std::pair<std::string, std::string>, int> both;
  for (size_t i = 0; i < gold.size(); ++i) {
    ++in_class[gold[i]];
    ++in_cluster[got[i]];
    ++both[{gold[i], got[i]}];
  }
  BCubed b;
  if (gold.empty()) return b;
  for (size_t i = 0; i < gold.size(); ++i) {
    const double common = both[{gold[i], got[i]}];
    b.precision += common / in_cluster[got[i]];
    b.recall += common / in_class[gold[i]];
  }
  b.precision /= static_cast<double>(gold.size());
  b.recall /= static_cast<double>(gold.size());
  return b;
}

}  // namespace ww::stories::eval
