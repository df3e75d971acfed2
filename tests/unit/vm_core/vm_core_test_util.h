// Helpers shared by the VM-core tests (VMARs, aspaces, the fault path): a small pmm per test,
// aspace and VMO creation, protection queries, and leak checks at teardown.
#ifndef ZXVM_TESTS_UNIT_VM_CORE_VM_CORE_TEST_UTIL_H_
#define ZXVM_TESTS_UNIT_VM_CORE_VM_CORE_TEST_UTIL_H_

#include <string.h>

#include "test_util.h"
// The library headers after the test harness.
#include "arch/arch_aspace.h"
#include "base/alloc_fail.h"
#include "pmm/pmm.h"
#include "vm/vm_address_region.h"
#include "vm/vm_aspace.h"
#include "vm/vm_object_paged.h"

#define VT_ARENA_PAGES 4096u
#define VT_PERM_R (ARCH_MMU_FLAG_PERM_USER | ARCH_MMU_FLAG_PERM_READ)
#define VT_PERM_RW (VT_PERM_R | ARCH_MMU_FLAG_PERM_WRITE)
#define VT_PERM_RX (VT_PERM_R | ARCH_MMU_FLAG_PERM_EXECUTE)
#define VT_PERM_RWX (VT_PERM_RW | ARCH_MMU_FLAG_PERM_EXECUTE)
#define VT_NO_MAPPING 0xffffffffu

static inline int vt_setup(void** state) {
  (void)state;
  assert_ok(pmm_init(VT_ARENA_PAGES * PAGE_SIZE));
  return 0;
}

// Fails (instead of letting pmm_shutdown panic and hide cmocka's report) when a test leaked
// pages or page tables.
static inline int vt_teardown(void** state) {
  (void)state;
  if (ZXVM_TESTING_ENABLED) alloc_fail_arm(0);
  pmm_thread_cache_drain();
  struct pmm_counts c;
  pmm_get_counts(&c);
  if (c.free_pages + 1 != c.total_pages) {
    print_error("test left %" PRIu64 " pages allocated\n", c.total_pages - 1 - c.free_pages);
    return -1;
  }
  if (arch_debug_total_table_pages() != 0) {
    print_error("test left %" PRIu64 " page-table pages\n", arch_debug_total_table_pages());
    return -1;
  }
  pmm_shutdown();
  return 0;
}

// An aspace over [base, base + size) (0 = defaults), ASLR per |aslr_bits| (0 = off).
static inline struct vm_aspace* vt_aspace(vaddr_t base, size_t size, unsigned aslr_bits,
                                          uint64_t seed) {
  struct vm_aspace_config cfg;
  memset(&cfg, 0, sizeof(cfg));
  cfg.backend = ARCH_BACKEND_SOFT;
  cfg.base = base;
  cfg.size = size;
  cfg.aslr_enabled = aslr_bits != 0;
  cfg.aslr_entropy_bits = aslr_bits;
  cfg.aslr_seed = seed;
  struct vm_aspace* as = NULL;
  assert_ok(vm_aspace_create(&cfg, "test", &as));
  return as;
}

static inline void vt_aspace_free(struct vm_aspace* as) {
  vm_aspace_check(as);
  assert_ok(vm_aspace_destroy(as));
  vm_aspace_check(as);
  vm_aspace_release(as);
}

static inline struct vm_object* vt_vmo(uint64_t size, uint32_t options) {
  struct vm_object_paged* vmo = NULL;
  assert_ok(vm_object_paged_create(options, size, &vmo));
  return &vmo->base;
}

static inline struct vm_object_paged* vt_paged(struct vm_object* o) {
  return vm_object_paged_from_object(o);
}

static inline void vt_release(void* r) {
  vm_address_region_or_mapping_release((struct vm_address_region_or_mapping*)r);
}

// Maps |vmo| at |offset| of |vmar| (SPECIFIC) with |mmu| permissions; returns the mapping
// (the caller's reference is dropped: the tree keeps it alive).
static inline struct vm_mapping* vt_map_at(struct vm_address_region* vmar, size_t offset,
                                           size_t size, struct vm_object* vmo, uint64_t vmo_offset,
                                           uint32_t mmu) {
  struct vm_mapping* m = NULL;
  vaddr_t base = 0;
  assert_ok(vm_address_region_create_vm_mapping(vmar, offset, size, 0, VMAR_FLAG_SPECIFIC, vmo,
                                                vmo_offset, mmu, "m", &m, &base));
  assert_int_equal(base, vm_region_base(&vmar->common) + offset);
  vt_release(m);
  return m;
}

static inline struct vm_address_region* vt_sub_vmar(struct vm_address_region* parent, size_t offset,
                                                    size_t size, uint32_t flags) {
  struct vm_address_region* v = NULL;
  assert_ok(vm_address_region_create_sub_vmar(parent, offset, size, 0, flags | VMAR_FLAG_SPECIFIC,
                                              "sub", &v));
  vt_release(v);
  return v;
}

// The protection flags (permission bits only) at |va|, or VT_NO_MAPPING.
static inline uint32_t vt_prot_at(struct vm_aspace* as, vaddr_t va) {
  mutex_lock(&as->lock);
  struct vm_mapping* m = vm_aspace_find_mapping_locked(as, va);
  uint32_t f =
      m ? (vm_mapping_arch_mmu_flags_locked(m, va) & ~ARCH_MMU_FLAG_CACHE_MASK) : VT_NO_MAPPING;
  mutex_unlock(&as->lock);
  return f;
}

// The mapping at |va| (no reference), or NULL.
static inline struct vm_mapping* vt_mapping_at(struct vm_aspace* as, vaddr_t va) {
  mutex_lock(&as->lock);
  struct vm_mapping* m = vm_aspace_find_mapping_locked(as, va);
  mutex_unlock(&as->lock);
  return m;
}

static inline zx_status_t vt_read(struct vm_aspace* as, vaddr_t va, void* buf, size_t len) {
  return vm_aspace_user_access(as, va, buf, len, ARCH_ACCESS_READ);
}
static inline zx_status_t vt_write(struct vm_aspace* as, vaddr_t va, const void* buf, size_t len) {
  return vm_aspace_user_access(as, va, (void*)buf, len, ARCH_ACCESS_WRITE);
}

#endif  // ZXVM_TESTS_UNIT_VM_CORE_VM_CORE_TEST_UTIL_H_
