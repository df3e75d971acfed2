// Paged VMOs (see vm_object_paged.h): argument validation, locking, the mapping range-change
// walks and the size/content-size bookkeeping around the page storage of vm_cow_pages.
//
// Invariants (vm_object_paged_check_locked): size is page aligned and <= VM_OBJECT_PAGED_MAX_SIZE;
// the cow node has the same size and the same hierarchy lock; no page lies at or beyond size.
#include "vm/vm_object_paged.h"

#include "base/checked_math.h"
#include "base/platform.h"

static void paged_destroy(struct vm_object* obj);
static void paged_attributed_memory_in_range_locked(struct vm_object* obj, uint64_t offset,
                                                    uint64_t len,
                                                    struct vm_attribution_counts* out);
static uint64_t paged_committed_bytes_locked(struct vm_object* obj);

static const struct vm_object_ops paged_ops = {
    .destroy = paged_destroy,
    .attributed_memory_in_range_locked = paged_attributed_memory_in_range_locked,
    .committed_bytes_locked = paged_committed_bytes_locked,
};

static inline void paged_lock(struct vm_object_paged* vmo) ACQUIRE(&vmo->base.hierarchy->lock) {
  ZX_DEBUG_ASSERT_MAGIC(vmo, VM_OBJECT_PAGED_MAGIC);
  vm_object_lock(&vmo->base);
}

static inline void paged_unlock(struct vm_object_paged* vmo) RELEASE(&vmo->base.hierarchy->lock) {
  vm_object_unlock(&vmo->base);
}

static inline void paged_assert_held(struct vm_object_paged* vmo)
    REQUIRES(&vmo->base.hierarchy->lock) {
  ZX_DEBUG_ASSERT_MAGIC(vmo, VM_OBJECT_PAGED_MAGIC);
  vm_object_assert_held(&vmo->base);
}

// The cow node shares the VMO's hierarchy lock (checked by vm_object_paged_check_locked); this
// tells the analysis (and, in debug builds, the lock) that holding one is holding the other.
static inline void assert_cow_held(struct vm_object_paged* vmo)
    ASSERT_CAPABILITY(&vmo->cow->hierarchy->lock) {
  ZX_DEBUG_ASSERT(vmo->cow->hierarchy == vmo->base.hierarchy);
  mutex_assert_held(&vmo->cow->hierarchy->lock);
}

// Page-rounds |size| and checks it against the maximum.
static bool paged_size_ok(uint64_t size, uint64_t* out_rounded) {
  return roundup_page_u64(size, out_rounded) && *out_rounded <= VM_OBJECT_PAGED_MAX_SIZE;
}

zx_status_t vm_object_paged_create(uint32_t options, uint64_t size, struct vm_object_paged** out) {
  if (options & ~VM_OBJECT_PAGED_OPTIONS_MASK) return ZX_ERR_INVALID_ARGS;
  uint64_t rounded;
  if (!paged_size_ok(size, &rounded)) return ZX_ERR_OUT_OF_RANGE;
  struct vm_hierarchy_lock* hierarchy;
  zx_status_t status = vm_hierarchy_lock_create(&hierarchy);
  if (status != ZX_OK) return status;
  struct vm_object_paged* vmo = heap_alloc(sizeof(*vmo));
  if (!vmo) {
    status = ZX_ERR_NO_MEMORY;
    goto out_release_hierarchy;
  }
  struct vm_cow_pages* cow;
  status = vm_cow_pages_create(hierarchy, rounded, &cow);
  if (status != ZX_OK) goto out_free_vmo;
  vm_object_init(&vmo->base, VM_OBJECT_TYPE_PAGED, &paged_ops, hierarchy);  // takes our ref
  vmo->magic = VM_OBJECT_PAGED_MAGIC;
  vmo->options = options;
  vmo->cow = cow;
  vmo->size = rounded;
  vmo->content_size = size;
  *out = vmo;
  return ZX_OK;

out_free_vmo:
  heap_free(vmo);
out_release_hierarchy:
  vm_hierarchy_lock_release(hierarchy);
  return status;
}

static void paged_destroy(struct vm_object* obj) {
  struct vm_object_paged* vmo = vm_object_paged_from_object(obj);
  ZX_DEBUG_ASSERT_MAGIC(vmo, VM_OBJECT_PAGED_MAGIC);
  vm_cow_pages_destroy(vmo->cow);
  vmo->cow = NULL;
  vm_object_fini(&vmo->base);
  vmo->magic = 0;
  heap_free(vmo);
}

