// VMAR calls and processes, black box: allocate, map, unmap, protect, op_range, destroy, rights
// through duplicate, zx_process_create, read/write_memory, and end-to-end accesses through
// zxvm_user_read/write/fetch. Ported in spirit from Fuchsia's core vmar tests; each test runs in
// a fresh process so placements are reproducible (ASLR is off in this binary).
#include "zx_test_util.h"

static void vmar_root_layout_and_rights(void** state) {
  struct proc p = proc_new();
  if (zx_test_expected_root_base() != 0) {
    assert_int_equal(zx_test_expected_root_base(), p.base);
  } else {
    assert_int_equal(0, p.base % PAGE);  // a host reservation: anywhere, page aligned
    assert_true(p.base != 0 && p.size != 0);
  }
  assert_int_equal(ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_EXECUTE,
                   handle_rights(p.vmar));
  assert_status(ZX_ERR_NOT_SUPPORTED, zx_vmar_destroy(p.vmar));
  // VMARs cannot be waited on.
  zx_signals_t s;
  assert_status(ZX_ERR_ACCESS_DENIED, zx_object_wait_one(p.vmar, 1, 0, &s));
  proc_free(&p);
}

static void vmar_allocate_rules(void** state) {
  struct proc p = proc_new();
  zx_handle_t c;
  zx_vaddr_t a;
  const zx_vm_option_t rw = ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE;
  assert_ok(zx_vmar_allocate(p.vmar, rw, 0, 16 * PAGE, &c, &a));
  assert_int_equal(ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ | ZX_RIGHT_WRITE, handle_rights(c));
  zx_handle_t g;
  zx_vaddr_t ga;
  // Escalation: EXECUTE not allowed in |c| (no right, no CAN_MAP flag).
  assert_status(ZX_ERR_ACCESS_DENIED, zx_vmar_allocate(c, ZX_VM_CAN_MAP_EXECUTE, 0, PAGE, &g, &ga));
  // SPECIFIC needs CAN_MAP_SPECIFIC in the parent.
  assert_status(ZX_ERR_ACCESS_DENIED, zx_vmar_allocate(c, ZX_VM_SPECIFIC, 0, PAGE, &g, &ga));
  // Argument errors.
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmar_allocate(c, 0, PAGE, PAGE, &g, &ga));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmar_allocate(c, 0, 0, 0, &g, &ga));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmar_allocate(c, 0, 0, PAGE + 1, &g, &ga));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmar_allocate(c, ZX_VM_PERM_READ, 0, PAGE, &g, &ga));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmar_allocate(c, 1u << 31, 0, PAGE, &g, &ga));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmar_allocate(c, 5u << ZX_VM_ALIGN_BASE, 0, PAGE, &g, &ga));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmar_allocate(c, 0, 0, 17 * PAGE, &g, &ga));
  assert_status(ZX_ERR_NO_RESOURCES, zx_vmar_allocate(c, ZX_VM_ALIGN_4GB, 0, PAGE, &g, &ga));
  // Specific placement and overlap.
  assert_ok(zx_vmar_allocate(p.vmar, ZX_VM_SPECIFIC, a - p.base + 16 * PAGE, PAGE, &g, &ga));
  assert_int_equal(a + 16 * PAGE, ga);
  zx_handle_t h;
  assert_status(ZX_ERR_ALREADY_EXISTS,
                zx_vmar_allocate(p.vmar, ZX_VM_SPECIFIC, a - p.base, PAGE, &h, &ga));
  // Reduced rights through duplicate.
  zx_handle_t ro = dup_with(p.vmar, ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ);
  assert_status(ZX_ERR_ACCESS_DENIED, zx_vmar_allocate(ro, rw, 0, PAGE, &h, &ga));
  // Destroy: handles stay valid but dead.
  zx_handle_t nochild = dup_with(c, ZX_RIGHT_READ);
  assert_status(ZX_ERR_ACCESS_DENIED, zx_vmar_destroy(nochild));
  assert_ok(zx_vmar_destroy(c));
  assert_status(ZX_ERR_BAD_STATE, zx_vmar_destroy(c));
  assert_status(ZX_ERR_BAD_STATE, zx_vmar_allocate(c, 0, 0, PAGE, &h, &ga));
  assert_status(ZX_ERR_BAD_STATE, zx_vmar_unmap(c, a, PAGE));
  assert_ok(zx_object_get_info(c, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL));
  zx_handle_t list[] = {c, g, ro, nochild};
  assert_ok(zx_handle_close_many(list, 4));
  proc_free(&p);
}

