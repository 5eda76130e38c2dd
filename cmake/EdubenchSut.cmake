# edubench_add_sut(NAME SOURCES ...): builds a SUT plugin as a MODULE library named
# edubench_sut_<NAME>.so with hidden visibility, exporting exactly edu_sut_entry (linker
# version script), refusing undefined symbols at link time (-z defs) and finding its own
# dependencies next to itself ($ORIGIN). Shipped with the SDK for student teams too.
set(EDUBENCH_SUT_VERSION_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/sut_exports.map)

function(edubench_add_sut name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  add_library(${name} MODULE ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    OUTPUT_NAME "edubench_sut_${name}"
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    BUILD_RPATH "$ORIGIN"
    INSTALL_RPATH "$ORIGIN")
  target_link_libraries(${name} PRIVATE edubench::sut_api ${ARG_LIBRARIES})
  if(TARGET edubench_warnings)
    target_link_libraries(${name} PRIVATE edubench_warnings)
  endif()
  target_link_options(${name} PRIVATE "LINKER:--version-script=${EDUBENCH_SUT_VERSION_SCRIPT}")
  # clang's sanitizer runtimes live in the executable, not in the plugin: in such a build the
  # plugin's __asan_*/__ubsan_* references are left for the loader (docs/sanitizers.md).
  if(NOT (EDUBENCH_SANITIZE AND CMAKE_C_COMPILER_ID STREQUAL "Clang"))
    target_link_options(${name} PRIVATE "LINKER:-z,defs")
  endif()
  set_property(TARGET ${name} APPEND PROPERTY LINK_DEPENDS ${EDUBENCH_SUT_VERSION_SCRIPT})
endfunction()
