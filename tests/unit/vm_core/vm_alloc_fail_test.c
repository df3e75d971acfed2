// Allocation-failure sweep over the mapping layer: a fixed scenario (map, fault, protect, partial
// unmap, merge, MapRange, VMAR op_range) runs once per allocation site with that allocation
// failing (base/alloc_fail.h counts heap and pmm allocations alike). Every call must return
// ZX_OK or ZX_ERR_NO_MEMORY; a failed call leaves the state as it was (checked per operation);
// zxvm_check (vm_aspace_check) passes after every step; data written before a failure is intact;
// and after teardown every page is back (pmm_shutdown panics otherwise).
#include "test_util.h"
// zxvm headers after cmocka.
#include <string.h>

#include "base/alloc_fail.h"
#include "pmm/pmm.h"
#include "vm/vm_aspace.h"
#include "vm/vm_object_paged.h"

#define P PAGE_SIZE
#define RW (ARCH_MMU_FLAG_PERM_READ | ARCH_MMU_FLAG_PERM_WRITE | ARCH_MMU_FLAG_PERM_USER)
#define RO (ARCH_MMU_FLAG_PERM_READ | ARCH_MMU_FLAG_PERM_USER)

struct world {
  struct vm_aspace* aspace;
  struct vm_address_region* root;
  struct vm_object_paged* vmo;
  uint8_t model[16 * 4096];  // what the VMO must hold
  int failures;              // calls that returned ZX_ERR_NO_MEMORY
};

static bool allowed(struct world* w, zx_status_t s) {
  if (s == ZX_ERR_NO_MEMORY) w->failures++;
  return s == ZX_OK || s == ZX_ERR_NO_MEMORY;
}

static struct vm_mapping* mapping_at(struct world* w, vaddr_t va) {
  mutex_lock(&w->aspace->lock);
  struct vm_mapping* m = vm_aspace_find_mapping_locked(w->aspace, va);
  if (m) vm_address_region_or_mapping_acquire(&m->common);
  mutex_unlock(&w->aspace->lock);
  return m;
}

static void check_data(struct world* w) {
  static uint8_t buf[16 * 4096];
  assert_ok(vm_object_paged_read(w->vmo, buf, 0, sizeof(buf)));
  assert_memory_equal(w->model, buf, sizeof(buf));
}

static void step_done(struct world* w) {
  vm_aspace_check(w->aspace);
  check_data(w);
}

// Writes |v| at page |page| through the address space.
static void write_page(struct world* w, vaddr_t base, int page, uint8_t v) {
  zx_status_t s = vm_aspace_user_access(w->aspace, base + page * P + 7, &v, 1, ARCH_ACCESS_WRITE);
  assert_true(allowed(w, s));
  if (s == ZX_OK) w->model[page * P + 7] = v;
  step_done(w);
}

static uint32_t flags_at(struct world* w, struct vm_mapping* m, vaddr_t va) {
  mutex_lock(&w->aspace->lock);
  uint32_t f = vm_mapping_arch_mmu_flags_locked(m, va);
  mutex_unlock(&w->aspace->lock);
  return f;
}

static void scenario(struct world* w) {
  struct vm_mapping* m;
  vaddr_t base;
  zx_status_t s = vm_address_region_create_vm_mapping(w->root, 0, 16 * P, 0, 0, &w->vmo->base, 0,
                                                      RW, "m", &m, &base);
  assert_true(allowed(w, s));
  step_done(w);
  if (s != ZX_OK) return;
  for (int i = 0; i < 4; i++) write_page(w, base, i, (uint8_t)(0x10 + i));

  s = vm_mapping_debug_protect(m, base + 4 * P, 4 * P, RO);
  assert_true(allowed(w, s));
  assert_int_equal(s == ZX_OK ? RO : RW, flags_at(w, m, base + 5 * P));
  step_done(w);

  // Cut a hole: on failure the mapping is untouched and still ALIVE.
  s = vm_mapping_debug_unmap(m, base + 10 * P, 2 * P);
  assert_true(allowed(w, s));
  assert_int_equal(s == ZX_OK ? VM_LIFECYCLE_DEAD : VM_LIFECYCLE_ALIVE, m->common.state);
  vm_address_region_or_mapping_release(&m->common);
  step_done(w);
  struct vm_mapping* hole = mapping_at(w, base + 10 * P);
  assert_int_equal(s == ZX_OK, hole == NULL);
  if (hole) vm_address_region_or_mapping_release(&hole->common);

  // Fill the hole again and merge: a merge that cannot allocate silently leaves two mappings.
  if (s == ZX_OK) {
    struct vm_mapping* fill;
    vaddr_t fb;
    size_t rel = base + 10 * P - vm_region_base(&w->root->common);
    s = vm_address_region_create_vm_mapping(w->root, rel, 2 * P, 0, VMAR_FLAG_SPECIFIC,
                                            &w->vmo->base, 10 * P, RW, "fill", &fill, &fb);
    assert_true(allowed(w, s));
    if (s == ZX_OK) vm_mapping_mark_mergeable(fill);
    step_done(w);
  }

  m = mapping_at(w, base);
  s = vm_mapping_map_range(m, 0, 4 * P, true, true);
  assert_true(allowed(w, s));
  vm_address_region_or_mapping_release(&m->common);
  step_done(w);

  s = vm_address_region_range_op(w->root, ZX_VMAR_OP_COMMIT, base + 12 * P, 4 * P,
                                 VM_OP_CHILDREN_YES, NULL, 0);
  assert_true(allowed(w, s));
  step_done(w);

  write_page(w, base, 13, 0x77);
  write_page(w, base, 2, 0x99);
}

static void run_once(uint64_t fail_at, bool* fired) {
  static struct world w;
  memset(&w, 0, sizeof(w));
  assert_ok(pmm_init(16u << 20));
  struct pmm_counts baseline;
  pmm_get_counts(&baseline);
  assert_ok(vm_aspace_create(NULL, "sweep", &w.aspace));
  w.root = vm_aspace_root_vmar(w.aspace);
  assert_ok(vm_object_paged_create(0, 16 * P, &w.vmo));
  alloc_fail_arm(fail_at);
  scenario(&w);
  *fired = alloc_fail_fired();
  alloc_fail_arm(0);
  // The armed allocation failed at most one call (a merge swallows its own failure).
  if (*fired) assert_true(w.failures <= 1);
  if (!*fired) assert_int_equal(0, w.failures);
  vm_aspace_check(w.aspace);
  vm_address_region_or_mapping_release(&w.root->common);
  assert_ok(vm_aspace_destroy(w.aspace));
  vm_aspace_release(w.aspace);
  vm_object_paged_release(w.vmo);
  struct pmm_counts after;
  pmm_get_counts(&after);
  assert_int_equal(baseline.free_pages, after.free_pages);
  pmm_shutdown();
}

static void vm_mapping_ops_survive_every_allocation_failure(void** state) {
  (void)state;
  uint64_t n = 1;
  for (;; n++) {
    bool fired = false;
    run_once(n, &fired);
    if (!fired) break;
  }
  printf("[sweep] %" PRIu64 " allocation sites exercised\n", n - 1);
  assert_true(n > 10);  // the scenario allocates at many sites; a sweep of 0 would prove nothing
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(vm_mapping_ops_survive_every_allocation_failure),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