static void vmar_map_rights_order(void** state) {
  struct proc p = proc_new();
  zx_handle_t vmo = make_vmo(4 * PAGE, 0);
  zx_vaddr_t a;
  zx_handle_t nomap = dup_with(vmo, ZX_RIGHT_READ | ZX_RIGHT_WRITE);
  // Missing MAP comes first, even before WRITE-without-READ.
  assert_status(ZX_ERR_ACCESS_DENIED, zx_vmar_map(p.vmar, ZX_VM_PERM_WRITE, 0, nomap, 0, PAGE, &a));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmar_map(p.vmar, ZX_VM_PERM_WRITE, 0, vmo, 0, PAGE, &a));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmar_map(p.vmar, ZX_VM_PERM_EXECUTE, 0, vmo, 0, PAGE, &a));
  zx_handle_t ro = dup_with(vmo, ZX_RIGHT_READ | ZX_RIGHT_MAP);
  assert_status(ZX_ERR_ACCESS_DENIED,
                zx_vmar_map(p.vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, ro, 0, PAGE, &a));
  assert_status(ZX_ERR_ACCESS_DENIED,
                zx_vmar_map(p.vmar, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, 0, vmo, 0, PAGE, &a));
  assert_status(ZX_ERR_INVALID_ARGS,
                zx_vmar_map(p.vmar, ZX_VM_PERM_READ | ZX_VM_CAN_MAP_READ, 0, vmo, 0, PAGE, &a));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmar_map(p.vmar, ZX_VM_PERM_READ, PAGE, vmo, 0, PAGE, &a));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmar_map(p.vmar, ZX_VM_PERM_READ, 0, vmo, 1, PAGE, &a));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmar_map(p.vmar, ZX_VM_PERM_READ, 0, vmo, 0, 0, &a));
  assert_status(ZX_ERR_OUT_OF_RANGE, zx_vmar_map(p.vmar, ZX_VM_PERM_READ, 0, vmo, 0, SIZE_MAX, &a));
  assert_status(ZX_ERR_INVALID_ARGS,
                zx_vmar_map(p.vmar, ZX_VM_PERM_READ | ZX_VM_SPECIFIC_OVERWRITE | ZX_VM_MAP_RANGE, 0,
                            vmo, 0, PAGE, &a));
  assert_status(
      ZX_ERR_INVALID_ARGS,
      zx_vmar_map(p.vmar, ZX_VM_PERM_READ | ZX_VM_FAULT_BEYOND_STREAM_SIZE, 0, vmo, 0, PAGE, &a));
  // Zero permissions is a legal mapping; an unaligned len rounds up; vmo_offset may lie past the
  // end of the VMO.
  assert_ok(zx_vmar_map(p.vmar, 0, 0, vmo, 0, PAGE, &a));
  assert_ok(zx_vmar_map(p.vmar, ZX_VM_PERM_READ, 0, vmo, 0, PAGE + 1, &a));
  assert_ok(zx_vmar_unmap(p.vmar, a, PAGE + 1));
  assert_ok(zx_vmar_map(p.vmar, ZX_VM_PERM_READ, 0, vmo, UINT64_MAX - 2 * PAGE + 1, PAGE, &a));
  char c;
  assert_status(ZX_ERR_OUT_OF_RANGE, zxvm_user_read(p.process, a, &c, 1));
  zx_handle_t rz = make_vmo(PAGE, ZX_VMO_RESIZABLE);
  assert_status(
      ZX_ERR_NOT_SUPPORTED,
      zx_vmar_map(p.vmar, ZX_VM_PERM_READ | ZX_VM_REQUIRE_NON_RESIZABLE, 0, rz, 0, PAGE, &a));
  zx_handle_t list[] = {vmo, nomap, ro, rz};
  assert_ok(zx_handle_close_many(list, 4));
  proc_free(&p);
}

