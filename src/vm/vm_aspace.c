// Address spaces (Zircon's VmAspace): creation with page tables and a root VMAR, teardown, ASLR
// placement, the page-fault entry points (spec §4 "Entry") and the simulated CPU accesses that
// drive them, plus the whole-space checker and dump.
//
// Invariants (vm_aspace_check asserts them):
//   1. Until vm_aspace_destroy, root_vmar is ALIVE, parentless and covers [base, base + size).
//   2. last_fault is NULL or an ALIVE mapping of this aspace (a dying mapping clears it).
//   3. Every present page-table entry lies inside an ALIVE mapping.
// Life cycle: created with one reference for the caller; the root VMAR holds another, dropped by
// vm_aspace_destroy. The page tables (the arch aspace) go with the last reference, so a simulated
// access racing with destroy never walks freed tables.
//
// The fault path takes the aspace lock only to find the mapping; the mapping's fault body runs
// under the VMO lock alone (with references to the mapping and its VMO), and a mapping that died
// meanwhile answers ZX_ERR_UNAVAILABLE, upon which the lookup is simply redone.
#include "vm/vm_aspace.h"

#include <inttypes.h>
#include <string.h>

#include "base/platform.h"
#include "pmm/pmm.h"
#include "vm/evictor.h"
#include "vm/page_request.h"
#include "vm/vm_address_region_priv.h"

static const struct lock_class kRegionLockClass = {"vm_region", LOCK_RANK_REGION};
static const struct lock_class kAspaceLockClass = {"vm_aspace", LOCK_RANK_ASPACE};

// Resolved faults after which a simulated access that still faults is reported as a bug.
#define USER_ACCESS_MAX_FAULTS 8

#define ROOT_VMAR_FLAGS (VMAR_CAN_RWX_FLAGS | VMAR_FLAG_CAN_MAP_SPECIFIC)

static void stat_inc(_Atomic uint64_t* counter, uint64_t n) {
  atomic_fetch_add_explicit(counter, n, memory_order_relaxed);
}

// ---- life cycle -----------------------------------------------------------------------------

// |config| with the defaults filled in and checked.
static zx_status_t config_resolve(const struct vm_aspace_config* config,
                                  struct vm_aspace_config* out) {
  memset(out, 0, sizeof(*out));
  if (config != NULL) *out = *config;
  bool host = out->backend == ARCH_BACKEND_HOST;
  if (out->base == 0 && !host) out->base = USER_ASPACE_BASE;  // host: 0 = the host places it
  if (out->size == 0) out->size = host ? VM_ASPACE_HOST_DEFAULT_SIZE : USER_ASPACE_SIZE;
  if (!IS_PAGE_ALIGNED(out->base) || !IS_PAGE_ALIGNED(out->size)) return ZX_ERR_INVALID_ARGS;
  if (out->backend >= ARCH_BACKEND_COUNT_) return ZX_ERR_INVALID_ARGS;
  if (out->aslr_entropy_bits > VM_ASPACE_MAX_ASLR_ENTROPY_BITS ||
      out->aslr_compact_entropy_bits > VM_ASPACE_MAX_ASLR_ENTROPY_BITS) {
    return ZX_ERR_INVALID_ARGS;
  }
  return ZX_OK;
}

// The arch aspace's fault handler: a fault real hardware (the host backend's SIGSEGV) reported.
static zx_status_t hw_fault(void* ctx, vaddr_t va, uint32_t pf_flags) {
  return vm_aspace_page_fault(ctx, va, pf_flags);
}

