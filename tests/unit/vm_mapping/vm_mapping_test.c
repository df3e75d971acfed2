// White-box tests of every VmMapping method of the class reference
// (shared/seed/VmMapping-class-reference.txt), and, in our own words, the behaviours of Zircon's
// aspace unit tests that concern mappings (spec §7: merge table, attribution through commit,
// decommit, unmap and merge, optimistic-fault counts including the page-table limit, fault
// ranges, protect splitting). Each test runs on a fresh soft-MMU address space and pmm arena;
// teardown destroys the aspace, checks it first, and pmm_shutdown panics on any leaked page.
#include "test_util.h"
// zxvm headers after cmocka.
#include <string.h>

#include "pmm/pmm.h"
#include "vm/page_request.h"
#include "vm/vm_aspace.h"
#include "vm/vm_object_paged.h"

#define P PAGE_SIZE
#define RW (ARCH_MMU_FLAG_PERM_READ | ARCH_MMU_FLAG_PERM_WRITE | ARCH_MMU_FLAG_PERM_USER)
#define RO (ARCH_MMU_FLAG_PERM_READ | ARCH_MMU_FLAG_PERM_USER)
#define RX (ARCH_MMU_FLAG_PERM_READ | ARCH_MMU_FLAG_PERM_EXECUTE | ARCH_MMU_FLAG_PERM_USER)

struct fixture {
  struct vm_aspace* aspace;
  struct vm_address_region* root;
  uint64_t baseline_free;
};

static struct fixture fx;

static int setup(void** state) {
  (void)state;
  assert_ok(pmm_init(64u << 20));
  assert_ok(vm_aspace_create(NULL, "test", &fx.aspace));
  fx.root = vm_aspace_root_vmar(fx.aspace);
  assert_non_null(fx.root);
  return 0;
}

static int teardown(void** state) {
  (void)state;
  vm_aspace_check(fx.aspace);
  vm_address_region_or_mapping_release(&fx.root->common);
  assert_ok(vm_aspace_destroy(fx.aspace));
  vm_aspace_release(fx.aspace);
  pmm_shutdown();
  return 0;
}

static struct vm_object_paged* make_vmo(uint64_t size, uint32_t options) {
  struct vm_object_paged* vmo;
  assert_ok(vm_object_paged_create(options, size, &vmo));
  return vmo;
}

// Maps |size| bytes of |vmo| from |offset| with |flags| at |va| (0 = anywhere) in the root VMAR.
static struct vm_mapping* map_at(struct vm_object_paged* vmo, uint64_t offset, size_t size,
                                 uint32_t flags, vaddr_t va) {
  struct vm_mapping* m;
  vaddr_t base;
  uint32_t vmar_flags = va ? VMAR_FLAG_SPECIFIC : 0;
  size_t rel = va ? va - vm_region_base(&fx.root->common) : 0;
  assert_ok(vm_address_region_create_vm_mapping(fx.root, rel, size, 0, vmar_flags, &vmo->base,
                                                offset, flags, "m", &m, &base));
  if (va) assert_int_equal(va, base);
  assert_int_equal(base, vm_mapping_base(m));
  return m;
}

static struct vm_mapping* map(struct vm_object_paged* vmo, uint64_t offset, size_t size,
                              uint32_t flags) {
  return map_at(vmo, offset, size, flags, 0);
}

static void unmap_all(struct vm_mapping* m) {
  if (m->common.state == VM_LIFECYCLE_ALIVE) {
    assert_ok(vm_address_region_or_mapping_destroy(&m->common));
  }
  vm_address_region_or_mapping_release(&m->common);
}

// The hardware entry at |va|: flags, or 0 if not present.
static uint32_t pte_flags(vaddr_t va, paddr_t* pa) {
  paddr_t p;
  arch_mmu_flags_t f;
  if (arch_aspace_query(fx.aspace->arch, va, &p, &f) != ZX_OK) return 0;
  if (pa) *pa = p;
  return f;
}

static zx_status_t user_write_byte(vaddr_t va, uint8_t v) {
  return vm_aspace_user_access(fx.aspace, va, &v, 1, ARCH_ACCESS_WRITE);
}

static zx_status_t user_read_byte(vaddr_t va, uint8_t* v) {
  return vm_aspace_user_access(fx.aspace, va, v, 1, ARCH_ACCESS_READ);
}

static struct vm_fault_result fault(struct vm_mapping* m, vaddr_t va, uint32_t pf_flags,
                                    size_t additional) {
  struct vm_object* obj = vm_mapping_vmo(m);
  struct multi_page_request req;
  multi_page_request_init(&req);
  struct vm_fault_result r = vm_mapping_page_fault(m, va, pf_flags, additional, obj, &req);
  multi_page_request_fini(&req);
  if (obj) vm_object_release(obj);
  return r;
}

// ---- accessors -------------------------------------------------------------------------------

static void vm_mapping_vmo_returns_object_until_dead(void** state) {
  struct vm_object_paged* vmo = make_vmo(4 * P, 0);
  struct vm_mapping* m = map(vmo, 0, 4 * P, RW);
  struct vm_object* o = vm_mapping_vmo(m);
  assert_ptr_equal(&vmo->base, o);
  vm_object_release(o);
  mutex_lock(&fx.aspace->lock);
  o = vm_mapping_vmo_locked(m);
  mutex_unlock(&fx.aspace->lock);
  assert_ptr_equal(&vmo->base, o);
  vm_object_release(o);
  assert_ok(vm_address_region_or_mapping_destroy(&m->common));
  assert_null(vm_mapping_vmo(m));
  assert_int_equal(VM_LIFECYCLE_DEAD, m->common.state);
  assert_status(ZX_ERR_BAD_STATE, vm_address_region_or_mapping_destroy(&m->common));
  vm_address_region_or_mapping_release(&m->common);
  vm_object_paged_release(vmo);
}

static void vm_mapping_object_offset_and_get_key(void** state) {
  struct vm_object_paged* vmo = make_vmo(8 * P, 0);
  struct vm_mapping* m = map(vmo, 2 * P, 4 * P, RW);
  assert_int_equal(2 * P, vm_mapping_object_offset(m));
  struct vm_mapping_key key = vm_mapping_get_key(m);
  assert_int_equal(2 * P, key.offset);
  assert_int_equal((uint64_t)(uintptr_t)m, key.object);
  unmap_all(m);
  vm_object_paged_release(vmo);
}