static void vmar_map_user_access_end_to_end(void** state) {
  struct proc p = proc_new();
  zx_handle_t vmo = make_vmo(4 * PAGE, 0);
  zx_vaddr_t a;
  assert_ok(zx_vmar_map(p.vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_MAP_RANGE, 0, vmo, 0,
                        4 * PAGE, &a));
  assert_true(a >= p.base && a % PAGE == 0);
  assert_ok(zxvm_user_write(p.process, a + PAGE - 2, "span", 4));
  char buf[4];
  assert_ok(zx_vmo_read(vmo, buf, PAGE - 2, 4));
  assert_memory_equal(buf, "span", 4);
  assert_ok(zx_vmo_write(vmo, "vmo!", 3 * PAGE, 4));
  assert_ok(zxvm_user_read(p.process, a + 3 * PAGE, buf, 4));
  assert_memory_equal(buf, "vmo!", 4);
  // Execute is not allowed; read-only after protect; no access at all after protect(0).
  assert_status(ZX_ERR_ACCESS_DENIED, zxvm_user_fetch(p.process, a));
  assert_ok(zx_vmar_protect(p.vmar, ZX_VM_PERM_READ, a, PAGE));
  assert_status(ZX_ERR_ACCESS_DENIED, zxvm_user_write(p.process, a, "x", 1));
  assert_ok(zxvm_user_write(p.process, a + PAGE, "x", 1));
  assert_ok(zx_vmar_protect(p.vmar, 0, a, PAGE));
  assert_status(ZX_ERR_ACCESS_DENIED, zxvm_user_read(p.process, a, buf, 1));
  // The VMO handle's rights at map time bound later protects.
  assert_status(ZX_ERR_ACCESS_DENIED,
                zx_vmar_protect(p.vmar, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, a, PAGE));
  // Decommit through the VMO: the mapping reads zeros.
  assert_ok(zx_vmo_op_range(vmo, ZX_VMO_OP_DECOMMIT, 3 * PAGE, PAGE, NULL, 0));
  assert_ok(zxvm_user_read(p.process, a + 3 * PAGE, buf, 4));
  assert_memory_equal(buf, "\0\0\0\0", 4);
  // Unmap the middle: a hole faults NOT_FOUND.
  assert_ok(zx_vmar_unmap(p.vmar, a + PAGE, PAGE));
  assert_status(ZX_ERR_NOT_FOUND, zxvm_user_read(p.process, a + PAGE, buf, 1));
  assert_ok(zxvm_user_read(p.process, a + 2 * PAGE, buf, 1));
  // Shrinking the VMO under the mapping: OUT_OF_RANGE beyond the end.
  assert_ok(zx_vmar_unmap(p.vmar, a, 4 * PAGE));
  zx_handle_t rz = make_vmo(2 * PAGE, ZX_VMO_RESIZABLE);
  assert_ok(zx_vmar_map(p.vmar, ZX_VM_PERM_READ, 0, rz, 0, 2 * PAGE, &a));
  assert_ok(zx_vmo_set_size(rz, PAGE));
  assert_status(ZX_ERR_OUT_OF_RANGE, zxvm_user_read(p.process, a + PAGE, buf, 1));
  zx_handle_t list[] = {vmo, rz};
  assert_ok(zx_handle_close_many(list, 2));
  proc_free(&p);
}

