# Helpers that keep each module's CMakeLists short and explicit, after abseil's
# absl_cc_library / absl_cc_test: every target lists its headers, sources and deps.

# Designated initializers that set only some fields are the norm for Options structs.
set(AURA_WARNINGS -Wall -Wextra -Wpedantic -Werror -Wno-missing-field-initializers)

# aura_cc_library(NAME name [INTERFACE] HDRS ... SRCS ... DEPS ... PRIVATE_DEPS ...)
# Defines aura_<name> with the alias aura::<name>.
function(aura_cc_library)
  cmake_parse_arguments(A "INTERFACE" "NAME" "HDRS;SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  set(target aura_${A_NAME})
  if(A_INTERFACE OR NOT A_SRCS)
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(${target} INTERFACE ${A_DEPS})
  else()
    add_library(${target} STATIC ${A_SRCS} ${A_HDRS})
    target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(${target} PUBLIC ${A_DEPS} PRIVATE ${A_PRIVATE_DEPS})
    target_compile_options(${target} PRIVATE ${AURA_WARNINGS})
  endif()
  add_library(aura::${A_NAME} ALIAS ${target})
endfunction()

# aura_cc_test(NAME name SRCS ... DEPS ... [LABEL unit|integration|e2e] [TIMEOUT s])
# One gtest binary per call, registered with ctest under the given label.
function(aura_cc_test)
  if(NOT AURA_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(A "" "NAME;LABEL;TIMEOUT" "SRCS;DEPS" ${ARGN})
  if(NOT A_LABEL)
    set(A_LABEL unit)
  endif()
  if(NOT A_TIMEOUT)
    set(A_TIMEOUT 120)
  endif()
  add_executable(${A_NAME} ${A_SRCS})
  target_link_libraries(${A_NAME} PRIVATE ${A_DEPS} GTest::gmock GTest::gtest_main)
  target_compile_options(${A_NAME} PRIVATE ${AURA_WARNINGS})
  gtest_discover_tests(${A_NAME}
    DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS ${A_LABEL} TIMEOUT ${A_TIMEOUT})
endfunction()

# aura_cc_benchmark(NAME name SRCS ... DEPS ...): a Google Benchmark binary, built
# only with AURA_BUILD_BENCHMARKS.
function(aura_cc_benchmark)
  if(NOT AURA_BUILD_BENCHMARKS)
    return()
  endif()
  cmake_parse_arguments(A "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${A_NAME} ${A_SRCS})
  target_link_libraries(${A_NAME} PRIVATE ${A_DEPS} benchmark::benchmark benchmark::benchmark_main)
  target_compile_options(${A_NAME} PRIVATE ${AURA_WARNINGS})
endfunction()