static void vm_mapping_mapping_subtree_max_offset_covers_tree(void** state) {
  struct vm_object_paged* vmo = make_vmo(16 * P, 0);
  struct vm_mapping* a = map(vmo, 0, P, RW);
  struct vm_mapping* b = map(vmo, 4 * P, 2 * P, RO);
  struct vm_mapping* c = map(vmo, 10 * P, 3 * P, RX);
  vm_object_lock(&vmo->base);
  uint64_t max = 0;
  struct vm_mapping* all[] = {a, b, c};
  for (int i = 0; i < 3; i++) {
    uint64_t v = vm_mapping_mapping_subtree_max_offset(all[i]);
    assert_true(v >= all[i]->object_offset + vm_mapping_size(all[i]) - 1);
    if (v > max) max = v;
  }
  assert_int_equal(13 * P - 1, max);  // the root's value covers every mapping
  vm_object_unlock(&vmo->base);
  unmap_all(a);
  unmap_all(b);
  unmap_all(c);
  vm_object_paged_release(vmo);
}

static void vm_mapping_object_lock_is_the_vmo_lock(void** state) {
  struct vm_object_paged* vmo = make_vmo(P, 0);
  struct vm_mapping* m = map(vmo, 0, P, RW);
  mutex_lock(&fx.aspace->lock);
  assert_ptr_equal(&vmo->base.hierarchy->lock, vm_mapping_object_lock(m));
  struct mutex* lock = vm_mapping_object_lock(m);
  mutex_lock(lock);
  vm_mapping_assert_object_lock(m);  // would panic if it were another lock
  assert_true(mutex_held(&vmo->base.hierarchy->lock));
  mutex_unlock(lock);
  mutex_unlock(&fx.aspace->lock);
  unmap_all(m);
  vm_object_paged_release(vmo);
}

static void vm_mapping_arch_mmu_flags_range_locked_reports_runs(void** state) {
  struct vm_object_paged* vmo = make_vmo(8 * P, 0);
  struct vm_mapping* m = map(vmo, 0, 8 * P, RW);
  vaddr_t b = vm_mapping_base(m);
  assert_ok(vm_mapping_debug_protect(m, b + 2 * P, 3 * P, RO));
  mutex_lock(&fx.aspace->lock);
  struct flags_range r = vm_mapping_arch_mmu_flags_range_locked(m, b);
  assert_int_equal(RW, r.mmu_flags);
  assert_int_equal(b + 2 * P, r.region_top);
  r = vm_mapping_flags_range_at_addr_locked(m, b + 3 * P);
  assert_int_equal(RO, r.mmu_flags);
  assert_int_equal(b + 5 * P, r.region_top);
  assert_int_equal(RW, vm_mapping_arch_mmu_flags_locked(m, b + 7 * P));
  vm_object_lock(&vmo->base);
  assert_int_equal(RO, vm_mapping_arch_mmu_flags_locked_object(m, b + 4 * P));
  r = vm_mapping_flags_range_at_addr_locked_object(m, b + 5 * P);
  assert_int_equal(RW, r.mmu_flags);
  assert_int_equal(b + 8 * P, r.region_top);
  vm_object_unlock(&vmo->base);
  mutex_unlock(&fx.aspace->lock);
  unmap_all(m);
  vm_object_paged_release(vmo);
}

struct runs {
  int n;
  vaddr_t base[8];
  size_t len[8];
  uint32_t flags[8];
  int stop_after;
};

static zx_status_t record_run(void* ctx, vaddr_t base, size_t len, uint32_t flags) {
  struct runs* r = ctx;
  r->base[r->n] = base;
  r->len[r->n] = len;
  r->flags[r->n] = flags;
  r->n++;
  if (r->stop_after == r->n) return ZX_ERR_STOP;
  if (r->stop_after == -r->n) return ZX_ERR_IO;
  return ZX_ERR_NEXT;
}

static void vm_mapping_enumerate_protection_ranges_locked_visits_runs(void** state) {
  struct vm_object_paged* vmo = make_vmo(8 * P, 0);
  struct vm_mapping* m = map(vmo, 0, 8 * P, RW);
  vaddr_t b = vm_mapping_base(m);
  assert_ok(vm_mapping_debug_protect(m, b + 2 * P, 2 * P, RO));
  assert_ok(vm_mapping_debug_protect(m, b + 6 * P, P, RX));
  mutex_lock(&fx.aspace->lock);
  struct runs r = {0};
  assert_ok(vm_mapping_enumerate_protection_ranges_locked(m, b + P, 6 * P, record_run, &r));
  assert_int_equal(4, r.n);
  assert_int_equal(b + P, r.base[0]);
  assert_int_equal(P, r.len[0]);
  assert_int_equal(RW, r.flags[0]);
  assert_int_equal(b + 2 * P, r.base[1]);
  assert_int_equal(2 * P, r.len[1]);
  assert_int_equal(RO, r.flags[1]);
  assert_int_equal(RW, r.flags[2]);
  assert_int_equal(b + 6 * P, r.base[3]);
  assert_int_equal(P, r.len[3]);  // clipped to the request
  assert_int_equal(RX, r.flags[3]);
  struct runs s = {.stop_after = 2};
  assert_ok(vm_mapping_enumerate_protection_ranges_locked(m, b, 8 * P, record_run, &s));
  assert_int_equal(2, s.n);
  struct runs e = {.stop_after = -1};
  assert_status(ZX_ERR_IO,
                vm_mapping_enumerate_protection_ranges_locked(m, b, 8 * P, record_run, &e));
  vm_object_lock(&vmo->base);
  struct runs o = {0};
  assert_ok(vm_mapping_enumerate_protection_ranges_locked_object(m, b, 8 * P, record_run, &o));
  assert_int_equal(5, o.n);
  vm_object_unlock(&vmo->base);
  mutex_unlock(&fx.aspace->lock);
  unmap_all(m);
  vm_object_paged_release(vmo);
}

// ---- protection ------------------------------------------------------------------------------