// ---- locked building blocks ---------------------------------------------------------------------

// Commits every absent page of [start, end) (page aligned, in range); pages entirely inside
// [no_zero_start, no_zero_end) are left unzeroed for the caller to overwrite under this lock.
// All or nothing: ZX_ERR_NO_MEMORY changes nothing.
static zx_status_t commit_pages_locked(struct vm_object_paged* vmo, uint64_t start, uint64_t end,
                                       uint64_t no_zero_start, uint64_t no_zero_end)
    REQUIRES(&vmo->base.hierarchy->lock) {
  assert_cow_held(vmo);
  struct vm_cow_pages_commit commit;
  zx_status_t status = vm_cow_pages_prepare_commit_locked(vmo->cow, start, end, &commit);
  if (status != ZX_OK) return status;
  if (commit.missing == 0) return ZX_OK;
  // New pages replace the zero page wherever a mapping shows it for these offsets.
  vm_object_range_change_update_locked(&vmo->base, start, end - start,
                                       RANGE_CHANGE_OP_UNMAP_ZERO_PAGE);
  vm_cow_pages_apply_commit_locked(vmo->cow, &commit, no_zero_start, no_zero_end);
  return ZX_OK;
}

// Unmaps [start, end) (page aligned) from every mapping, then frees its pages.
static void remove_pages_locked(struct vm_object_paged* vmo, uint64_t start, uint64_t end)
    REQUIRES(&vmo->base.hierarchy->lock) {
  assert_cow_held(vmo);
  if (start >= end) return;
  vm_object_range_change_update_locked(&vmo->base, start, end - start, RANGE_CHANGE_OP_UNMAP);
  vm_cow_pages_free_range_locked(vmo->cow, start, end);
}

// Makes the bytes [start, end) (in range, start < end) read as zero.
static void zero_range_locked(struct vm_object_paged* vmo, uint64_t start, uint64_t end)
    REQUIRES(&vmo->base.hierarchy->lock) {
  assert_cow_held(vmo);
  uint64_t first_full = ROUNDDOWN_PAGE(start + PAGE_MASK);  // no overflow: start < size <= max
  uint64_t last_full = ROUNDDOWN_PAGE(end);
  if (first_full >= last_full) {
    vm_cow_pages_zero_bytes_locked(vmo->cow, start, end - start);
    return;
  }
  vm_cow_pages_zero_bytes_locked(vmo->cow, start, first_full - start);
  remove_pages_locked(vmo, first_full, last_full);
  vm_cow_pages_zero_bytes_locked(vmo->cow, last_full, end - last_full);
}

// ---- operations ---------------------------------------------------------------------------------

zx_status_t vm_object_paged_commit_range(struct vm_object_paged* vmo, uint64_t offset,
                                         uint64_t len) {
  uint64_t end;
  if (!add_u64(offset, len, &end)) return ZX_ERR_OUT_OF_RANGE;
  paged_lock(vmo);
  zx_status_t status = ZX_OK;
  if (end > vmo->size) {
    status = ZX_ERR_OUT_OF_RANGE;
  } else if (len != 0) {
    // end <= size <= max, so rounding up cannot overflow.
    status =
        commit_pages_locked(vmo, ROUNDDOWN_PAGE(offset), ROUNDDOWN_PAGE(end + PAGE_MASK), 0, 0);
    VM_VALIDATE(vm_object_paged_check_locked, vmo);
  }
  paged_unlock(vmo);
  return status;
}

zx_status_t vm_object_paged_decommit_range(struct vm_object_paged* vmo, uint64_t offset,
                                           uint64_t len) {
  if (!IS_PAGE_ALIGNED(offset) || !IS_PAGE_ALIGNED(len)) return ZX_ERR_INVALID_ARGS;
  uint64_t end;
  if (!add_u64(offset, len, &end)) return ZX_ERR_OUT_OF_RANGE;
  paged_lock(vmo);
  zx_status_t status = ZX_OK;
  if (end > vmo->size) {
    status = ZX_ERR_OUT_OF_RANGE;
  } else {
    remove_pages_locked(vmo, offset, end);
    VM_VALIDATE(vm_object_paged_check_locked, vmo);
  }
  paged_unlock(vmo);
  return status;
}

