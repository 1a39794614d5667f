# SPDX-License-Identifier: Apache-2.0
# lint.tables_fresh: regenerates the x64 tables into OUT and fails if any committed file differs.
file(REMOVE_RECURSE ${OUT})
execute_process(COMMAND ${PYTHON} ${SRC}/tools/gen_tables.py --out ${OUT}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gen_tables.py failed")
endif()
foreach(f include/x64/gen/emit.h include/x64/gen/emit_cur.h include/x64/gen/mnemonics.h
          src/gen/forms.inc)
    execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${SRC}/${f} ${OUT}/${f}
                    RESULT_VARIABLE diff)
    if(NOT diff EQUAL 0)
        message(FATAL_ERROR "${f} is stale: run `cmake --build <dir> --target regen-x64-tables`")
    endif()
endforeach()
message(STATUS "x64 tables are fresh")
