// Copy-on-write clones seen through mappings (soft MMU): a snapshot write-protects the parent's
// writable entries; read faults on a clone map the shared ancestor page read-only; a write fault
// copies (or moves) the page and replaces the entry, unmapping the old page from the VMO's other
// mappings; slices' mappings follow the parent's page changes; ForceWritable writes privately.
// vm_aspace_check (every PTE maps what its VMO shows, shared pages never writable) runs after
// every step; pmm_shutdown panics on any leaked page.
#include <string.h>

#include "test_util.h"
// The library headers after the test harness.
#include "pmm/pmm.h"
#include "vm/page_request.h"
#include "vm/vm_aspace.h"
#include "vm/vm_object_paged.h"

#define P PAGE_SIZE
#define RW (ARCH_MMU_FLAG_PERM_READ | ARCH_MMU_FLAG_PERM_WRITE | ARCH_MMU_FLAG_PERM_USER)
#define RO (ARCH_MMU_FLAG_PERM_READ | ARCH_MMU_FLAG_PERM_USER)

static struct vm_aspace* aspace;
static struct vm_address_region* root;

static int setup(void** state) {
  (void)state;
  assert_ok(pmm_init(64u << 20));
  assert_ok(vm_aspace_create(NULL, "clones", &aspace));
  root = vm_aspace_root_vmar(aspace);
  return 0;
}

static int teardown(void** state) {
  (void)state;
  vm_aspace_check(aspace);
  vm_address_region_or_mapping_release(&root->common);
  assert_ok(vm_aspace_destroy(aspace));
  vm_aspace_release(aspace);
  pmm_shutdown();
  return 0;
}

static struct vm_object_paged* mk(uint64_t size) {
  struct vm_object_paged* vmo;
  assert_ok(vm_object_paged_create(0, size, &vmo));
  return vmo;
}

static struct vm_object_paged* snap(struct vm_object_paged* parent, uint32_t type) {
  struct vm_object_paged* c;
  assert_ok(vm_object_paged_create_child(parent, type, 0, vm_object_paged_get_size(parent), &c));
  return c;
}

static struct vm_mapping* map(struct vm_object_paged* vmo, size_t size, uint32_t flags) {
  struct vm_mapping* m;
  vaddr_t base;
  assert_ok(vm_address_region_create_vm_mapping(root, 0, size, 0, 0, &vmo->base, 0, flags, "m", &m,
                                                &base));
  return m;
}

static void unmap(struct vm_mapping* m) {
  assert_ok(vm_address_region_or_mapping_destroy(&m->common));
  vm_address_region_or_mapping_release(&m->common);
}

static uint32_t pte(vaddr_t va, paddr_t* pa) {
  paddr_t p = 0;
  arch_mmu_flags_t f;
  if (arch_aspace_query(aspace->arch, va, &p, &f) != ZX_OK) return 0;
  if (pa) *pa = p;
  return f;
}

static void uwrite(vaddr_t va, uint8_t v) {
  assert_ok(vm_aspace_user_access(aspace, va, &v, 1, ARCH_ACCESS_WRITE));
  vm_aspace_check(aspace);
}

static uint8_t uread(vaddr_t va) {
  uint8_t v;
  assert_ok(vm_aspace_user_access(aspace, va, &v, 1, ARCH_ACCESS_READ));
  vm_aspace_check(aspace);
  return v;
}

static uint8_t vread(struct vm_object_paged* vmo, uint64_t offset) {
  uint8_t v;
  assert_ok(vm_object_paged_read(vmo, &v, offset, 1));
  return v;
}

static void clones_snapshot_write_protects_parent_then_write_fault_copies(void** state) {
  enum { N = 4 };
  struct vm_object_paged* a = mk(N * P);
  struct vm_mapping* ma = map(a, N * P, RW);
  vaddr_t b = vm_mapping_base(ma);
  for (int i = 0; i < N; i++) uwrite(b + i * P, (uint8_t)(i + 1));
  for (int i = 0; i < N; i++) assert_true(pte(b + i * P, NULL) & ARCH_MMU_FLAG_PERM_WRITE);
  struct vm_object_paged* c = snap(a, VM_CHILD_SNAPSHOT);
  vm_aspace_check(aspace);
  paddr_t shared[N];
  for (int i = 0; i < N; i++) {
    uint32_t f = pte(b + i * P, &shared[i]);
    assert_true(f & ARCH_MMU_FLAG_PERM_READ);
    assert_false(f & ARCH_MMU_FLAG_PERM_WRITE);  // write-protected at the snapshot
  }
  // Write through the parent's mapping: a copy, mapped writable; the child keeps the old value.
  uwrite(b + P, 0x55);
  paddr_t now;
  assert_true(pte(b + P, &now) & ARCH_MMU_FLAG_PERM_WRITE);
  assert_int_not_equal(shared[1], now);
  assert_int_equal(2, vread(c, P));
  assert_int_equal(0x55, vread(a, P));
  // The child's mapping reads the shared pages read-only, the very same physical pages.
  struct vm_mapping* mc = map(c, N * P, RW);
  vaddr_t cb = vm_mapping_base(mc);
  assert_int_equal(1, uread(cb));
  paddr_t cpa;
  uint32_t cf = pte(cb, &cpa);
  assert_false(cf & ARCH_MMU_FLAG_PERM_WRITE);
  assert_int_equal(shared[0], cpa);
  // The child writes page 0, which the parent still reads: the child gets a copy.
  uwrite(cb, 0x66);
  assert_true(pte(cb, &cpa) & ARCH_MMU_FLAG_PERM_WRITE);
  assert_int_equal(1, uread(b));
  // Page 1: the parent forked it already, so the child's write moves the shared page (no copy).
  assert_int_equal(2, uread(cb + P));
  pte(cb + P, &cpa);
  assert_int_equal(shared[1], cpa);
  uwrite(cb + P, 0x77);
  assert_true(pte(cb + P, &cpa) & ARCH_MMU_FLAG_PERM_WRITE);
  assert_int_equal(shared[1], cpa);
  assert_int_equal(0x55, uread(b + P));
  unmap(mc);
  unmap(ma);
  vm_object_paged_release(c);
  vm_object_paged_release(a);
}