zx_status_t vm_aspace_create(const struct vm_aspace_config* config, const char* name,
                             struct vm_aspace** out) {
  struct vm_aspace_config cfg;
  zx_status_t status = config_resolve(config, &cfg);
  if (status != ZX_OK) return status;
  struct vm_aspace* aspace = heap_calloc(1, sizeof(*aspace));
  if (aspace == NULL) return ZX_ERR_NO_MEMORY;
  status =
      arch_aspace_create(cfg.backend, cfg.base, cfg.size, ARCH_ASPACE_FLAG_USER, &aspace->arch);
  if (status == ZX_ERR_OUT_OF_RANGE) status = ZX_ERR_INVALID_ARGS;
  if (status != ZX_OK) goto out_free;
  // The range the arch aspace really covers (the host backend picks it for base 0).
  cfg.base = arch_aspace_base(aspace->arch);
  cfg.size = arch_aspace_size(aspace->arch);
  arch_aspace_set_fault_handler(aspace->arch, hw_fault, aspace);
  aspace->magic = VM_ASPACE_MAGIC;
  atomic_init(&aspace->refcount, 1);
  for (size_t i = 0; name != NULL && i + 1 < ZX_MAX_NAME_LEN && name[i] != '\0'; i++) {
    aspace->name[i] = name[i];
  }
  aspace->base = cfg.base;
  aspace->size = cfg.size;
  aspace->aslr_enabled = cfg.aslr_enabled;
  aspace->aslr_entropy_bits = cfg.aslr_entropy_bits;
  aspace->aslr_compact_entropy_bits = cfg.aslr_compact_entropy_bits;
  prng_seed(&aspace->aslr_prng, cfg.aslr_seed != 0 ? cfg.aslr_seed : platform_entropy());
  mutex_init(&aspace->region_lock, &kRegionLockClass);
  mutex_init(&aspace->lock, &kAspaceLockClass);
  status = vm_address_region_create_root(aspace, cfg.base, cfg.size, ROOT_VMAR_FLAGS, "root",
                                         &aspace->root_vmar);
  if (status != ZX_OK) goto out_locks;
  *out = aspace;
  return ZX_OK;

out_locks:
  mutex_destroy(&aspace->lock);
  mutex_destroy(&aspace->region_lock);
  arch_aspace_destroy(aspace->arch);
out_free:
  heap_free(aspace);
  return status;
}

void vm_aspace_acquire(struct vm_aspace* aspace) {
  ZX_DEBUG_ASSERT_MAGIC(aspace, VM_ASPACE_MAGIC);
  uint32_t old = atomic_fetch_add_explicit(&aspace->refcount, 1, memory_order_relaxed);
  ZX_DEBUG_ASSERT(old > 0);
}

void vm_aspace_release(struct vm_aspace* aspace) {
  ZX_DEBUG_ASSERT_MAGIC(aspace, VM_ASPACE_MAGIC);
  uint32_t old = atomic_fetch_sub_explicit(&aspace->refcount, 1, memory_order_acq_rel);
  ZX_ASSERT_MSG(old > 0, "release of freed aspace %p", (void*)aspace);
  if (old != 1) return;
  // The root VMAR holds a reference until destroy, so the last one comes after it.
  ZX_ASSERT_MSG(aspace->destroyed && aspace->root_vmar == NULL,
                "last reference to aspace %p that was not destroyed", (void*)aspace);
  arch_aspace_destroy(aspace->arch);
  mutex_destroy(&aspace->lock);
  mutex_destroy(&aspace->region_lock);
  aspace->magic = 0;
  heap_free(aspace);
}

zx_status_t vm_aspace_destroy(struct vm_aspace* aspace) {
  ZX_DEBUG_ASSERT_MAGIC(aspace, VM_ASPACE_MAGIC);
  mutex_lock(&aspace->region_lock);
  mutex_lock(&aspace->lock);
  struct vm_address_region* root = aspace->root_vmar;
  zx_status_t status = ZX_OK;
  if (!aspace->destroyed) status = vm_address_region_destroy_locked(root);
  if (!aspace->destroyed && status == ZX_OK) {
    aspace->root_vmar = NULL;
    aspace->last_fault = NULL;
    aspace->destroyed = true;
  } else {
    root = NULL;  // nothing to drop: already destroyed, or the teardown failed
  }
  mutex_unlock(&aspace->lock);
  mutex_unlock(&aspace->region_lock);
  // The root's reference to the aspace goes with it; the caller still holds its own.
  if (root != NULL) vm_address_region_or_mapping_release(&root->common);
  return status;
}

struct vm_address_region* vm_aspace_root_vmar(struct vm_aspace* aspace) {
  mutex_lock(&aspace->lock);
  struct vm_address_region* root = aspace->root_vmar;
  if (root != NULL) vm_address_region_or_mapping_acquire(&root->common);
  mutex_unlock(&aspace->lock);
  return root;
}

struct vm_mapping* vm_aspace_find_mapping_locked(struct vm_aspace* aspace, vaddr_t va) {
  ZX_DEBUG_ASSERT(mutex_held(&aspace->lock) || mutex_held(&aspace->region_lock));
  if (aspace->root_vmar == NULL) return NULL;
  return vm_address_region_find_mapping_locked(aspace->root_vmar, va);
}

