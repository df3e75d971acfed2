# Sets ZXVM_PAGER_HOOKS_WIRED: whether the lookup/read/write/destroy paths of vm_object_paged.c,
# vm_cow_pages.c and vm_mapping_fault.c call the pager hooks of src/vm/vm_pager.h
# (vm_cow_pages_pager_prepare_write_locked, _page_writable_locked, _destroy_locked). The tests of
# pager-backed VMOs (VM level and zx level) are built always but run only once they are.
# TODO(#4): drop this check once the hooks are wired in.
if(NOT DEFINED ZXVM_PAGER_HOOKS_WIRED)
  set(ZXVM_PAGER_HOOKS_WIRED ON)
  foreach(pair "vm_cow_pages.c:vm_cow_pages_pager_destroy_locked"
               "vm_object_paged.c:vm_cow_pages_pager_prepare_write_locked"
               "vm_object_paged.c:vm_cow_pages_pager_page_writable_locked"
               "vm_mapping_fault.c:vm_cow_pages_pager_page_writable_locked")
    string(REPLACE ":" ";" parts "${pair}")
    list(GET parts 0 file)
    list(GET parts 1 hook)
    set(path ${CMAKE_SOURCE_DIR}/src/vm/${file})
    set_property(DIRECTORY ${CMAKE_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${path})
    file(READ ${path} text)
    string(FIND "${text}" "${hook}" found)
    if(found EQUAL -1)
      set(ZXVM_PAGER_HOOKS_WIRED OFF)
      message(STATUS "pager VMO tests not run: src/vm/${file} does not call ${hook} yet")
    endif()
  endforeach()
endif()

# Whether vm_object_paged_set_size tells the page source about a shrink
# (vm_cow_pages_pager_shrink_locked): the test of that is skipped until it does.
file(READ ${CMAKE_SOURCE_DIR}/src/vm/vm_object_paged.c paged_text)
string(FIND "${paged_text}" "vm_cow_pages_pager_shrink_locked" shrink_found)
if(shrink_found EQUAL -1)
  set(ZXVM_PAGER_SHRINK_WIRED 0)
else()
  set(ZXVM_PAGER_SHRINK_WIRED 1)
endif()

# zxvm_pager_test(NAME n SOURCE s LIBS l): built always, registered (label concurrency: they use
# threads) only when the hooks are wired.
function(zxvm_pager_test)
  cmake_parse_arguments(T "" "NAME;SOURCE" "LIBS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCE})
  target_include_directories(${T_NAME} PRIVATE ${CMAKE_SOURCE_DIR}/tests)
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} PkgConfig::CMOCKA)
  target_compile_definitions(${T_NAME} PRIVATE _GNU_SOURCE
                                                ZXVM_PAGER_SHRINK_WIRED=${ZXVM_PAGER_SHRINK_WIRED})
  if(ZXVM_PAGER_HOOKS_WIRED)
    add_test(NAME ${T_NAME} COMMAND ${T_NAME})
    set_tests_properties(${T_NAME} PROPERTIES TIMEOUT 600 LABELS concurrency)
  endif()
endfunction()
