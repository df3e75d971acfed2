// The fault path end to end, driven by the simulated CPU (vm_aspace_user_access): zero-page
// reads, committing writes, every refusal status, faults beyond a shrunk VMO, instruction
// fetches, SoftFaultInRange, ACCESS faults and the statistics.
#include "vm_core_test_util.h"

#define BASE ((vaddr_t)0x1000000)
#define SIZE ((size_t)0x1000000)
#define P PAGE_SIZE

struct fixture {
  struct vm_aspace* as;
  struct vm_address_region* root;
  struct vm_object* vmo;  // 16 pages
};

static struct fixture fx_make(void) {
  struct fixture f;
  f.as = vt_aspace(BASE, SIZE, 0, 0);
  f.root = vm_aspace_root_vmar(f.as);
  f.vmo = vt_vmo(16 * P, 0);
  return f;
}

static void fx_free(struct fixture* f) {
  vt_release(f->root);
  vt_aspace_free(f->as);
  vm_object_release(f->vmo);
}

static zx_status_t query(struct vm_aspace* as, vaddr_t va, paddr_t* pa, uint32_t* flags) {
  return arch_aspace_query(as->arch, va, pa, flags);
}

static void fault_read_uncommitted_maps_zero_page(void** state) {
  (void)state;
  struct fixture f = fx_make();
  vt_map_at(f.root, 0, 16 * P, f.vmo, 0, VT_PERM_RW);
  uint8_t buf[64];
  memset(buf, 0xaa, sizeof(buf));
  assert_ok(vt_read(f.as, BASE + 3 * P + 100, buf, sizeof(buf)));
  for (size_t i = 0; i < sizeof(buf); i++) assert_int_equal(buf[i], 0);
  paddr_t pa = 0;
  uint32_t fl = 0;
  assert_ok(query(f.as, BASE + 3 * P, &pa, &fl));
  assert_int_equal(pa, pmm_zero_page_paddr());
  assert_int_equal(fl & ARCH_MMU_FLAG_PERM_WRITE, 0);
  struct vm_object_paged_stats st;
  vm_object_paged_get_stats(vt_paged(f.vmo), &st);
  assert_int_equal(st.committed_bytes, 0);
  vm_aspace_check(f.as);
  fx_free(&f);
}

static void fault_write_commits_and_maps_writable(void** state) {
  (void)state;
  struct fixture f = fx_make();
  vt_map_at(f.root, 0, 16 * P, f.vmo, 0, VT_PERM_RW);
  uint8_t zero;
  assert_ok(vt_read(f.as, BASE + 2 * P, &zero, 1));  // zero page first, then upgraded
  const char msg[] = "hello, zircon";
  // Crosses a page boundary.
  assert_ok(vt_write(f.as, BASE + 3 * P - 5, msg, sizeof(msg)));
  paddr_t pa = 0;
  uint32_t fl = 0;
  assert_ok(query(f.as, BASE + 2 * P, &pa, &fl));
  assert_int_not_equal(pa, pmm_zero_page_paddr());
  assert_int_equal(fl & ARCH_MMU_FLAG_PERM_WRITE, ARCH_MMU_FLAG_PERM_WRITE);
  char back[sizeof(msg)];
  assert_ok(vm_object_paged_read(vt_paged(f.vmo), back, 3 * P - 5, sizeof(msg)));
  assert_memory_equal(back, msg, sizeof(msg));
  memset(back, 0, sizeof(back));
  assert_ok(vt_read(f.as, BASE + 3 * P - 5, back, sizeof(back)));
  assert_memory_equal(back, msg, sizeof(msg));
  // A write into the VMO directly is visible through the mapping.
  assert_ok(vm_object_paged_write(vt_paged(f.vmo), "XY", 3 * P - 5, 2));
  assert_ok(vt_read(f.as, BASE + 3 * P - 5, back, 2));
  assert_memory_equal(back, "XY", 2);
  vm_aspace_check(f.as);
  fx_free(&f);
}