static void vmar_unmap_protect_errors(void** state) {
  struct proc p = proc_new();
  zx_handle_t vmo = make_vmo(4 * PAGE, 0);
  zx_vaddr_t a;
  assert_ok(zx_vmar_map(p.vmar, ZX_VM_PERM_READ, 0, vmo, 0, 2 * PAGE, &a));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmar_unmap(p.vmar, a + 1, PAGE));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmar_unmap(p.vmar, a, 0));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmar_protect(p.vmar, ZX_VM_PERM_READ, a + 1, PAGE));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmar_protect(p.vmar, ZX_VM_PERM_READ, a, 0));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmar_protect(p.vmar, ZX_VM_PERM_WRITE, a, PAGE));
  assert_status(ZX_ERR_INVALID_ARGS,
                zx_vmar_protect(p.vmar, ZX_VM_PERM_READ | ZX_VM_CAN_MAP_READ, a, PAGE));
  assert_status(ZX_ERR_NOT_FOUND, zx_vmar_protect(p.vmar, ZX_VM_PERM_READ, a, 3 * PAGE));
  // Unaligned len rounds up.
  assert_ok(zx_vmar_protect(p.vmar, ZX_VM_PERM_READ, a, PAGE + 1));
  zx_handle_t ro = dup_with(p.vmar, ZX_RIGHT_READ);
  assert_status(ZX_ERR_ACCESS_DENIED,
                zx_vmar_protect(ro, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, a, PAGE));
  // A VMAR without OP_CHILDREN cannot unmap a sub-VMAR.
  zx_handle_t c;
  zx_vaddr_t ca;
  assert_ok(zx_vmar_allocate(p.vmar, ZX_VM_CAN_MAP_READ, 0, 4 * PAGE, &c, &ca));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmar_unmap(ro, ca, 4 * PAGE));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmar_unmap(p.vmar, ca, 2 * PAGE));
  assert_ok(zx_vmar_unmap(p.vmar, ca, 4 * PAGE));
  assert_status(ZX_ERR_BAD_STATE, zx_vmar_map(c, ZX_VM_PERM_READ, 0, vmo, 0, PAGE, &a));
  zx_handle_t list[] = {vmo, ro, c};
  assert_ok(zx_handle_close_many(list, 3));
  proc_free(&p);
}