static void vm_mapping_debug_protect_changes_hardware_lazily(void** state) {
  struct vm_object_paged* vmo = make_vmo(4 * P, 0);
  struct vm_mapping* m = map(vmo, 0, 4 * P, RW);
  vaddr_t b = vm_mapping_base(m);
  assert_ok(user_write_byte(b + P, 7));
  assert_true(pte_flags(b + P, NULL) & ARCH_MMU_FLAG_PERM_WRITE);
  assert_ok(vm_mapping_debug_protect(m, b, 4 * P, RO));
  uint32_t f = pte_flags(b + P, NULL);
  assert_true(f & ARCH_MMU_FLAG_PERM_READ);
  assert_false(f & ARCH_MMU_FLAG_PERM_WRITE);
  assert_status(ZX_ERR_ACCESS_DENIED, user_write_byte(b + P, 8));
  uint8_t v = 0;
  assert_ok(user_read_byte(b + P, &v));
  assert_int_equal(7, v);
  // Back to RW: the entry does not regain write until a write fault asks for it.
  assert_ok(vm_mapping_debug_protect(m, b, 4 * P, RW));
  assert_false(pte_flags(b + P, NULL) & ARCH_MMU_FLAG_PERM_WRITE);
  assert_ok(user_write_byte(b + P, 9));
  assert_true(pte_flags(b + P, NULL) & ARCH_MMU_FLAG_PERM_WRITE);
  // No permission at all unmaps.
  assert_ok(vm_mapping_debug_protect(m, b, 4 * P, ARCH_MMU_FLAG_PERM_USER));
  assert_int_equal(0, pte_flags(b + P, NULL));
  assert_status(ZX_ERR_ACCESS_DENIED, user_read_byte(b + P, &v));
  unmap_all(m);
  vm_object_paged_release(vmo);
}

// Zircon reports only the first run's old flags when a protect covers the whole mapping; a
// writable entry in a later run would survive. zxvm reports every run.
static void vm_mapping_protect_whole_mapping_removes_write_from_every_run(void** state) {
  struct vm_object_paged* vmo = make_vmo(4 * P, 0);
  struct vm_mapping* m = map(vmo, 0, 4 * P, RW);
  vaddr_t b = vm_mapping_base(m);
  assert_ok(vm_mapping_debug_protect(m, b, 2 * P, RO));  // runs: [RO RO][RW RW]
  assert_ok(user_write_byte(b + 3 * P, 1));
  assert_true(pte_flags(b + 3 * P, NULL) & ARCH_MMU_FLAG_PERM_WRITE);
  assert_ok(vm_mapping_debug_protect(m, b, 4 * P, RO));
  assert_false(pte_flags(b + 3 * P, NULL) & ARCH_MMU_FLAG_PERM_WRITE);
  assert_status(ZX_ERR_ACCESS_DENIED, user_write_byte(b + 3 * P, 2));
  vm_aspace_check(fx.aspace);
  unmap_all(m);
  vm_object_paged_release(vmo);
}

// Gaining write while losing execute: the entry keeps no execute permission, and write is still
// only granted by a fault.
static void vm_mapping_protect_to_writable_drops_other_permissions(void** state) {
  struct vm_object_paged* vmo = make_vmo(P, 0);
  uint32_t rwx = RW | ARCH_MMU_FLAG_PERM_EXECUTE;
  struct vm_mapping* m = map(vmo, 0, P, rwx);
  vaddr_t b = vm_mapping_base(m);
  assert_ok(vm_mapping_debug_protect(m, b, P, RX));
  uint8_t x;
  assert_ok(vm_aspace_user_access(fx.aspace, b, &x, 1, ARCH_ACCESS_EXECUTE));
  assert_true(pte_flags(b, NULL) & ARCH_MMU_FLAG_PERM_EXECUTE);
  assert_ok(vm_mapping_debug_protect(m, b, P, RW));
  uint32_t f = pte_flags(b, NULL);
  assert_false(f & ARCH_MMU_FLAG_PERM_EXECUTE);
  assert_false(f & ARCH_MMU_FLAG_PERM_WRITE);
  assert_status(ZX_ERR_ACCESS_DENIED,
                vm_aspace_user_access(fx.aspace, b, &x, 1, ARCH_ACCESS_EXECUTE));
  assert_ok(user_write_byte(b, 5));
  vm_aspace_check(fx.aspace);
  unmap_all(m);
  vm_object_paged_release(vmo);
}

// ---- unmap, attribution ------------------------------------------------------------------------

static uint64_t attributed_pages(struct vm_mapping* m) {
  struct vm_attribution_counts c = vm_mapping_get_attributed_memory(m);
  return c.uncompressed_bytes / P;
}

static struct vm_mapping* mapping_at(vaddr_t va) {
  mutex_lock(&fx.aspace->lock);
  struct vm_mapping* m = vm_aspace_find_mapping_locked(fx.aspace, va);
  if (m) vm_address_region_or_mapping_acquire(&m->common);
  mutex_unlock(&fx.aspace->lock);
  return m;
}

// Spec §7 item 27: MapRange(commit), then unmap from the right, the middle and the left.
static void vm_mapping_debug_unmap_splits_and_attribution_follows(void** state) {
  struct vm_object_paged* vmo = make_vmo(10 * P, 0);
  struct vm_mapping* m = map(vmo, 0, 10 * P, RW);
  vaddr_t b = vm_mapping_base(m);
  assert_ok(vm_mapping_map_range(m, 0, 10 * P, true, false));
  assert_int_equal(10, attributed_pages(m));
  assert_ok(vm_mapping_debug_unmap(m, b + 7 * P, 3 * P));  // right: 7 pages left
  assert_int_equal(VM_LIFECYCLE_DEAD, m->common.state);
  assert_int_equal(0, attributed_pages(m));
  vm_address_region_or_mapping_release(&m->common);
  m = mapping_at(b);
  assert_int_equal(7 * P, vm_mapping_size(m));
  assert_int_equal(7, attributed_pages(m));
  assert_ok(vm_mapping_debug_unmap(m, b + 4 * P, P));  // middle: 4 + 2
  vm_address_region_or_mapping_release(&m->common);
  m = mapping_at(b);
  struct vm_mapping* right = mapping_at(b + 5 * P);
  assert_int_equal(4 * P, vm_mapping_size(m));
  assert_int_equal(2 * P, vm_mapping_size(right));
  assert_int_equal(5 * P, right->object_offset);
  assert_null(mapping_at(b + 4 * P));
  assert_int_equal(0, pte_flags(b + 4 * P, NULL));
  assert_true(pte_flags(b + 5 * P, NULL) & ARCH_MMU_FLAG_PERM_READ);
  assert_ok(vm_mapping_debug_unmap(m, b, P));  // left: 3 pages
  vm_address_region_or_mapping_release(&m->common);
  m = mapping_at(b + P);
  assert_int_equal(3 * P, vm_mapping_size(m));
  assert_int_equal(P, m->object_offset);
  assert_int_equal(3, attributed_pages(m));
  vm_aspace_check(fx.aspace);
  unmap_all(m);
  unmap_all(right);
  vm_object_paged_release(vmo);
}