static void fault_refusals(void** state) {
  (void)state;
  struct fixture f = fx_make();
  vt_map_at(f.root, 0, 4 * P, f.vmo, 0, VT_PERM_R);
  vt_map_at(f.root, 4 * P, 4 * P, f.vmo, 0, VT_PERM_RX);
  uint64_t v = 1;
  assert_status(ZX_ERR_ACCESS_DENIED, vt_write(f.as, BASE, &v, 8));
  assert_status(ZX_ERR_NOT_FOUND, vt_read(f.as, BASE + 8 * P, &v, 8));
  assert_status(ZX_ERR_NOT_FOUND, vt_read(f.as, BASE - P, &v, 8));
  assert_status(ZX_ERR_ACCESS_DENIED,
                vm_aspace_user_access(f.as, BASE + P, NULL, 1, ARCH_ACCESS_EXECUTE));
  assert_ok(vm_aspace_user_access(f.as, BASE + 5 * P, &v, 1, ARCH_ACCESS_EXECUTE));
  assert_ok(vt_read(f.as, BASE, &v, 8));
  assert_int_equal(v & 0xff, 0);
  // An access running from a mapped page into a hole fails at the hole.
  uint8_t big[2 * P];
  assert_status(ZX_ERR_NOT_FOUND, vt_read(f.as, BASE + 7 * P, big, sizeof(big)));
  assert_status(ZX_ERR_INVALID_ARGS, vm_aspace_user_access(f.as, BASE, &v, 8, 0));
  assert_status(ZX_ERR_INVALID_ARGS,
                vm_aspace_user_access(f.as, BASE, &v, 8, ARCH_ACCESS_READ | ARCH_ACCESS_WRITE));
  assert_status(ZX_ERR_OUT_OF_RANGE, vt_read(f.as, UINTPTR_MAX - 3, &v, 8));
  assert_ok(vt_read(f.as, BASE, &v, 0));
  vm_aspace_check(f.as);
  assert_true(atomic_load(&f.as->stats.faults_denied) >= 2);
  assert_true(atomic_load(&f.as->stats.faults_not_found) >= 3);
  fx_free(&f);
}

static void fault_beyond_shrunk_vmo_is_out_of_range(void** state) {
  (void)state;
  struct fixture f = fx_make();
  struct vm_object* rvmo = vt_vmo(8 * P, VM_OBJECT_PAGED_RESIZABLE);
  vt_map_at(f.root, 0, 8 * P, rvmo, 0, VT_PERM_RW);
  uint64_t v = 5;
  assert_ok(vt_write(f.as, BASE + 6 * P, &v, 8));
  assert_ok(vm_object_paged_set_size(vt_paged(rvmo), 3 * P));
  vm_aspace_check(f.as);
  assert_status(ZX_ERR_OUT_OF_RANGE, vt_read(f.as, BASE + 6 * P, &v, 8));
  assert_status(ZX_ERR_OUT_OF_RANGE, vt_write(f.as, BASE + 3 * P, &v, 8));
  assert_ok(vt_write(f.as, BASE + 2 * P, &v, 8));
  assert_true(atomic_load(&f.as->stats.faults_out_of_range) >= 2);
  vm_aspace_check(f.as);
  vm_object_release(rvmo);
  fx_free(&f);
}

static void fault_soft_fault_in_range(void** state) {
  (void)state;
  struct fixture f = fx_make();
  vt_map_at(f.root, 0, 16 * P, f.vmo, 0, VT_PERM_RW);
  assert_ok(vm_aspace_soft_fault_in_range(f.as, BASE + P + 7, VMM_PF_FLAG_USER, 3 * P));
  // [P + 7, 4P + 7) touches pages 1..4: exactly those, no optimistic extras.
  struct arch_aspace_counts c;
  arch_aspace_get_counts(f.as->arch, &c);
  assert_int_equal(c.present_entries, 4);
  for (int i = 0; i < 16; i++) {
    zx_status_t s = query(f.as, BASE + (vaddr_t)i * P, NULL, NULL);
    assert_status((i >= 1 && i <= 4) ? ZX_OK : ZX_ERR_NOT_FOUND, s);
  }
  // Write faults commit.
  assert_ok(vm_aspace_soft_fault_in_range(f.as, BASE + 8 * P, VMM_PF_FLAG_USER | VMM_PF_FLAG_WRITE,
                                          2 * P));
  struct vm_object_paged_stats st;
  vm_object_paged_get_stats(vt_paged(f.vmo), &st);
  assert_int_equal(st.committed_bytes, 2 * P);
  assert_status(ZX_ERR_OUT_OF_RANGE,
                vm_aspace_soft_fault_in_range(f.as, UINTPTR_MAX - P, VMM_PF_FLAG_USER, 2 * P));
  assert_status(ZX_ERR_NOT_FOUND,
                vm_aspace_soft_fault_in_range(f.as, BASE + 20 * P, VMM_PF_FLAG_USER, P));
  assert_ok(vm_aspace_soft_fault_in_range(f.as, BASE, VMM_PF_FLAG_USER, 0));
  vm_aspace_check(f.as);
  fx_free(&f);
}