static void clones_write_fault_unmaps_old_page_from_other_mappings(void** state) {
  struct vm_object_paged* a = mk(2 * P);
  assert_ok(vm_object_paged_write(a, "x", 0, 1));
  struct vm_object_paged* c = snap(a, VM_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE);
  struct vm_mapping* m1 = map(c, 2 * P, RW);
  struct vm_mapping* m2 = map(c, 2 * P, RO);
  assert_int_equal('x', uread(vm_mapping_base(m1)));
  assert_int_equal('x', uread(vm_mapping_base(m2)));
  paddr_t old;
  assert_true(pte(vm_mapping_base(m2), &old) != 0);
  uwrite(vm_mapping_base(m1), 'y');
  // The read-only mapping of the same VMO lost its entry for the old page, and sees the new one.
  assert_int_equal(0, pte(vm_mapping_base(m2), NULL));
  assert_int_equal('y', uread(vm_mapping_base(m2)));
  assert_int_equal('x', vread(a, 0));
  // Zero page replaced: the read-only zero-page entry goes away too.
  assert_int_equal(0, uread(vm_mapping_base(m2) + P));
  uwrite(vm_mapping_base(m1) + P, 'z');
  assert_int_equal('z', uread(vm_mapping_base(m2) + P));
  unmap(m2);
  unmap(m1);
  vm_object_paged_release(c);
  vm_object_paged_release(a);
}

static void clones_slice_mapping_follows_parent_pages(void** state) {
  struct vm_object_paged* a = mk(4 * P);
  assert_ok(vm_object_paged_write(a, "s", 2 * P, 1));
  struct vm_object_paged* s;
  assert_ok(vm_object_paged_create_child(a, VM_CHILD_SLICE, 2 * P, 2 * P, &s));
  struct vm_mapping* ms = map(s, 2 * P, RW);
  vaddr_t sb = vm_mapping_base(ms);
  assert_int_equal('s', uread(sb));
  uwrite(sb + P, 't');  // the parent's page 3, writable in place
  assert_int_equal('t', vread(a, 3 * P));
  assert_ok(vm_object_paged_decommit_range(a, 2 * P, 2 * P));
  assert_int_equal(0, pte(sb, NULL));
  assert_int_equal(0, uread(sb));
  // A snapshot of the parent write-protects the slice's mappings too (it views the same node).
  uwrite(sb, 'u');
  struct vm_object_paged* c = snap(a, VM_CHILD_SNAPSHOT);
  vm_aspace_check(aspace);
  assert_false(pte(sb, NULL) & ARCH_MMU_FLAG_PERM_WRITE);
  uwrite(sb, 'v');
  assert_int_equal('u', vread(c, 2 * P));
  assert_int_equal('v', vread(a, 2 * P));
  unmap(ms);
  vm_object_paged_release(c);
  vm_object_paged_release(s);
  vm_object_paged_release(a);
}

static void clones_force_writable_never_changes_original(void** state) {
  struct vm_object_paged* a = mk(3 * P);
  assert_ok(vm_object_paged_write(a, "orig", P, 4));
  vm_object_set_name(&a->base, "code", 4);
  struct vm_mapping* m;
  vaddr_t base;
  assert_ok(
      vm_address_region_create_vm_mapping(root, 0, 2 * P, 0, 0, &a->base, P, RO, "m", &m, &base));
  assert_int_equal('o', uread(base));
  struct vm_mapping* w;
  assert_ok(vm_mapping_force_writable(m, &w));
  vm_aspace_check(aspace);
  struct vm_object* o = vm_mapping_vmo(w);
  struct vm_object_paged* clone = vm_object_paged_from_object(o);
  char name[ZX_MAX_NAME_LEN];
  vm_object_get_name(o, name);
  assert_string_equal("code", name);
  assert_false(vm_object_paged_is_resizable(clone));
  assert_int_equal(2 * P, vm_object_paged_get_size(clone));
  assert_ok(vm_object_paged_write(clone, "XY", 1, 2));
  assert_int_equal('X', uread(base + 1));
  assert_int_equal('r', vread(a, P + 1));
  // The original keeps changing independently (full snapshot semantics for anonymous VMOs).
  assert_ok(vm_object_paged_write(a, "Q", P + 3, 1));
  assert_int_equal('g', uread(base + 3));
  vm_object_release(o);
  vm_address_region_or_mapping_release(&m->common);
  unmap(w);
  vm_object_paged_release(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
      T(clones_snapshot_write_protects_parent_then_write_fault_copies),
      T(clones_write_fault_unmaps_old_page_from_other_mappings),
      T(clones_slice_mapping_follows_parent_pages),
      T(clones_force_writable_never_changes_original),
#undef T
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