// Protection runs survive a split: each piece keeps the runs of its range.
static void vm_mapping_debug_unmap_keeps_protection_runs(void** state) {
  struct vm_object_paged* vmo = make_vmo(8 * P, 0);
  struct vm_mapping* m = map(vmo, 0, 8 * P, RW);
  vaddr_t b = vm_mapping_base(m);
  assert_ok(vm_mapping_debug_protect(m, b + P, P, RO));
  assert_ok(vm_mapping_debug_protect(m, b + 6 * P, P, RO));
  assert_ok(vm_mapping_debug_unmap(m, b + 3 * P, 2 * P));
  vm_address_region_or_mapping_release(&m->common);
  struct vm_mapping* l = mapping_at(b);
  struct vm_mapping* r = mapping_at(b + 5 * P);
  mutex_lock(&fx.aspace->lock);
  assert_int_equal(RW, vm_mapping_arch_mmu_flags_locked(l, b));
  assert_int_equal(RO, vm_mapping_arch_mmu_flags_locked(l, b + P));
  assert_int_equal(RW, vm_mapping_arch_mmu_flags_locked(l, b + 2 * P));
  assert_int_equal(RW, vm_mapping_arch_mmu_flags_locked(r, b + 5 * P));
  assert_int_equal(RO, vm_mapping_arch_mmu_flags_locked(r, b + 6 * P));
  assert_int_equal(RW, vm_mapping_arch_mmu_flags_locked(r, b + 7 * P));
  mutex_unlock(&fx.aspace->lock);
  unmap_all(l);
  unmap_all(r);
  vm_object_paged_release(vmo);
}

// Spec §7 item 26: a mapping counts only its window; DecommitRange.
static void vm_mapping_get_attributed_memory_counts_window(void** state) {
  struct vm_object_paged* vmo = make_vmo(8 * P, 0);
  assert_ok(vm_object_paged_commit_range(vmo, 0, 8 * P));
  struct vm_mapping* m = map(vmo, 2 * P, 4 * P, RW);
  assert_int_equal(4, attributed_pages(m));
  struct vm_attribution_counts c = vm_mapping_get_attributed_memory(m);
  assert_int_equal(4 * P, c.private_uncompressed_bytes);
  assert_int_equal(4 * P, c.scaled_uncompressed_bytes.integral);
  assert_ok(vm_mapping_decommit_range(m, P, 2 * P));
  assert_int_equal(2, attributed_pages(m));
  unmap_all(m);
  vm_object_paged_release(vmo);
}

static void vm_mapping_decommit_range_unmaps_and_checks_bounds(void** state) {
  struct vm_object_paged* vmo = make_vmo(4 * P, 0);
  struct vm_mapping* m = map(vmo, 0, 4 * P, RW);
  vaddr_t b = vm_mapping_base(m);
  for (int i = 0; i < 4; i++) assert_ok(user_write_byte(b + i * P, (uint8_t)(i + 1)));
  assert_ok(vm_mapping_decommit_range(m, P, 2 * P));
  assert_int_equal(0, pte_flags(b + P, NULL));
  assert_int_equal(0, pte_flags(b + 2 * P, NULL));
  uint8_t v = 0xff;
  assert_ok(user_read_byte(b + P, &v));
  assert_int_equal(0, v);
  assert_ok(user_read_byte(b + 3 * P, &v));
  assert_int_equal(4, v);
  assert_status(ZX_ERR_OUT_OF_RANGE, vm_mapping_decommit_range(m, 3 * P, 2 * P));
  assert_status(ZX_ERR_OUT_OF_RANGE, vm_mapping_decommit_range(m, P, UINT64_MAX));
  assert_status(ZX_ERR_INVALID_ARGS, vm_mapping_decommit_range(m, 1, P));  // VMO: unaligned
  assert_ok(vm_address_region_or_mapping_destroy(&m->common));
  assert_status(ZX_ERR_BAD_STATE, vm_mapping_decommit_range(m, 0, P));
  vm_address_region_or_mapping_release(&m->common);
  vm_object_paged_release(vmo);
}

// ---- MapRange --------------------------------------------------------------------------------

static void vm_mapping_map_range_maps_present_pages_or_commits(void** state) {
  struct vm_object_paged* vmo = make_vmo(8 * P, 0);
  assert_ok(vm_object_paged_commit_range(vmo, 2 * P, 2 * P));
  struct vm_mapping* m = map(vmo, 0, 8 * P, RW);
  vaddr_t b = vm_mapping_base(m);
  assert_ok(vm_mapping_map_range(m, 0, 8 * P, false, false));
  for (int i = 0; i < 8; i++) {
    bool present = pte_flags(b + i * P, NULL) != 0;
    assert_int_equal(i == 2 || i == 3, present);
  }
  // Mapping again with Error semantics finds the existing entries.
  assert_status(ZX_ERR_ALREADY_EXISTS, vm_mapping_map_range(m, 0, 8 * P, false, false));
  assert_ok(vm_mapping_map_range(m, 0, 8 * P, false, true));
  assert_ok(vm_mapping_map_range(m, 4 * P, 4 * P, true, false));
  for (int i = 4; i < 8; i++) assert_true(pte_flags(b + i * P, NULL) & ARCH_MMU_FLAG_PERM_READ);
  assert_int_equal(6, attributed_pages(m));
  assert_status(ZX_ERR_INVALID_ARGS, vm_mapping_map_range(m, 0, 0, false, false));
  assert_status(ZX_ERR_INVALID_ARGS, vm_mapping_map_range(m, 1, P, false, false));
  assert_status(ZX_ERR_INVALID_ARGS, vm_mapping_map_range(m, 4 * P, 5 * P, false, false));
  assert_status(ZX_ERR_INVALID_ARGS, vm_mapping_map_range(m, 0, SIZE_MAX, false, false));
  vm_aspace_check(fx.aspace);
  assert_ok(vm_address_region_or_mapping_destroy(&m->common));
  assert_status(ZX_ERR_BAD_STATE, vm_mapping_map_range(m, 0, P, false, false));
  vm_address_region_or_mapping_release(&m->common);
  vm_object_paged_release(vmo);
}

// Spec §7 item 29: MapRange over a 16 GiB mostly-empty VMO is cheap and correct.
static void vm_mapping_map_range_sparse_vmo(void** state) {
  struct vm_object_paged* vmo = make_vmo(16ull << 30, 0);
  assert_ok(vm_object_paged_commit_range(vmo, 0, P));
  assert_ok(vm_object_paged_commit_range(vmo, 8ull << 30, P));
  assert_ok(vm_object_paged_commit_range(vmo, (16ull << 30) - P, P));
  struct vm_mapping* m = map(vmo, 0, 16ull << 30, RW);
  vaddr_t b = vm_mapping_base(m);
  assert_ok(vm_mapping_map_range(m, 0, 16ull << 30, false, false));
  struct arch_aspace_counts counts;
  arch_aspace_get_counts(fx.aspace->arch, &counts);
  assert_int_equal(3, counts.present_entries);
  assert_true(pte_flags(b + (8ull << 30), NULL) != 0);
  assert_true(pte_flags(b + (16ull << 30) - P, NULL) != 0);
  unmap_all(m);
  vm_object_paged_release(vmo);
}

