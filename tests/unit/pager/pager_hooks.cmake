# zxvm_pager_test(NAME n SOURCE s LIBS l): a test of pager-backed VMOs (VM level or zx level),
# labelled concurrency because every one of them runs pager threads (so `make tsan` runs them too).
function(zxvm_pager_test)
  cmake_parse_arguments(T "" "NAME;SOURCE" "LIBS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCE})
  target_include_directories(${T_NAME} PRIVATE ${CMAKE_SOURCE_DIR}/tests)
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} PkgConfig::CMOCKA)
  target_compile_definitions(${T_NAME} PRIVATE _GNU_SOURCE)
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  set_tests_properties(${T_NAME} PROPERTIES TIMEOUT 600 LABELS concurrency)
endfunction()