zx_status_t vm_aspace_alloc_spot_locked(struct vm_aspace* aspace, struct vm_address_region* vmar,
                                        uint8_t align_pow2, size_t size, bool compact,
                                        vaddr_t upper_limit, vaddr_t* out) {
  mutex_assert_held(&aspace->lock);
  unsigned align = align_pow2 > PAGE_SIZE_SHIFT ? align_pow2 : PAGE_SIZE_SHIFT;
  unsigned entropy = compact ? aspace->aslr_compact_entropy_bits : aspace->aslr_entropy_bits;
  struct prng* prng = aspace->aslr_enabled ? &aspace->aslr_prng : NULL;
  return vm_region_list_get_alloc_spot(&vmar->children, align, size, vm_region_base(&vmar->common),
                                       vm_region_size(&vmar->common), upper_limit, entropy, prng,
                                       out);
}

// ---- faults ---------------------------------------------------------------------------------

static bool mapping_contains(const struct vm_mapping* m, vaddr_t va) {
  return va >= vm_mapping_base(m) && va <= vm_region_last(&m->common);
}

// Finds the mapping at |va| (the cached last one if it still fits), caches it, and returns it
// and its VMO with a reference each. ZX_ERR_NOT_FOUND if nothing is mapped there.
static zx_status_t fault_lookup(struct vm_aspace* aspace, vaddr_t va, struct vm_mapping** out_m,
                                struct vm_object** out_vmo) {
  zx_status_t status = ZX_ERR_NOT_FOUND;
  mutex_lock(&aspace->lock);
  struct vm_mapping* m = aspace->last_fault;
  if (m == NULL || m->common.state != VM_LIFECYCLE_ALIVE || !mapping_contains(m, va)) {
    m = vm_aspace_find_mapping_locked(aspace, va);
  }
  if (m != NULL) {
    struct vm_object* vmo = vm_mapping_vmo_locked(m);
    ZX_ASSERT_MSG(vmo != NULL, "ALIVE mapping %p without a VMO", (void*)m);
    aspace->last_fault = m;
    vm_address_region_or_mapping_acquire(&m->common);
    *out_m = m;
    *out_vmo = vmo;
    status = ZX_OK;
  }
  mutex_unlock(&aspace->lock);
  return status;
}

static void fault_count_status(struct vm_aspace* aspace, zx_status_t status) {
  if (status == ZX_ERR_NOT_FOUND) stat_inc(&aspace->stats.faults_not_found, 1);
  if (status == ZX_ERR_ACCESS_DENIED) stat_inc(&aspace->stats.faults_denied, 1);
  if (status == ZX_ERR_OUT_OF_RANGE) stat_inc(&aspace->stats.faults_out_of_range, 1);
}

// PageFaultInternal (spec §4): look up, fault with no lock but the mapping's own, wait for page
// requests with no lock at all, redo after a wait or when the mapping died meanwhile.
static zx_status_t page_fault_internal(struct vm_aspace* aspace, vaddr_t va, uint32_t pf_flags,
                                       size_t additional_pages) {
  struct multi_page_request request;
  multi_page_request_init(&request);
  zx_status_t status;
  bool reclaimed = false;
  for (;;) {
    struct vm_mapping* m;
    struct vm_object* vmo;
    status = fault_lookup(aspace, va, &m, &vmo);
    if (status != ZX_OK) break;
    struct vm_fault_result r =
        vm_mapping_page_fault(m, va, pf_flags, additional_pages, vmo, &request);
    vm_object_release(vmo);
    vm_address_region_or_mapping_release(&m->common);
    stat_inc(&aspace->stats.pages_mapped, r.pages_mapped);
    status = r.status;
    // Out of memory: evict old clean pager pages (no lock is held here) and retry once.
    if (status == ZX_ERR_NO_MEMORY && !reclaimed && vm_evictor_reclaim_for_allocation()) {
      reclaimed = true;
      continue;
    }
    if (status != ZX_ERR_SHOULD_WAIT && status != ZX_ERR_UNAVAILABLE) break;
    stat_inc(&aspace->stats.faults_retried, 1);
    if (status == ZX_ERR_SHOULD_WAIT) {
      status = multi_page_request_wait(&request, INT64_MAX);
      if (status != ZX_OK) break;
    }
    // Pages already mapped before the wait need not be faulted again.
    size_t done = r.pages_mapped <= additional_pages ? r.pages_mapped : additional_pages;
    va += (vaddr_t)done * PAGE_SIZE;
    additional_pages -= done;
  }
  multi_page_request_fini(&request);
  fault_count_status(aspace, status);
  return status;
}