// ---- page faults -------------------------------------------------------------------------------

// Spec §7 item 30: optimistic mapping of present pages on a read fault.
static void vm_mapping_page_fault_maps_up_to_16_present_pages(void** state) {
  static const struct {
    uint64_t committed_pages;
    uint32_t expected;
  } cases[] = {{32, 16}, {0, 1}, {1, 1}, {4, 4}};
  for (size_t i = 0; i < countof(cases); i++) {
    struct vm_object_paged* vmo = make_vmo(32 * P, 0);
    if (cases[i].committed_pages) {
      assert_ok(vm_object_paged_commit_range(vmo, 0, cases[i].committed_pages * P));
    }
    // A 2 MiB-aligned mapping, so no page-table boundary interferes.
    struct vm_mapping* m;
    vaddr_t base;
    assert_ok(vm_address_region_create_vm_mapping(fx.root, 0, 32 * P, 21, 0, &vmo->base, 0, RW, "m",
                                                  &m, &base));
    struct vm_fault_result r = fault(m, base, VMM_PF_FLAG_USER, 0);
    assert_ok(r.status);
    assert_int_equal(cases[i].expected, r.pages_mapped);
    vm_aspace_check(fx.aspace);
    unmap_all(m);
    vm_object_paged_release(vmo);
  }
}

// Spec §7 item 31: the optimistic window stops at the next page-table boundary.
static void vm_mapping_page_fault_stops_at_page_table_boundary(void** state) {
  for (uint64_t before = 1; before <= 17; before += 4) {
    struct vm_object_paged* vmo = make_vmo(64 * P, 0);
    assert_ok(vm_object_paged_commit_range(vmo, 0, 64 * P));
    // Place the mapping so that page 0 lies |before| pages below a 2 MiB boundary.
    vaddr_t root_base = vm_region_base(&fx.root->common);
    vaddr_t boundary = (root_base + (4ull << 21)) & ~((2ull << 20) - 1);
    vaddr_t va = boundary - before * P;
    struct vm_mapping* m = map_at(vmo, 0, 64 * P, RW, va);
    struct vm_fault_result r = fault(m, va, VMM_PF_FLAG_USER, 0);
    assert_ok(r.status);
    uint32_t expected = before < 16 ? (uint32_t)before : 16;
    assert_int_equal(expected, r.pages_mapped);
    unmap_all(m);
    vm_object_paged_release(vmo);
  }
}

// Spec §7 item 32 (the parts without a pager): explicit ranges.
static void vm_mapping_page_fault_additional_pages_is_exact(void** state) {
  struct vm_object_paged* vmo = make_vmo(8 * P, 0);
  assert_ok(vm_object_paged_commit_range(vmo, 0, 8 * P));
  struct vm_mapping* m = map(vmo, 0, 16 * P, RW);  // larger than the VMO
  vaddr_t b = vm_mapping_base(m);
  struct vm_fault_result r = fault(m, b, VMM_PF_FLAG_USER, 3);
  assert_ok(r.status);
  assert_int_equal(4, r.pages_mapped);  // an explicit range disables optimism
  assert_int_equal(0, pte_flags(b + 4 * P, NULL));
  // A range past the VMO is truncated, not an error.
  r = fault(m, b + 6 * P, VMM_PF_FLAG_USER, 9);
  assert_ok(r.status);
  assert_int_equal(2, r.pages_mapped);
  // At or past the VMO's end: out of range.
  r = fault(m, b + 8 * P, VMM_PF_FLAG_USER, 0);
  assert_status(ZX_ERR_OUT_OF_RANGE, r.status);
  assert_int_equal(0, r.pages_mapped);
  unmap_all(m);
  vm_object_paged_release(vmo);
}

static void vm_mapping_page_fault_read_maps_zero_page_write_commits(void** state) {
  struct vm_object_paged* vmo = make_vmo(4 * P, 0);
  struct vm_mapping* m = map(vmo, 0, 4 * P, RW);
  vaddr_t b = vm_mapping_base(m);
  struct vm_fault_result r = fault(m, b, VMM_PF_FLAG_USER, 1);
  assert_ok(r.status);
  assert_int_equal(2, r.pages_mapped);
  paddr_t pa;
  uint32_t f = pte_flags(b, &pa);
  assert_int_equal(pmm_zero_page_paddr(), pa);
  assert_false(f & ARCH_MMU_FLAG_PERM_WRITE);
  assert_int_equal(0, attributed_pages(m));  // reading committed nothing
  r = fault(m, b, VMM_PF_FLAG_USER | VMM_PF_FLAG_WRITE, 0);
  assert_ok(r.status);
  f = pte_flags(b, &pa);
  assert_true(pa != pmm_zero_page_paddr());
  assert_true(f & ARCH_MMU_FLAG_PERM_WRITE);
  assert_int_equal(1, attributed_pages(m));
  vm_aspace_check(fx.aspace);
  unmap_all(m);
  vm_object_paged_release(vmo);
}

static void vm_mapping_page_fault_checks_permissions(void** state) {
  struct vm_object_paged* vmo = make_vmo(2 * P, 0);
  struct vm_mapping* m = map(vmo, 0, 2 * P, RO);
  vaddr_t b = vm_mapping_base(m);
  assert_status(ZX_ERR_ACCESS_DENIED, fault(m, b, VMM_PF_FLAG_USER | VMM_PF_FLAG_WRITE, 0).status);
  assert_status(ZX_ERR_ACCESS_DENIED,
                fault(m, b, VMM_PF_FLAG_USER | VMM_PF_FLAG_INSTRUCTION, 0).status);
  assert_ok(fault(m, b, VMM_PF_FLAG_USER, 0).status);
  // A supervisor fault on a user mapping passes the USER check; a user fault on a mapping
  // without PERM_USER does not.
  struct vm_mapping* k = map(vmo, 0, P, ARCH_MMU_FLAG_PERM_READ);
  assert_status(ZX_ERR_ACCESS_DENIED, fault(k, vm_mapping_base(k), VMM_PF_FLAG_USER, 0).status);
  assert_ok(fault(k, vm_mapping_base(k), 0, 0).status);
  unmap_all(k);
  unmap_all(m);
  vm_object_paged_release(vmo);
}