static void vmar_op_range_ops(void** state) {
  struct proc p = proc_new();
  zx_handle_t vmo = make_vmo(4 * PAGE, 0);
  zx_vaddr_t a;
  assert_ok(zx_vmar_map(p.vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, 4 * PAGE, &a));
  assert_ok(zx_vmar_op_range(p.vmar, ZX_VMAR_OP_COMMIT, a, 2 * PAGE, NULL, 0));
  zx_info_vmo_t info;
  assert_ok(zx_object_get_info(vmo, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL));
  assert_int_equal(2 * PAGE, info.committed_bytes);
  assert_ok(zx_vmar_op_range(p.vmar, ZX_VMO_OP_DECOMMIT, a, 2 * PAGE, NULL, 0));
  assert_ok(zx_object_get_info(vmo, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL));
  assert_int_equal(0, info.committed_bytes);
  assert_ok(zx_vmar_op_range(p.vmar, ZX_VMAR_OP_MAP_RANGE, a, PAGE, NULL, 0));
  assert_ok(zx_vmar_op_range(p.vmar, ZX_VMAR_OP_DONT_NEED, a, PAGE, NULL, 0));
  assert_ok(zx_vmar_op_range(p.vmar, ZX_VMAR_OP_ALWAYS_NEED, a, PAGE, NULL, 0));
  assert_ok(zx_vmar_op_range(p.vmar, ZX_VMAR_OP_PREFETCH, a, PAGE, NULL, 0));
  char b[1];
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmar_op_range(p.vmar, ZX_VMAR_OP_COMMIT, a, PAGE, b, 1));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmar_op_range(p.vmar, ZX_VMAR_OP_COMMIT, a, 0, NULL, 0));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmar_op_range(p.vmar, 99, a, PAGE, NULL, 0));
  assert_status(ZX_ERR_OUT_OF_RANGE, zx_vmar_op_range(p.vmar, ZX_VMAR_OP_COMMIT, 0, PAGE, NULL, 0));
  assert_status(ZX_ERR_BAD_STATE,
                zx_vmar_op_range(p.vmar, ZX_VMAR_OP_COMMIT, a, 5 * PAGE, NULL, 0));
  zx_handle_t ro = dup_with(p.vmar, ZX_RIGHT_READ);
  assert_status(ZX_ERR_ACCESS_DENIED, zx_vmar_op_range(ro, ZX_VMAR_OP_COMMIT, a, PAGE, NULL, 0));
  assert_status(ZX_ERR_ACCESS_DENIED, zx_vmar_op_range(ro, ZX_VMAR_OP_DECOMMIT, a, PAGE, NULL, 0));
  assert_status(ZX_ERR_ACCESS_DENIED, zx_vmar_op_range(ro, ZX_VMAR_OP_ZERO, a, PAGE, NULL, 0));
  assert_ok(zx_vmar_op_range(ro, ZX_VMAR_OP_MAP_RANGE, a, PAGE, NULL, 0));
  assert_ok(zx_vmar_op_range(ro, ZX_VMAR_OP_PREFETCH, a, PAGE, NULL, 0));
  // Populating page tables needs READ on the VMAR handle (2025 kernels); hints need nothing. The
  // op is checked before the rights.
  zx_handle_t wo = dup_with(p.vmar, ZX_RIGHT_WRITE);
  assert_status(ZX_ERR_ACCESS_DENIED, zx_vmar_op_range(wo, ZX_VMAR_OP_MAP_RANGE, a, PAGE, NULL, 0));
  assert_status(ZX_ERR_ACCESS_DENIED, zx_vmar_op_range(wo, ZX_VMAR_OP_PREFETCH, a, PAGE, NULL, 0));
  assert_ok(zx_vmar_op_range(wo, ZX_VMAR_OP_COMMIT, a, PAGE, NULL, 0));
  zx_handle_t bare = dup_with(p.vmar, 0);
  assert_ok(zx_vmar_op_range(bare, ZX_VMAR_OP_DONT_NEED, a, PAGE, NULL, 0));
  assert_ok(zx_vmar_op_range(bare, ZX_VMAR_OP_ALWAYS_NEED, a, PAGE, NULL, 0));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmar_op_range(bare, 99, a, PAGE, NULL, 0));
  zx_handle_t list[] = {vmo, ro, wo, bare};
  assert_ok(zx_handle_close_many(list, 4));
  proc_free(&p);
}