zx_status_t vm_object_paged_zero_range(struct vm_object_paged* vmo, uint64_t offset, uint64_t len) {
  if (len == 0) return ZX_OK;
  uint64_t end;
  if (!add_u64(offset, len, &end)) return ZX_ERR_OUT_OF_RANGE;
  paged_lock(vmo);
  zx_status_t status = ZX_OK;
  if (end > vmo->size) {
    status = ZX_ERR_OUT_OF_RANGE;
  } else {
    zero_range_locked(vmo, offset, end);
    VM_VALIDATE(vm_object_paged_check_locked, vmo);
  }
  paged_unlock(vmo);
  return status;
}

// Common checks of read and write, lock held.
static zx_status_t rw_check_locked(struct vm_object_paged* vmo, uint64_t offset, uint64_t len)
    REQUIRES(&vmo->base.hierarchy->lock) {
  if (vmo->base.cache_policy != ZX_CACHE_POLICY_CACHED) return ZX_ERR_BAD_STATE;
  if (!range_in_bounds(offset, len, vmo->size)) return ZX_ERR_OUT_OF_RANGE;
  return ZX_OK;
}

zx_status_t vm_object_paged_read(struct vm_object_paged* vmo, void* buf, uint64_t offset,
                                 uint64_t len) {
  paged_lock(vmo);
  zx_status_t status = rw_check_locked(vmo, offset, len);
  assert_cow_held(vmo);
  if (status == ZX_OK) vm_cow_pages_read_locked(vmo->cow, buf, offset, len);
  paged_unlock(vmo);
  return status;
}

zx_status_t vm_object_paged_write(struct vm_object_paged* vmo, const void* buf, uint64_t offset,
                                  uint64_t len) {
  paged_lock(vmo);
  zx_status_t status = rw_check_locked(vmo, offset, len);
  if (status != ZX_OK || len == 0) goto out_unlock;
  uint64_t end = offset + len;  // checked above
  status = commit_pages_locked(vmo, ROUNDDOWN_PAGE(offset), ROUNDDOWN_PAGE(end + PAGE_MASK), offset,
                               end);
  if (status != ZX_OK) goto out_unlock;
  assert_cow_held(vmo);
  // Cannot fail from here: every page is present, and the unzeroed ones are overwritten now.
  vm_cow_pages_write_locked(vmo->cow, buf, offset, len);
  VM_VALIDATE(vm_object_paged_check_locked, vmo);
out_unlock:
  paged_unlock(vmo);
  return status;
}

zx_status_t vm_object_paged_set_size(struct vm_object_paged* vmo, uint64_t size) {
  if (!(vmo->options & VM_OBJECT_PAGED_RESIZABLE)) return ZX_ERR_UNAVAILABLE;
  uint64_t rounded;
  if (!paged_size_ok(size, &rounded)) return ZX_ERR_OUT_OF_RANGE;
  paged_lock(vmo);
  assert_cow_held(vmo);
  if (rounded < vmo->size) remove_pages_locked(vmo, rounded, vmo->size);
  vm_cow_pages_resize_locked(vmo->cow, rounded);
  vmo->size = rounded;
  if (size < rounded) vm_cow_pages_zero_bytes_locked(vmo->cow, size, rounded - size);
  vmo->content_size = size;
  VM_VALIDATE(vm_object_paged_check_locked, vmo);
  paged_unlock(vmo);
  return ZX_OK;
}

uint64_t vm_object_paged_get_size(struct vm_object_paged* vmo) {
  paged_lock(vmo);
  uint64_t size = vmo->size;
  paged_unlock(vmo);
  return size;
}

uint64_t vm_object_paged_get_size_locked(const struct vm_object_paged* vmo) {
  vm_object_assert_held(&vmo->base);
  return vmo->size;
}

uint64_t vm_object_paged_get_content_size(struct vm_object_paged* vmo) {
  paged_lock(vmo);
  uint64_t content_size = vmo->content_size;
  paged_unlock(vmo);
  return content_size;
}

void vm_object_paged_set_content_size(struct vm_object_paged* vmo, uint64_t content_size) {
  paged_lock(vmo);
  vmo->content_size = content_size;
  paged_unlock(vmo);
}

