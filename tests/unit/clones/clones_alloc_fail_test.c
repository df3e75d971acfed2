// Allocation-failure sweep over copy-on-write operations: snapshot creation, chained snapshots,
// copy-on-write faults through a mapping (single pages and explicit multi-page ranges), VMO writes
// into clones, and closing clones (merges). Each allocation fails in turn; every call returns
// ZX_OK or ZX_ERR_NO_MEMORY; zxvm_check (vm_aspace_check: every present PTE maps the page the VMO
// holds, never a forked-away ancestor page) and the VMO checkers pass after every step; the
// contents of every VMO match a model that applies only successful operations; and everything
// returns to the pmm at the end.
#include "test_util.h"
// zxvm headers after cmocka.
#include <string.h>

#include "base/alloc_fail.h"
#include "pmm/pmm.h"
#include "vm/vm_aspace.h"
#include "vm/vm_object_paged.h"

#define P PAGE_SIZE
#define PAGES 8
#define RW (ARCH_MMU_FLAG_PERM_READ | ARCH_MMU_FLAG_PERM_WRITE | ARCH_MMU_FLAG_PERM_USER)

struct world {
  struct vm_aspace* aspace;
  struct vm_object_paged* vmo;
  struct vm_object_paged* snap;
  struct vm_object_paged* grand;
  vaddr_t base;
  uint8_t model_vmo[PAGES];  // first byte of each page
  uint8_t model_snap[PAGES];
  uint8_t model_grand[PAGES];
};

static void expect(struct vm_object_paged* vmo, const uint8_t* model) {
  if (vmo == NULL) return;
  vm_object_paged_check(vmo);
  for (int i = 0; i < PAGES; i++) {
    uint8_t b;
    assert_ok(vm_object_paged_read(vmo, &b, i * P, 1));
    assert_int_equal(model[i], b);
  }
}

static void verify(struct world* w) {
  vm_aspace_check(w->aspace);
  expect(w->vmo, w->model_vmo);
  expect(w->snap, w->model_snap);
  expect(w->grand, w->model_grand);
}

static bool ok_or_oom(zx_status_t s) { return s == ZX_OK || s == ZX_ERR_NO_MEMORY; }

static void fault_write(struct world* w, int page, uint8_t v) {
  zx_status_t s = vm_aspace_user_access(w->aspace, w->base + page * P, &v, 1, ARCH_ACCESS_WRITE);
  assert_true(ok_or_oom(s));
  if (s == ZX_OK) w->model_vmo[page] = v;
  verify(w);
}

static void scenario(struct world* w) {
  zx_status_t s = vm_object_paged_create_child(w->vmo, VM_CHILD_SNAPSHOT, 0, PAGES * P, &w->snap);
  assert_true(ok_or_oom(s));
  if (s != ZX_OK) {
    w->snap = NULL;
    verify(w);
    return;
  }
  memcpy(w->model_snap, w->model_vmo, PAGES);
  verify(w);
  for (int i = 0; i < 3; i++) fault_write(w, i, (uint8_t)(0x40 + i));  // COW faults
  // An explicit range: a multi-page write fault through the mapping's fault path.
  s = vm_aspace_soft_fault_in_range(w->aspace, w->base + 3 * P,
                                    VMM_PF_FLAG_USER | VMM_PF_FLAG_WRITE, 3 * P);
  assert_true(ok_or_oom(s));
  verify(w);
  s = vm_object_paged_create_child(w->snap, VM_CHILD_SNAPSHOT, 0, PAGES * P, &w->grand);
  assert_true(ok_or_oom(s));
  if (s == ZX_OK) memcpy(w->model_grand, w->model_snap, PAGES);
  if (s != ZX_OK) w->grand = NULL;
  verify(w);
  uint8_t v = 0x77;
  s = vm_object_paged_write(w->snap, &v, 5 * P, 1);
  assert_true(ok_or_oom(s));
  if (s == ZX_OK) w->model_snap[5] = v;
  verify(w);
  fault_write(w, 6, 0x66);
  vm_object_paged_release(w->snap);  // closing merges hidden nodes: may allocate, never fails
  w->snap = NULL;
  verify(w);
  fault_write(w, 7, 0x99);
}

static void run_once(uint64_t fail_at, bool* fired) {
  static struct world w;
  memset(&w, 0, sizeof(w));
  assert_ok(pmm_init(16u << 20));
  struct pmm_counts baseline;
  pmm_get_counts(&baseline);
  assert_ok(vm_aspace_create(NULL, "sweep", &w.aspace));
  struct vm_address_region* root = vm_aspace_root_vmar(w.aspace);
  assert_ok(vm_object_paged_create(0, PAGES * P, &w.vmo));
  for (int i = 0; i < PAGES; i++) {
    w.model_vmo[i] = (uint8_t)(i + 1);
    assert_ok(vm_object_paged_write(w.vmo, &w.model_vmo[i], i * P, 1));
  }
  struct vm_mapping* m;
  assert_ok(vm_address_region_create_vm_mapping(root, 0, PAGES * P, 0, 0, &w.vmo->base, 0, RW, "m",
                                                &m, &w.base));
  assert_ok(vm_mapping_map_range(m, 0, PAGES * P, false, false));  // writable entries exist
  alloc_fail_arm(fail_at);
  scenario(&w);
  *fired = alloc_fail_fired();
  alloc_fail_arm(0);
  verify(&w);
  if (w.grand) vm_object_paged_release(w.grand);
  vm_address_region_or_mapping_release(&m->common);
  vm_address_region_or_mapping_release(&root->common);
  assert_ok(vm_aspace_destroy(w.aspace));
  vm_aspace_release(w.aspace);
  vm_object_paged_release(w.vmo);
  struct pmm_counts after;
  pmm_get_counts(&after);
  assert_int_equal(baseline.free_pages, after.free_pages);
  pmm_shutdown();
}

static void clones_survive_every_allocation_failure(void** state) {
  (void)state;
  uint64_t n = 1;
  for (;; n++) {
    bool fired = false;
    run_once(n, &fired);
    if (!fired) break;
  }
  printf("[sweep] %lu allocation sites exercised\n", (unsigned long)(n - 1));
  assert_true(n > 10);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(clones_survive_every_allocation_failure),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