static void vm_mapping_page_fault_returns_unavailable_once_dead(void** state) {
  struct vm_object_paged* vmo = make_vmo(P, 0);
  struct vm_mapping* m = map(vmo, 0, P, RW);
  vaddr_t b = vm_mapping_base(m);
  struct vm_object* obj = vm_mapping_vmo(m);
  assert_ok(vm_address_region_or_mapping_destroy(&m->common));
  struct multi_page_request req;
  multi_page_request_init(&req);
  struct vm_fault_result r = vm_mapping_page_fault(m, b, VMM_PF_FLAG_USER, 0, obj, &req);
  assert_status(ZX_ERR_UNAVAILABLE, r.status);
  assert_int_equal(0, r.pages_mapped);
  mutex_lock(&fx.aspace->lock);
  r = vm_mapping_page_fault_locked(m, b, VMM_PF_FLAG_USER, 0, &req);
  mutex_unlock(&fx.aspace->lock);
  assert_status(ZX_ERR_BAD_STATE, r.status);
  multi_page_request_fini(&req);
  vm_object_release(obj);
  vm_address_region_or_mapping_release(&m->common);
  vm_object_paged_release(vmo);
}

static void vm_mapping_page_fault_locked_resolves_and_sees_shrink(void** state) {
  struct vm_object_paged* vmo = make_vmo(4 * P, VM_OBJECT_PAGED_RESIZABLE);
  struct vm_mapping* m = map(vmo, 0, 4 * P, RW);
  vaddr_t b = vm_mapping_base(m);
  struct multi_page_request req;
  multi_page_request_init(&req);
  mutex_lock(&fx.aspace->lock);
  struct vm_fault_result r =
      vm_mapping_page_fault_locked(m, b + 3 * P, VMM_PF_FLAG_USER | VMM_PF_FLAG_WRITE, 0, &req);
  mutex_unlock(&fx.aspace->lock);
  assert_ok(r.status);
  assert_int_equal(1, r.pages_mapped);
  assert_ok(vm_object_paged_set_size(vmo, 2 * P));
  assert_int_equal(0, pte_flags(b + 3 * P, NULL));  // shrinking unmapped it
  mutex_lock(&fx.aspace->lock);
  r = vm_mapping_page_fault_locked(m, b + 3 * P, VMM_PF_FLAG_USER, 0, &req);
  mutex_unlock(&fx.aspace->lock);
  assert_status(ZX_ERR_OUT_OF_RANGE, r.status);
  uint8_t v;
  assert_status(ZX_ERR_OUT_OF_RANGE, user_read_byte(b + 2 * P, &v));
  assert_ok(user_read_byte(b + P, &v));
  multi_page_request_fini(&req);
  unmap_all(m);
  vm_object_paged_release(vmo);
}

// ---- the VMO-side callbacks ------------------------------------------------------------------

static void vm_mapping_aspace_unmap_locked_object_unmaps_intersection(void** state) {
  struct vm_object_paged* vmo = make_vmo(8 * P, 0);
  assert_ok(vm_object_paged_commit_range(vmo, 0, 8 * P));
  struct vm_mapping* m = map(vmo, 2 * P, 4 * P, RW);  // VMO [2P, 6P)
  vaddr_t b = vm_mapping_base(m);
  assert_ok(vm_mapping_map_range(m, 0, 4 * P, false, false));
  vm_object_lock(&vmo->base);
  vm_mapping_aspace_unmap_locked_object(m, 0, 3 * P, VM_UNMAP_NONE);     // VMO page 2 only
  vm_mapping_aspace_unmap_locked_object(m, 7 * P, P, VM_UNMAP_HARVEST);  // no intersection
  vm_object_unlock(&vmo->base);
  assert_int_equal(0, pte_flags(b, NULL));
  assert_true(pte_flags(b + P, NULL) != 0);
  vm_object_lock(&vmo->base);
  vm_mapping_aspace_unmap_locked_object(m, 5 * P, 1, VM_UNMAP_HARVEST);  // byte range: page 5
  vm_object_unlock(&vmo->base);
  assert_int_equal(0, pte_flags(b + 3 * P, NULL));
  assert_true(pte_flags(b + 2 * P, NULL) != 0);
  unmap_all(m);
  vm_object_paged_release(vmo);
}

static void vm_mapping_aspace_remove_write_locked_object_downgrades(void** state) {
  struct vm_object_paged* vmo = make_vmo(4 * P, 0);
  struct vm_mapping* m = map(vmo, 0, 4 * P, RW);
  vaddr_t b = vm_mapping_base(m);
  for (int i = 0; i < 4; i++) assert_ok(user_write_byte(b + i * P, 1));
  vm_object_lock(&vmo->base);
  vm_mapping_aspace_remove_write_locked_object(m, P, 2 * P);
  vm_object_unlock(&vmo->base);
  assert_true(pte_flags(b, NULL) & ARCH_MMU_FLAG_PERM_WRITE);
  assert_false(pte_flags(b + P, NULL) & ARCH_MMU_FLAG_PERM_WRITE);
  assert_true(pte_flags(b + P, NULL) & ARCH_MMU_FLAG_PERM_READ);
  assert_false(pte_flags(b + 2 * P, NULL) & ARCH_MMU_FLAG_PERM_WRITE);
  assert_true(pte_flags(b + 3 * P, NULL) & ARCH_MMU_FLAG_PERM_WRITE);
  // The next write faults and regains write permission.
  assert_ok(user_write_byte(b + P, 2));
  assert_true(pte_flags(b + P, NULL) & ARCH_MMU_FLAG_PERM_WRITE);
  unmap_all(m);
  vm_object_paged_release(vmo);
}

static void vm_mapping_aspace_debug_unpin_locked_object_changes_nothing(void** state) {
  struct vm_object_paged* vmo = make_vmo(2 * P, 0);
  struct vm_mapping* m = map(vmo, 0, 2 * P, RW);
  vaddr_t b = vm_mapping_base(m);
  assert_ok(user_write_byte(b, 1));
  uint32_t before = pte_flags(b, NULL);
  vm_object_lock(&vmo->base);
  vm_mapping_aspace_debug_unpin_locked_object(m, 0, 2 * P);
  vm_object_unlock(&vmo->base);
  assert_int_equal(before, pte_flags(b, NULL));
  unmap_all(m);
  vm_object_paged_release(vmo);
}

