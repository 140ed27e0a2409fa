# SPDX-License-Identifier: Apache-2.0
# Writes OUT with the completion script `EXE completions SHELL` prints (run at build time, so
# the installed scripts describe exactly the binary they are installed with).
execute_process(COMMAND "${EXE}" completions "${SHELL_NAME}" OUTPUT_FILE "${OUT}.tmp"
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE "${OUT}.tmp")
  message(FATAL_ERROR "${EXE} completions ${SHELL_NAME} failed (${rc})")
endif()
file(RENAME "${OUT}.tmp" "${OUT}")
