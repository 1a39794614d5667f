# SPDX-License-Identifier: Apache-2.0
# Verification of the assembler against independent references (owned by asmverify):
# - test_assembler_golden (label golden): every case of tests/data/golden.txt (GNU as bytes)
#   through x64_emit_form, x64_emit and the typed emitters; every form must have a case.
# - test_assembler_roundtrip (KILN_ROUNDTRIP, needs libzydis-dev): kiln's bytes for every golden
#   case decoded by Zydis give back the mnemonic and operands.
# - fuzz_x64_roundtrip: random valid instructions through the generic API, checked with Zydis.
# Included from assembler/CMakeLists.txt; CMAKE_CURRENT_SOURCE_DIR is assembler/.
set(_av ${CMAKE_CURRENT_SOURCE_DIR})

# The typed-emitter dispatch for test_golden.c, generated from the table and emit.h.
set(_av_typed ${CMAKE_CURRENT_BINARY_DIR}/golden_typed.c)
add_custom_command(OUTPUT ${_av_typed}
    COMMAND ${Python3_EXECUTABLE} ${_av}/tools/gen_golden_typed.py --table ${_av}/tables/x64.isa
            --emit-h ${_av}/include/x64/gen/emit.h --out ${_av_typed}
    DEPENDS ${_av}/tools/gen_golden_typed.py ${_av}/tools/golden_cases.py
            ${_av}/tools/gen_tables.py ${_av}/tables/x64.isa ${_av}/include/x64/gen/emit.h
            ${_av}/include/x64/gen/emit_cur.h
    COMMENT "Generating the typed-emitter dispatch for test_assembler_golden"
    VERBATIM)

if(KILN_BUILD_TESTS)
    kiln_add_criterion_test(test_assembler_golden
        SOURCES ${_av}/tests/test_golden.c ${_av}/tests/golden_cases.c ${_av_typed}
        LIBS assembler LABELS golden)
    target_include_directories(test_assembler_golden PRIVATE ${_av}/tests)
endif()

# --- Zydis (test-only dependency) ---
set(_av_zydis OFF)
if(NOT KILN_ROUNDTRIP STREQUAL "OFF")
    find_path(KILN_ZYDIS_INCLUDE Zydis/Zydis.h)
    find_library(KILN_ZYDIS_LIB Zydis)
    if(KILN_ZYDIS_INCLUDE AND KILN_ZYDIS_LIB)
        set(_av_zydis ON)
    elseif(KILN_ROUNDTRIP STREQUAL "ON")
        message(FATAL_ERROR "KILN_ROUNDTRIP=ON needs libzydis-dev (Zydis/Zydis.h, libZydis)")
    else()
        message(STATUS "kiln: libzydis not found, assembler round-trip test and fuzzer skipped")
    endif()
endif()

if(_av_zydis)
    if(KILN_BUILD_TESTS AND EXISTS ${_av}/tests/test_roundtrip.c)
        kiln_add_criterion_test(test_assembler_roundtrip
            SOURCES ${_av}/tests/test_roundtrip.c ${_av}/tests/golden_cases.c
                    ${_av}/tests/zydis_check.c
            LIBS assembler ${KILN_ZYDIS_LIB} LABELS golden)
        target_include_directories(test_assembler_roundtrip PRIVATE ${_av}/tests)
        target_include_directories(test_assembler_roundtrip SYSTEM PRIVATE ${KILN_ZYDIS_INCLUDE})
    endif()
    if(EXISTS ${_av}/fuzz/fuzz_x64_roundtrip.c)
        kiln_add_fuzzer(fuzz_x64_roundtrip
            SOURCES ${_av}/fuzz/fuzz_x64_roundtrip.c ${_av}/tests/zydis_check.c
            LIBS assembler ${KILN_ZYDIS_LIB})
        target_include_directories(fuzz_x64_roundtrip PRIVATE ${_av}/tests)
        target_include_directories(fuzz_x64_roundtrip SYSTEM PRIVATE ${KILN_ZYDIS_INCLUDE})
    endif()
endif()
