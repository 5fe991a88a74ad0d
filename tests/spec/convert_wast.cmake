# Converts one .wast script to .json + .wasm files with wabt's wast2json.
# Any output on stderr counts as failure too: wast2json may print validation
# errors and still exit with status 0.
execute_process(
  COMMAND ${WAST2JSON} ${INPUT} -o ${OUTPUT}
  RESULT_VARIABLE rc
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT err STREQUAL "")
  file(REMOVE ${OUTPUT})
  message(FATAL_ERROR "wast2json failed on ${INPUT} (status ${rc}):\n${out}${err}")
endif()