static void fault_direct_entry_and_access_flag(void** state) {
  (void)state;
  struct fixture f = fx_make();
  vt_map_at(f.root, 0, 16 * P, f.vmo, 0, VT_PERM_RW);
  uint64_t before = atomic_load(&f.as->stats.faults);
  assert_ok(vm_aspace_page_fault(f.as, BASE + 5 * P + 123, VMM_PF_FLAG_USER | VMM_PF_FLAG_WRITE));
  assert_ok(query(f.as, BASE + 5 * P, NULL, NULL));
  assert_ok(vm_aspace_page_fault(f.as, BASE + 5 * P, VMM_PF_FLAG_ACCESS));
  assert_status(ZX_ERR_NOT_FOUND, vm_aspace_page_fault(f.as, BASE + 32 * P, VMM_PF_FLAG_USER));
  assert_int_equal(atomic_load(&f.as->stats.faults), before + 3);
  assert_true(atomic_load(&f.as->stats.pages_mapped) >= 1);
  // The last-fault cache is set, and cleared when its mapping goes.
  assert_non_null(f.as->last_fault);
  assert_ok(vm_address_region_unmap(f.root, BASE, 16 * P, VM_OP_CHILDREN_NO, false));
  assert_null(f.as->last_fault);
  assert_status(ZX_ERR_NOT_FOUND, vm_aspace_page_fault(f.as, BASE + 5 * P, VMM_PF_FLAG_USER));
  vm_aspace_check(f.as);
  fx_free(&f);
}

static void fault_through_nested_vmars_and_protect(void** state) {
  (void)state;
  struct fixture f = fx_make();
  struct vm_address_region* v =
      vt_sub_vmar(f.root, 16 * P, 32 * P, VMAR_CAN_RWX_FLAGS | VMAR_FLAG_CAN_MAP_SPECIFIC);
  struct vm_address_region* w =
      vt_sub_vmar(v, 8 * P, 16 * P, VMAR_CAN_RWX_FLAGS | VMAR_FLAG_CAN_MAP_SPECIFIC);
  vt_map_at(w, 4 * P, 4 * P, f.vmo, 8 * P, VT_PERM_RW);
  vaddr_t va = BASE + 28 * P;
  uint64_t x = 0xfeed;
  assert_ok(vt_write(f.as, va + 16, &x, 8));
  uint64_t y = 0;
  assert_ok(vm_object_paged_read(vt_paged(f.vmo), &y, 8 * P + 16, 8));
  assert_int_equal(y, 0xfeed);
  assert_ok(vm_address_region_protect(w, va, P, VT_PERM_R, VM_OP_CHILDREN_NO));
  assert_status(ZX_ERR_ACCESS_DENIED, vt_write(f.as, va, &x, 8));
  assert_ok(vt_read(f.as, va + 16, &y, 8));
  assert_int_equal(y, 0xfeed);
  vm_aspace_check(f.as);
  fx_free(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(fault_read_uncommitted_maps_zero_page, vt_setup, vt_teardown),
      cmocka_unit_test_setup_teardown(fault_write_commits_and_maps_writable, vt_setup, vt_teardown),
      cmocka_unit_test_setup_teardown(fault_refusals, vt_setup, vt_teardown),
      cmocka_unit_test_setup_teardown(fault_beyond_shrunk_vmo_is_out_of_range, vt_setup,
                                      vt_teardown),
      cmocka_unit_test_setup_teardown(fault_soft_fault_in_range, vt_setup, vt_teardown),
      cmocka_unit_test_setup_teardown(fault_direct_entry_and_access_flag, vt_setup, vt_teardown),
      cmocka_unit_test_setup_teardown(fault_through_nested_vmars_and_protect, vt_setup,
                                      vt_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