zx_status_t vm_object_paged_lookup_page_locked(struct vm_object_paged* vmo, uint64_t offset,
                                               bool write, struct vm_page** out_page,
                                               bool* out_writable) {
  paged_assert_held(vmo);
  assert_cow_held(vmo);
  if (offset >= vmo->size) return ZX_ERR_OUT_OF_RANGE;
  uint64_t page_offset = ROUNDDOWN_PAGE(offset);
  struct vm_page* page = vm_cow_pages_lookup_locked(vmo->cow, page_offset);
  if (!page && !write) {
    *out_page = pmm_zero_page();
    *out_writable = false;
    return ZX_OK;
  }
  if (!page) {
    zx_status_t status = commit_pages_locked(vmo, page_offset, page_offset + PAGE_SIZE, 0, 0);
    if (status != ZX_OK) return status;
    page = vm_cow_pages_lookup_locked(vmo->cow, page_offset);
    ZX_ASSERT(page != NULL);
    VM_VALIDATE(vm_object_paged_check_locked, vmo);
  }
  *out_page = page;
  *out_writable = true;
  return ZX_OK;
}

struct vm_page* vm_object_paged_maybe_page_locked(struct vm_object_paged* vmo, uint64_t offset) {
  paged_assert_held(vmo);
  assert_cow_held(vmo);
  if (offset >= vmo->size) return NULL;
  return vm_cow_pages_lookup_locked(vmo->cow, ROUNDDOWN_PAGE(offset));
}

void vm_object_paged_get_stats_locked(struct vm_object_paged* vmo,
                                      struct vm_object_paged_stats* out) {
  paged_assert_held(vmo);
  assert_cow_held(vmo);
  uint64_t bytes = vm_cow_pages_committed_pages_locked(vmo->cow) * PAGE_SIZE;
  out->committed_bytes = bytes;
  out->populated_bytes = bytes;
  out->metadata_bytes = vm_page_list_metadata_bytes(&vmo->cow->page_list);
  out->committed_change_events = vmo->cow->committed_change_events;
}

void vm_object_paged_get_stats(struct vm_object_paged* vmo, struct vm_object_paged_stats* out) {
  paged_lock(vmo);
  vm_object_paged_get_stats_locked(vmo, out);
  paged_unlock(vmo);
}

static void paged_attributed_memory_in_range_locked(struct vm_object* obj, uint64_t offset,
                                                    uint64_t len, struct vm_attribution_counts* out)
    NO_THREAD_SAFETY_ANALYSIS {
  // Called through the ops table by vm_object.c, which holds obj's lock; the analysis cannot see
  // that obj->hierarchy and vmo->base.hierarchy are the same expression.
  struct vm_object_paged* vmo = vm_object_paged_from_object(obj);
  paged_assert_held(vmo);
  vm_cow_pages_attributed_memory_locked(vmo->cow, offset, len, out);
}

static uint64_t paged_committed_bytes_locked(struct vm_object* obj) NO_THREAD_SAFETY_ANALYSIS {
  // Same as above: called by vm_object.c with obj's lock held.
  struct vm_object_paged* vmo = vm_object_paged_from_object(obj);
  paged_assert_held(vmo);
  return vm_cow_pages_committed_pages_locked(vmo->cow) * PAGE_SIZE;
}

void vm_object_paged_check_locked(struct vm_object_paged* vmo) {
  vm_object_check_locked(&vmo->base);
  ZX_ASSERT_MSG(vmo->magic == VM_OBJECT_PAGED_MAGIC, "VMO %p bad magic %#x", (void*)vmo,
                vmo->magic);
  ZX_ASSERT(vmo->base.type == VM_OBJECT_TYPE_PAGED);
  ZX_ASSERT_MSG((vmo->options & ~VM_OBJECT_PAGED_OPTIONS_MASK) == 0, "options %#x", vmo->options);
  ZX_ASSERT_MSG(IS_PAGE_ALIGNED(vmo->size) && vmo->size <= VM_OBJECT_PAGED_MAX_SIZE, "size %#lx",
                (unsigned long)vmo->size);
  ZX_ASSERT_MSG(vmo->cow->size == vmo->size, "cow size %#lx != VMO size %#lx",
                (unsigned long)vmo->cow->size, (unsigned long)vmo->size);
  ZX_ASSERT_MSG(vmo->cow->hierarchy == vmo->base.hierarchy, "cow and VMO locks differ");
  assert_cow_held(vmo);
  vm_cow_pages_check_locked(vmo->cow);
}

void vm_object_paged_check(struct vm_object_paged* vmo) {
  paged_lock(vmo);
  vm_object_paged_check_locked(vmo);
  paged_unlock(vmo);
}