static void process_create_and_debug_memory(void** state) {
  zx_handle_t proc, vmar;
  assert_status(ZX_ERR_INVALID_ARGS,
                zx_process_create(zx_job_default(), "x", 1, 1u << 5, &proc, &vmar));
  assert_status(ZX_ERR_WRONG_TYPE, zx_process_create(zx_vmar_root_self(), "x", 1, 0, &proc, &vmar));
  assert_status(ZX_ERR_BAD_HANDLE, zx_process_create(ZX_HANDLE_INVALID, "x", 1, 0, &proc, &vmar));
  struct proc p = proc_new();
  assert_int_equal(ZX_DEFAULT_PROCESS_RIGHTS, handle_rights(p.process));
  char name[ZX_MAX_NAME_LEN];
  assert_ok(zx_object_get_property(p.process, ZX_PROP_NAME, name, sizeof(name)));
  assert_string_equal("test-proc", name);
  zx_handle_t vmo = make_vmo(2 * PAGE, 0);
  assert_ok(zx_vmo_write(vmo, "debug", PAGE - 1, 5));
  zx_handle_t ro = dup_with(vmo, ZX_RIGHT_READ | ZX_RIGHT_MAP);
  zx_vaddr_t a;
  assert_ok(zx_vmar_map(p.vmar, ZX_VM_PERM_READ, 0, ro, 0, PAGE, &a));
  char buf[8];
  size_t actual = 0;
  assert_status(ZX_ERR_INVALID_ARGS, zx_process_read_memory(p.process, a, NULL, 1, &actual));
  assert_status(ZX_ERR_INVALID_ARGS, zx_process_read_memory(p.process, a, buf, 0, &actual));
  assert_status(ZX_ERR_NOT_FOUND, zx_process_read_memory(p.process, a - PAGE, buf, 1, &actual));
  // Straddling the end of the mapping: a short read.
  assert_ok(zx_process_read_memory(p.process, a + PAGE - 1, buf, 2, &actual));
  assert_int_equal(1, actual);
  assert_int_equal('d', buf[0]);
  zx_handle_t nowrite = dup_with(p.process, ZX_RIGHT_READ);
  assert_status(ZX_ERR_ACCESS_DENIED, zx_process_read_memory(nowrite, a, buf, 1, &actual));
  assert_status(ZX_ERR_ACCESS_DENIED, zx_process_write_memory(nowrite, a, buf, 1, &actual));
  // A read-only mapping of a VMO handle without WRITE is written into a private copy: the
  // process sees the write, the VMO does not (zx_clone_test.c covers it in detail).
  assert_ok(zx_process_write_memory(p.process, a, "w", 1, &actual));
  assert_int_equal(1, actual);
  assert_ok(zx_vmo_read(vmo, buf, 0, 1));
  assert_int_equal(0, buf[0]);
  // A read-only mapping of a writable VMO handle is written through (debugger semantics).
  zx_vaddr_t b;
  assert_ok(zx_vmar_map(p.vmar, ZX_VM_PERM_READ, 0, vmo, 0, 2 * PAGE, &b));
  assert_ok(zx_process_write_memory(p.process, b + 5, "poke", 4, &actual));
  assert_int_equal(4, actual);
  assert_ok(zx_vmo_read(vmo, buf, 5, 4));
  assert_memory_equal(buf, "poke", 4);
  assert_status(ZX_ERR_ACCESS_DENIED, zxvm_user_write(p.process, b + 5, "x", 1));
  // Mapped past the VMO's end: OUT_OF_RANGE.
  zx_vaddr_t c;
  assert_ok(zx_vmar_map(p.vmar, ZX_VM_PERM_READ, 0, vmo, 4 * PAGE, PAGE, &c));
  assert_status(ZX_ERR_OUT_OF_RANGE, zx_process_read_memory(p.process, c, buf, 1, &actual));
  zx_handle_t list[] = {vmo, ro, nowrite};
  assert_ok(zx_handle_close_many(list, 3));
  proc_free(&p);
}

static void process_handle_close_destroys_aspace(void** state) {
  struct proc p = proc_new();
  zx_handle_t vmo = make_vmo(PAGE, 0);
  zx_vaddr_t a;
  assert_ok(zx_vmar_map(p.vmar, ZX_VM_PERM_READ, 0, vmo, 0, PAGE, &a));
  assert_ok(zx_handle_close(p.process));
  // The VMAR handle outlives the process; its region is dead.
  assert_status(ZX_ERR_BAD_STATE, zx_vmar_map(p.vmar, ZX_VM_PERM_READ, 0, vmo, 0, PAGE, &a));
  zx_info_vmo_t info;
  assert_ok(zx_object_get_info(vmo, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL));
  assert_int_equal(0, info.num_mappings);
  zx_handle_t list[] = {vmo, p.vmar};
  assert_ok(zx_handle_close_many(list, 2));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(vmar_root_layout_and_rights),
      cmocka_unit_test(vmar_allocate_rules),
      cmocka_unit_test(vmar_map_rights_order),
      cmocka_unit_test(vmar_map_user_access_end_to_end),
      cmocka_unit_test(vmar_unmap_protect_errors),
      cmocka_unit_test(vmar_op_range_ops),
      cmocka_unit_test(process_create_and_debug_memory),
      cmocka_unit_test(process_handle_close_destroys_aspace),
  };
  return cmocka_run_group_tests(tests, zx_test_init, NULL);
}
