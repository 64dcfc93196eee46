// main() of every test binary (ww_test): GoogleTest's, plus one rule for ctest. A binary
// whose tests were all skipped (the shared data or the broker is absent) exits with 77, which
// ww_test declares as SKIP_RETURN_CODE, so ctest reports it as skipped rather than passed. A
// failure anywhere, or one test that ran, keeps the ordinary exit code.
#include "gtest/gtest.h"

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  const int rc = RUN_ALL_TESTS();
  const testing::UnitTest& u = *testing::UnitTest::GetInstance();
  if (rc == 0 && u.test_to_run_count() > 0 && u.skipped_test_count() == u.test_to_run_count()) {
    return 77;
  }
  return rc;
}