zx_status_t vm_aspace_page_fault(struct vm_aspace* aspace, vaddr_t va, uint32_t pf_flags) {
  ZX_DEBUG_ASSERT_MAGIC(aspace, VM_ASPACE_MAGIC);
  stat_inc(&aspace->stats.faults, 1);
  if (pf_flags & VMM_PF_FLAG_ACCESS) {
    // Only the accessed bit was missing: the hardware sets it, nothing else to resolve.
    return arch_aspace_mark_accessed(aspace->arch, ROUNDDOWN_PAGE(va), 1);
  }
  return page_fault_internal(aspace, ROUNDDOWN_PAGE(va), pf_flags, 0);
}

zx_status_t vm_aspace_soft_fault_in_range(struct vm_aspace* aspace, vaddr_t va, uint32_t pf_flags,
                                          size_t len) {
  ZX_DEBUG_ASSERT_MAGIC(aspace, VM_ASPACE_MAGIC);
  if (len == 0) return ZX_OK;
  vaddr_t last;
  if (__builtin_add_overflow(va, len - 1, &last)) return ZX_ERR_OUT_OF_RANGE;
  stat_inc(&aspace->stats.faults, 1);
  vaddr_t first_page = ROUNDDOWN_PAGE(va);
  size_t additional = (ROUNDDOWN_PAGE(last) - first_page) / PAGE_SIZE;
  return page_fault_internal(aspace, first_page, pf_flags, additional);
}

// ---- the simulated CPU ----------------------------------------------------------------------

// Translates |va| for |kind| (one ARCH_ACCESS_* kind) in user mode, faulting through the aspace on
// a miss and retrying. A fault reported resolved that keeps faulting is a bug: ZX_ERR_INTERNAL.
// One access of |len| bytes within a page at |va|, faulting and retrying as a CPU would. The copy
// happens inside arch_soft_access, atomically with the page walk.
static zx_status_t access_page(struct vm_aspace* aspace, vaddr_t va, uint32_t kind, void* buf,
                               size_t len) {
  for (int faults = 0; faults <= USER_ACCESS_MAX_FAULTS; faults++) {
    uint32_t pf_flags = 0;
    zx_status_t status =
        arch_soft_access(aspace->arch, va, kind | ARCH_ACCESS_USER, buf, len, &pf_flags);
    if (status != ZX_ERR_NOT_FOUND) return status;
    if (faults == USER_ACCESS_MAX_FAULTS) break;
    status = vm_aspace_page_fault(aspace, va, pf_flags | VMM_PF_FLAG_USER);
    if (status != ZX_OK) return status;
  }
  printer_printf(NULL,
                 "zxvm: user access %#x at %#" PRIxPTR " still faults after %d resolved faults\n",
                 kind, va, USER_ACCESS_MAX_FAULTS);
  return ZX_ERR_INTERNAL;
}

zx_status_t vm_aspace_user_access(struct vm_aspace* aspace, vaddr_t va, void* buf, size_t len,
                                  uint32_t access) {
  ZX_DEBUG_ASSERT_MAGIC(aspace, VM_ASPACE_MAGIC);
  uint32_t kind = access & ~ARCH_ACCESS_USER;
  if (kind != ARCH_ACCESS_READ && kind != ARCH_ACCESS_WRITE && kind != ARCH_ACCESS_EXECUTE) {
    return ZX_ERR_INVALID_ARGS;
  }
  vaddr_t last;
  if (len == 0) return ZX_OK;
  if (__builtin_add_overflow(va, len - 1, &last)) return ZX_ERR_OUT_OF_RANGE;
  // The copy runs under the arch lock: a caller buffer that zxvm itself maps (host backend) could
  // fault there, so such a buffer goes through a bounce page touched with no lock held.
  bool bounce = buf != NULL && vm_buffer_in_mapped_memory(buf, len);
  char bounce_page[PAGE_SIZE];
  char* p = buf;
  while (len > 0) {
    size_t chunk = PAGE_SIZE - (va & PAGE_MASK);
    if (chunk > len) chunk = len;
    char* target = p == NULL ? NULL : bounce ? bounce_page : p;
    if (bounce && kind == ARCH_ACCESS_WRITE) memcpy(bounce_page, p, chunk);
    zx_status_t status = access_page(aspace, va, kind, target, chunk);
    if (status != ZX_OK) return status;
    if (bounce && kind != ARCH_ACCESS_WRITE) memcpy(p, bounce_page, chunk);
    if (p != NULL) p += chunk;
    va += chunk;
    len -= chunk;
  }
  return ZX_OK;
}

// ---- check and dump -------------------------------------------------------------------------

