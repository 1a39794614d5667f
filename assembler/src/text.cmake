# SPDX-License-Identifier: Apache-2.0
# Intel-syntax text out (src/format.c) and in (src/parse.c), and their tests. Included from
# assembler/CMakeLists.txt once the `assembler` library exists.
get_target_property(_x64_text_srcs assembler SOURCES)
foreach(_src src/format.c src/parse.c)
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${_src} AND NOT _src IN_LIST _x64_text_srcs)
        target_sources(assembler PRIVATE ${_src})
    endif()
endforeach()

if(KILN_BUILD_TESTS)
    foreach(_t format parse)
        if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/tests/test_${_t}.c)
            kiln_add_criterion_test(test_assembler_${_t}
                SOURCES tests/test_${_t}.c LIBS assembler LABELS unit)
        endif()
    endforeach()

    # The held-out check (label golden): real-world instructions from objdump through
    # x64_asm_text(), decoded back with Zydis (test-only dependency, as the round-trip test).
    if(NOT KILN_ROUNDTRIP STREQUAL "OFF")
        find_path(KILN_ZYDIS_INCLUDE_DIR Zydis/Zydis.h)
        find_library(KILN_ZYDIS_LIBRARY Zydis)
        if(KILN_ZYDIS_INCLUDE_DIR AND KILN_ZYDIS_LIBRARY)
            kiln_add_criterion_test(test_assembler_heldout
                SOURCES tests/test_heldout.c LIBS assembler ${KILN_ZYDIS_LIBRARY} LABELS golden)
            if(TARGET test_assembler_heldout)
                target_include_directories(test_assembler_heldout PRIVATE
                                           ${KILN_ZYDIS_INCLUDE_DIR})
            endif()
        elseif(KILN_ROUNDTRIP STREQUAL "ON")
            message(FATAL_ERROR "KILN_ROUNDTRIP=ON needs libzydis-dev (Zydis/Zydis.h, libZydis)")
        endif()
    endif()

    # `kiln asm` end to end: one line in, its bytes out.
    add_test(NAME cli.asm
             COMMAND sh -c "printf 'add rax,rbx\\nbogus\\n' | \"$1\" asm; echo exit=$?"
                     sh $<TARGET_FILE:kiln>)
    # The regex replaces the exit-code check, so the exit status is part of the output.
    set_tests_properties(cli.asm PROPERTIES LABELS unit PASS_REGULAR_EXPRESSION
                         "^48 01 d8\nerror: unknown mnemonic 'bogus'\nexit=1\n$")
endif()
