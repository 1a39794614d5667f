# SPDX-License-Identifier: Apache-2.0
# Helpers that every folder uses to declare its tests, so names and labels stay uniform.

# kiln_add_criterion_test(test_<folder>_<unit> SOURCES a.c ... LIBS lib ... [LABELS unit ...])
# One Criterion executable is one ctest; Criterion runs each Test() in its own process.
function(kiln_add_criterion_test name)
    if(NOT KILN_BUILD_TESTS)
        return()
    endif()
    cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS" ${ARGN})
    add_executable(${name} ${T_SOURCES})
    target_link_libraries(${name} PRIVATE ${T_LIBS} PkgConfig::CRITERION kiln_warnings)
    target_compile_definitions(${name} PRIVATE
        KILN_SOURCE_DIR="${PROJECT_SOURCE_DIR}" KILN_BINARY_DIR="${PROJECT_BINARY_DIR}")
    if(NOT T_LABELS)
        set(T_LABELS unit)
    endif()
    add_test(NAME ${name} COMMAND ${name} --jobs 2 -q)
    set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}" TIMEOUT 600)
endfunction()

# kiln_add_fuzzer(fuzz_<name> SOURCES ... LIBS ...)
# With KILN_FUZZ: a libFuzzer binary. Otherwise: the same entry point linked with a replay
# driver (fuzz/replay_main.c) that ctest runs over fuzz/corpus/<name>/ (label fuzz-smoke).
function(kiln_add_fuzzer name)
    cmake_parse_arguments(F "" "" "SOURCES;LIBS" ${ARGN})
    string(REGEX REPLACE "^fuzz_" "" short ${name})
    if(KILN_FUZZ)
        add_executable(${name} ${F_SOURCES})
        target_link_libraries(${name} PRIVATE ${F_LIBS} kiln_warnings)
        target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    else()
        add_executable(${name} ${F_SOURCES} ${PROJECT_SOURCE_DIR}/fuzz/replay_main.c)
        target_link_libraries(${name} PRIVATE ${F_LIBS} kiln_warnings)
    endif()
    if(KILN_BUILD_TESTS)
        add_test(NAME ${name}.replay
                 COMMAND ${name} ${PROJECT_SOURCE_DIR}/fuzz/corpus/${short})
        set_tests_properties(${name}.replay PROPERTIES LABELS fuzz-smoke TIMEOUT 600)
    endif()
endfunction()