// Replacing a zero page unmaps the read-only zero-page entries of every other mapping.
static void vm_mapping_write_fault_replaces_zero_page_in_other_mappings(void** state) {
  struct vm_object_paged* vmo = make_vmo(P, 0);
  struct vm_mapping* a = map(vmo, 0, P, RW);
  struct vm_mapping* c = map(vmo, 0, P, RO);
  uint8_t v = 0xff;
  assert_ok(user_read_byte(vm_mapping_base(a), &v));
  assert_ok(user_read_byte(vm_mapping_base(c), &v));
  paddr_t pa;
  assert_true(pte_flags(vm_mapping_base(c), &pa) != 0);
  assert_int_equal(pmm_zero_page_paddr(), pa);
  assert_ok(user_write_byte(vm_mapping_base(a), 42));
  vm_aspace_check(fx.aspace);
  assert_ok(user_read_byte(vm_mapping_base(c), &v));
  assert_int_equal(42, v);
  unmap_all(a);
  unmap_all(c);
  vm_object_paged_release(vmo);
}

// ---- merging (spec §7 item 16) ------------------------------------------------------------------

// Maps two mappings side by side and marks both mergeable; returns whether one mapping remains.
static bool try_merge(struct vm_object_paged* va_vmo, uint64_t off_a,
                      struct vm_object_paged* vb_vmo, uint64_t off_b, uint32_t flags_a,
                      uint32_t flags_b, bool left_first) {
  vaddr_t base = vm_region_base(&fx.root->common) + (64ull << 20);
  struct vm_mapping* a = map_at(va_vmo, off_a, 2 * P, flags_a, base);
  struct vm_mapping* b = map_at(vb_vmo, off_b, 2 * P, flags_b, base + 2 * P);
  if (left_first) {
    vm_mapping_mark_mergeable(a);
    vm_mapping_mark_mergeable(b);
  } else {
    vm_mapping_mark_mergeable(b);
    vm_mapping_mark_mergeable(a);
  }
  struct vm_mapping* left = mapping_at(base);
  struct vm_mapping* right = mapping_at(base + 2 * P);
  bool merged = left == right;
  if (merged) {
    assert_int_equal(4 * P, vm_mapping_size(left));
    assert_int_equal(off_a, left->object_offset);
    assert_true(left->mergeable);
  }
  vm_aspace_check(fx.aspace);
  unmap_all(left);
  if (!merged)
    unmap_all(right);
  else
    vm_address_region_or_mapping_release(&right->common);
  return merged;
}

static void vm_mapping_mark_mergeable_follows_merge_rules(void** state) {
  struct vm_object_paged* v1 = make_vmo(8 * P, 0);
  struct vm_object_paged* v2 = make_vmo(8 * P, 0);
  for (int order = 0; order < 2; order++) {
    bool lf = order == 0;
    assert_true(try_merge(v1, 0, v1, 2 * P, RW, RW, lf));   // contiguous in VA and VMO
    assert_false(try_merge(v1, 0, v1, 4 * P, RW, RW, lf));  // VMO gap
    assert_false(try_merge(v1, 2 * P, v1, 0, RW, RW, lf));  // VMO order reversed
    assert_false(try_merge(v1, 0, v2, 2 * P, RW, RW, lf));  // different VMOs
    // Created with different permissions, the two have different CAN_MAP_* ceilings.
    assert_false(try_merge(v1, 0, v1, 2 * P, RW, RO, lf));
  }
  // Same ceilings but different current protections do merge; the runs are concatenated.
  vaddr_t base = vm_region_base(&fx.root->common) + (64ull << 20);
  struct vm_mapping* a = map_at(v1, 0, 2 * P, RW, base);
  struct vm_mapping* b = map_at(v1, 2 * P, 2 * P, RW, base + 2 * P);
  assert_ok(vm_mapping_debug_protect(a, base, 2 * P, RO));
  vm_mapping_mark_mergeable(a);
  vm_mapping_mark_mergeable(b);
  struct vm_mapping* m = mapping_at(base);
  assert_int_equal(4 * P, vm_mapping_size(m));
  mutex_lock(&fx.aspace->lock);
  assert_int_equal(RO, vm_mapping_arch_mmu_flags_locked(m, base));
  assert_int_equal(RW, vm_mapping_arch_mmu_flags_locked(m, base + 2 * P));
  mutex_unlock(&fx.aspace->lock);
  // Attribution moves to the surviving mapping (spec §7 item 28).
  assert_ok(vm_mapping_map_range(m, 0, 4 * P, true, false));
  assert_int_equal(4, attributed_pages(m));
  unmap_all(m);
  // A mapping that is not marked mergeable is left alone.
  a = map_at(v1, 0, 2 * P, RW, base);
  b = map_at(v1, 2 * P, 2 * P, RW, base + 2 * P);
  vm_mapping_mark_mergeable(b);
  m = mapping_at(base + 2 * P);
  assert_int_equal(2 * P, vm_mapping_size(m));
  vm_address_region_or_mapping_release(&m->common);
  unmap_all(a);
  m = mapping_at(base + 2 * P);
  unmap_all(m);
  vm_object_paged_release(v1);
  vm_object_paged_release(v2);
}

// Mappings in different VMARs never merge.
static void vm_mapping_mark_mergeable_never_crosses_vmars(void** state) {
  struct vm_object_paged* vmo = make_vmo(8 * P, 0);
  struct vm_address_region *s1, *s2;
  vaddr_t base = vm_region_base(&fx.root->common) + (64ull << 20);
  size_t rel = base - vm_region_base(&fx.root->common);
  uint32_t vf = VMAR_FLAG_SPECIFIC | VMAR_FLAG_CAN_MAP_SPECIFIC | VMAR_CAN_RWX_FLAGS;
  assert_ok(vm_address_region_create_sub_vmar(fx.root, rel, 2 * P, 0, vf, "s1", &s1));
  assert_ok(vm_address_region_create_sub_vmar(fx.root, rel + 2 * P, 2 * P, 0, vf, "s2", &s2));
  struct vm_mapping *a, *b;
  vaddr_t va;
  assert_ok(vm_address_region_create_vm_mapping(s1, 0, 2 * P, 0, VMAR_FLAG_SPECIFIC, &vmo->base, 0,
                                                RW, "a", &a, &va));
  assert_ok(vm_address_region_create_vm_mapping(s2, 0, 2 * P, 0, VMAR_FLAG_SPECIFIC, &vmo->base,
                                                2 * P, RW, "b", &b, &va));
  vm_mapping_mark_mergeable(a);
  vm_mapping_mark_mergeable(b);
  struct vm_mapping* m = mapping_at(base);
  assert_int_equal(2 * P, vm_mapping_size(m));
  vm_address_region_or_mapping_release(&m->common);
  assert_ok(vm_address_region_or_mapping_destroy(&s1->common));
  assert_ok(vm_address_region_or_mapping_destroy(&s2->common));
  vm_address_region_or_mapping_release(&s1->common);
  vm_address_region_or_mapping_release(&s2->common);
  vm_object_paged_release(vmo);
}

