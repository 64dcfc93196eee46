# ww_library(NAME SOURCES ... [DEPS ...] [PRIVATE_DEPS ...])
#   One library per concern: target ww_<NAME>, alias ww::<NAME>. Headers are included as
#   "libs/<name>/x.h" from the repository root.
function(ww_library name)
  cmake_parse_arguments(A "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(ww_${name} STATIC ${A_SOURCES})
  add_library(ww::${name} ALIAS ww_${name})
  target_include_directories(ww_${name} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
  target_link_libraries(ww_${name} PUBLIC ${A_DEPS} PRIVATE ${A_PRIVATE_DEPS})
endfunction()

# ww_test(NAME LABEL unit|kafka|e2e SOURCES ... [DEPS ...])
#   One GoogleTest binary registered with ctest under its tier's label, so that
#   `ctest -L unit` runs the hermetic tier alone. kafka and e2e tests need the broker
#   fixture (tests/CMakeLists.txt) and get WW_TEST_BOOTSTRAP in their environment. A binary
#   whose tests all skipped exits 77 (tests/support/gtest_main.cc): ctest shows "Skipped".
function(ww_test name)
  if(NOT TARGET ww_gtest_main)
    add_library(ww_gtest_main STATIC ${PROJECT_SOURCE_DIR}/tests/support/gtest_main.cc)
    target_link_libraries(ww_gtest_main PUBLIC GTest::gtest)
  endif()
  cmake_parse_arguments(A "" "LABEL;TIMEOUT" "SOURCES;DEPS" ${ARGN})
  if(NOT A_LABEL)
    set(A_LABEL unit)
  endif()
  if(NOT A_TIMEOUT)
    set(A_TIMEOUT 120)
  endif()
  add_executable(${name} ${A_SOURCES})
  target_link_libraries(${name} PRIVATE ${A_DEPS} GTest::gmock ww_gtest_main)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS ${A_LABEL} TIMEOUT ${A_TIMEOUT}
    SKIP_RETURN_CODE 77 ENVIRONMENT "WW_SOURCE_DIR=${PROJECT_SOURCE_DIR};WW_BIN_DIR=${CMAKE_BINARY_DIR}/bin")
  if(A_LABEL STREQUAL "chaos")
    # A broker of its own, which it kills: not the shared fixture. Alone on the machine.
    set_tests_properties(${name} PROPERTIES RESOURCE_LOCK kafka_broker_load)
    set_property(TEST ${name} APPEND PROPERTY ENVIRONMENT "WW_CHAOS_KAFKA_PORT=${WW_CHAOS_KAFKA_PORT}")
  elseif(NOT A_LABEL STREQUAL "unit")
    set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED kafka_broker RESOURCE_LOCK kafka_broker_load)
    set_property(TEST ${name} APPEND PROPERTY ENVIRONMENT "WW_TEST_BOOTSTRAP=127.0.0.1:${WW_TEST_KAFKA_PORT}")
  endif()
endfunction()