// arch_aspace_check_entries callback (arch lock held; the caller holds the region and aspace
// locks, so the VMAR tree is stable): invariant 3.
static void check_entry(void* ctx, vaddr_t va, paddr_t pa, arch_mmu_flags_t flags) {
  struct vm_aspace* aspace = ctx;
  struct vm_mapping* m = vm_aspace_find_mapping_locked(aspace, va);
  ZX_ASSERT_MSG(m != NULL && m->common.state == VM_LIFECYCLE_ALIVE,
                "aspace %p: PTE at %#" PRIxPTR " -> %#" PRIxPTR " (flags %#x) outside any mapping",
                (void*)aspace, va, pa, flags);
}

void vm_aspace_check(struct vm_aspace* aspace) {
  ZX_ASSERT_MSG(aspace->magic == VM_ASPACE_MAGIC, "bad aspace magic %#x", aspace->magic);
  mutex_lock(&aspace->region_lock);
  mutex_lock(&aspace->lock);
  struct vm_address_region* root = aspace->root_vmar;
  ZX_ASSERT_MSG((root == NULL) == aspace->destroyed, "aspace %p: root %p, destroyed %d",
                (void*)aspace, (void*)root, aspace->destroyed);
  if (root != NULL) {
    ZX_ASSERT(root->common.parent == NULL && root->common.state == VM_LIFECYCLE_ALIVE);
    ZX_ASSERT(vm_region_base(&root->common) == aspace->base &&
              vm_region_size(&root->common) == aspace->size);
    vm_address_region_check_locked(root);
  }
  struct vm_mapping* lf = aspace->last_fault;
  if (lf != NULL) {
    ZX_ASSERT_MSG(lf->common.state == VM_LIFECYCLE_ALIVE && lf->common.aspace == aspace,
                  "aspace %p: last_fault %p in state %d", (void*)aspace, (void*)lf,
                  (int)lf->common.state);
    ZX_ASSERT(vm_aspace_find_mapping_locked(aspace, vm_mapping_base(lf)) == lf);
  }
  arch_aspace_check(aspace->arch);
  arch_aspace_check_entries(aspace->arch, check_entry, aspace);
  mutex_unlock(&aspace->lock);
  mutex_unlock(&aspace->region_lock);
}

void vm_aspace_get_counts(struct vm_aspace* aspace, struct vm_aspace_counts* out) {
  const struct vm_aspace_stats* a = &aspace->stats;
  out->faults = atomic_load(&a->faults);
  out->faults_not_found = atomic_load(&a->faults_not_found);
  out->faults_denied = atomic_load(&a->faults_denied);
  out->faults_out_of_range = atomic_load(&a->faults_out_of_range);
  out->faults_retried = atomic_load(&a->faults_retried);
  out->fault_pages_mapped = atomic_load(&a->pages_mapped);
  struct arch_aspace_counts counts;
  arch_aspace_get_counts(aspace->arch, &counts);
  out->present_entries = counts.present_entries;
  out->table_pages = counts.table_pages;
}

bool vm_buffer_in_mapped_memory(const void* p, size_t len) {
  return arch_host_range_overlaps((vaddr_t)p, len);
}

vaddr_t vm_aspace_base(const struct vm_aspace* aspace) { return aspace->base; }
size_t vm_aspace_size(const struct vm_aspace* aspace) { return aspace->size; }
const char* vm_aspace_name(const struct vm_aspace* aspace) { return aspace->name; }

zx_status_t vm_aspace_enumerate(struct vm_aspace* aspace, vm_region_enum_fn fn, void* ctx) {
  mutex_lock(&aspace->lock);
  zx_status_t status = ZX_ERR_BAD_STATE;
  if (aspace->root_vmar != NULL) {
    status = vm_address_region_enumerate_locked(aspace->root_vmar, fn, ctx);
  }
  mutex_unlock(&aspace->lock);
  return status;
}

void vm_aspace_dump(struct vm_aspace* aspace, bool verbose, const struct printer* out) {
  mutex_lock(&aspace->lock);
  printer_printf(out,
                 "as %p [%#" PRIxPTR " %#" PRIxPTR "] sz %#zx ref %u '%s' aslr %d destroyed %d\n",
                 (void*)aspace, aspace->base, aspace->base + (aspace->size - 1), aspace->size,
                 atomic_load_explicit(&aspace->refcount, memory_order_relaxed), aspace->name,
                 aspace->aslr_enabled, aspace->destroyed);
  if (aspace->root_vmar != NULL) vm_address_region_dump_locked(aspace->root_vmar, 1, verbose, out);
  mutex_unlock(&aspace->lock);
}