// ---- ForceWritable, dump
// -------------------------------------------------------------------------

static void vm_mapping_force_writable_self_or_private_clone(void** state) {
  struct vm_object_paged* vmo = make_vmo(P, 0);
  struct vm_mapping* m = map(vmo, 0, P, RW);
  struct vm_mapping* w = NULL;
  assert_ok(vm_mapping_force_writable(m, &w));
  assert_ptr_equal(m, w);
  vm_address_region_or_mapping_release(&w->common);
  // A read-only mapping gets a private copy-on-write clone of its range in its place: a write
  // through the returned mapping (as a debugger's) never reaches the original VMO.
  assert_ok(vm_object_paged_write(vmo, "a", 0, 1));
  struct vm_mapping* r = map(vmo, 0, P, RO);
  vaddr_t rb = vm_mapping_base(r);
  assert_ok(vm_mapping_force_writable(r, &w));
  assert_ptr_not_equal(r, w);
  assert_int_equal(VM_LIFECYCLE_DEAD, r->common.state);
  assert_true(w->private_clone);
  assert_int_equal(rb, vm_mapping_base(w));
  assert_int_equal(P, vm_mapping_size(w));
  assert_int_equal(0, vm_mapping_object_offset(w));
  struct vm_object* o = vm_mapping_vmo(w);
  assert_ptr_not_equal(&vmo->base, o);
  assert_ok(vm_object_paged_write(vm_object_paged_from_object(o), "b", 0, 1));
  vm_object_release(o);
  uint8_t v = 0;
  assert_ok(vm_object_paged_read(vmo, &v, 0, 1));
  assert_int_equal('a', v);
  assert_ok(user_read_byte(rb, &v));
  assert_int_equal('b', v);
  // Already private: itself. Dead: BAD_STATE.
  struct vm_mapping* w2 = NULL;
  assert_ok(vm_mapping_force_writable(w, &w2));
  assert_ptr_equal(w, w2);
  vm_address_region_or_mapping_release(&w2->common);
  assert_status(ZX_ERR_BAD_STATE, vm_mapping_force_writable(r, &w2));
  vm_address_region_or_mapping_release(&r->common);
  unmap_all(w);
  unmap_all(m);
  vm_object_paged_release(vmo);
}

struct text {
  char buf[4096];
  size_t len;
};

static void text_write(void* ctx, const char* s, size_t n) {
  struct text* t = ctx;
  if (t->len + n >= sizeof(t->buf)) n = sizeof(t->buf) - 1 - t->len;
  memcpy(t->buf + t->len, s, n);
  t->len += n;
  t->buf[t->len] = 0;
}

static void vm_mapping_dump_locked_prints_mapping_runs_and_vmo(void** state) {
  struct vm_object_paged* vmo = make_vmo(4 * P, 0);
  vm_object_set_name(&vmo->base, "dumpme", 6);
  struct vm_mapping* m = map(vmo, 0, 4 * P, RW);
  vaddr_t b = vm_mapping_base(m);
  assert_ok(vm_mapping_debug_protect(m, b + P, P, RO));
  struct text t = {.len = 0};
  struct printer p = {text_write, &t};
  mutex_lock(&fx.aspace->lock);
  vm_mapping_dump_locked(m, 1, false, &p);
  mutex_unlock(&fx.aspace->lock);
  char expect[128];
  snprintf(expect, sizeof(expect), "  map %p [%#lx %#lx] sz %#lx state 1 mergeable false\n",
           (void*)m, (unsigned long)b, (unsigned long)(b + 4 * P - 1), (unsigned long)(4 * P));
  assert_memory_equal(expect, t.buf, strlen(expect));
  snprintf(expect, sizeof(expect), "    [%#lx %#lx] mmufl %#x\n", (unsigned long)(b + P),
           (unsigned long)(b + 2 * P - 1), RO);
  assert_non_null(strstr(t.buf, expect));
  assert_non_null(strstr(t.buf, "'dumpme'"));
  assert_non_null(strstr(t.buf, "    vmo "));
  unmap_all(m);
  vm_object_paged_release(vmo);
}

int main(void) {
  const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
      T(vm_mapping_vmo_returns_object_until_dead),
      T(vm_mapping_object_offset_and_get_key),
      T(vm_mapping_mapping_subtree_max_offset_covers_tree),
      T(vm_mapping_object_lock_is_the_vmo_lock),
      T(vm_mapping_arch_mmu_flags_range_locked_reports_runs),
      T(vm_mapping_enumerate_protection_ranges_locked_visits_runs),
      T(vm_mapping_debug_protect_changes_hardware_lazily),
      T(vm_mapping_protect_whole_mapping_removes_write_from_every_run),
      T(vm_mapping_protect_to_writable_drops_other_permissions),
      T(vm_mapping_debug_unmap_splits_and_attribution_follows),
      T(vm_mapping_debug_unmap_keeps_protection_runs),
      T(vm_mapping_get_attributed_memory_counts_window),
      T(vm_mapping_decommit_range_unmaps_and_checks_bounds),
      T(vm_mapping_map_range_maps_present_pages_or_commits),
      T(vm_mapping_map_range_sparse_vmo),
      T(vm_mapping_page_fault_maps_up_to_16_present_pages),
      T(vm_mapping_page_fault_stops_at_page_table_boundary),
      T(vm_mapping_page_fault_additional_pages_is_exact),
      T(vm_mapping_page_fault_read_maps_zero_page_write_commits),
      T(vm_mapping_page_fault_checks_permissions),
      T(vm_mapping_page_fault_returns_unavailable_once_dead),
      T(vm_mapping_page_fault_locked_resolves_and_sees_shrink),
      T(vm_mapping_aspace_unmap_locked_object_unmaps_intersection),
      T(vm_mapping_aspace_remove_write_locked_object_downgrades),
      T(vm_mapping_aspace_debug_unpin_locked_object_changes_nothing),
      T(vm_mapping_write_fault_replaces_zero_page_in_other_mappings),
      T(vm_mapping_mark_mergeable_follows_merge_rules),
      T(vm_mapping_mark_mergeable_never_crosses_vmars),
      T(vm_mapping_force_writable_self_or_private_clone),
      T(vm_mapping_dump_locked_prints_mapping_runs_and_vmo),
#undef T
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
