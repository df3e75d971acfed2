// A paged VMO (Zircon's VmObjectPaged): what a VMO handle refers to. It embeds the base
// vm_object (refcount, lock, mappings, name, cache policy) and points to the vm_cow_pages node
// that owns its pages. It adds the options, the page-rounded size and the exact content size.
//
// Every operation validates all of its arguments before changing anything. Operations without
// the _locked suffix take the hierarchy lock themselves; _locked ones require it (annotated and
// asserted). Anything that removes or replaces pages runs the mapping range-change walk
// (UNMAP, or UNMAP_ZERO_PAGE when a page replaces the zero page) before the change, under the
// lock. In the testing build every mutating operation ends with vm_object_paged_check_locked.
#ifndef ZXVM_VM_VM_OBJECT_PAGED_H_
#define ZXVM_VM_VM_OBJECT_PAGED_H_

#include "vm/vm_cow_pages.h"
#include "vm/vm_object.h"

// Creation options.
#define VM_OBJECT_PAGED_RESIZABLE (1u << 0)
#define VM_OBJECT_PAGED_OPTIONS_MASK VM_OBJECT_PAGED_RESIZABLE

// The largest size a paged VMO may have (page aligned): 2^64 - 64 pages. zx_vmo_create accepts
// any size up to this before rounding.
#define VM_OBJECT_PAGED_MAX_SIZE (UINT64_MAX - 64 * PAGE_SIZE + 1)

#define VM_OBJECT_PAGED_MAGIC ZXVM_MAGIC('V', 'M', 'O', 'P')

// Legend: (c) const after create, (O) hierarchy lock.
struct vm_object_paged {
  struct vm_object base;     // first; base.type == VM_OBJECT_TYPE_PAGED
  uint32_t magic;            // (c) VM_OBJECT_PAGED_MAGIC
  uint32_t options;          // (c) VM_OBJECT_PAGED_*
  struct vm_cow_pages* cow;  // (c) owned; shares base.hierarchy
  uint64_t size;             // (O) bytes, page multiple, <= VM_OBJECT_PAGED_MAX_SIZE
  uint64_t content_size;     // (O) exact byte size last requested (may exceed size, see below)
};

// Counters for zx_object_get_info(ZX_INFO_VMO).
struct vm_object_paged_stats {
  uint64_t committed_bytes;          // pages owned * PAGE_SIZE
  uint64_t populated_bytes;          // same today (no compression)
  uint64_t metadata_bytes;           // page-list node bytes
  uint64_t committed_change_events;  // operations that changed the committed page count
};

static inline struct vm_object_paged* vm_object_paged_from_object(struct vm_object* obj) {
  ZX_DEBUG_ASSERT(obj->type == VM_OBJECT_TYPE_PAGED);
  return containerof(obj, struct vm_object_paged, base);
}

// Creates a VMO of |size| bytes rounded up to pages (0 is allowed); content size = |size|.
// Returns ZX_ERR_INVALID_ARGS for unknown |options| bits; ZX_ERR_OUT_OF_RANGE when |size| rounds
// past 2^64 or above VM_OBJECT_PAGED_MAX_SIZE; ZX_ERR_NO_MEMORY. On ZX_OK the caller owns one
// reference in |*out|. No pages are committed.
zx_status_t vm_object_paged_create(uint32_t options, uint64_t size,
                                   struct vm_object_paged** out) WARN_UNUSED;

static inline void vm_object_paged_acquire(struct vm_object_paged* vmo) {
  vm_object_acquire(&vmo->base);
}
// Drops a reference; the last frees every page and the VMO. No lock may be held.
static inline void vm_object_paged_release(struct vm_object_paged* vmo) {
  vm_object_release(&vmo->base);
}

// Commits (allocates zeroed pages for) every absent page of [offset, offset + len) rounded out
// to pages. ZX_ERR_OUT_OF_RANGE when offset + len overflows or exceeds the size (len == 0 at
// offset <= size is OK). ZX_ERR_NO_MEMORY: all or nothing, no page of the range was added.
// Zero-page mappings of newly committed pages are unmapped (RANGE_CHANGE_OP_UNMAP_ZERO_PAGE).
zx_status_t vm_object_paged_commit_range(struct vm_object_paged* vmo, uint64_t offset,
                                         uint64_t len) WARN_UNUSED;

// Frees the pages of [offset, offset + len); the range reads as zeros afterwards and mappings of
// it are unmapped first. ZX_ERR_INVALID_ARGS unless offset and len are page aligned (checked
// first); ZX_ERR_OUT_OF_RANGE when the range overflows or exceeds the size.
zx_status_t vm_object_paged_decommit_range(struct vm_object_paged* vmo, uint64_t offset,
                                           uint64_t len) WARN_UNUSED;

// Makes [offset, offset + len) (any byte range) read as zero: whole pages are unmapped and freed,
// partial pages are zero-filled if committed (absent ones already read as zero). len == 0 is OK
// anywhere. ZX_ERR_OUT_OF_RANGE when the range overflows or exceeds the size. Never allocates.
zx_status_t vm_object_paged_zero_range(struct vm_object_paged* vmo, uint64_t offset,
                                       uint64_t len) WARN_UNUSED;

// Copy out of / into the VMO at any byte offset and length, all or nothing.
// ZX_ERR_OUT_OF_RANGE when offset + len overflows or exceeds the size (checked before |buf| is
// touched; a 0-byte access at offset == size is OK); ZX_ERR_BAD_STATE when the cache policy is
// not CACHED. read never commits (absent pages read as zeros). write commits the pages it needs
// first: ZX_ERR_NO_MEMORY leaves the VMO contents unchanged. The copy runs with the lock held
// (fine while buffers are host memory; a buffer inside a mapping of a VMO needs the copy out of
// the lock later).
zx_status_t vm_object_paged_read(struct vm_object_paged* vmo, void* buf, uint64_t offset,
                                 uint64_t len) WARN_UNUSED;
zx_status_t vm_object_paged_write(struct vm_object_paged* vmo, const void* buf, uint64_t offset,
                                  uint64_t len) WARN_UNUSED;

// Resizes to |size| rounded up to pages; content size = |size| exactly. ZX_ERR_UNAVAILABLE if the
// VMO is not resizable; ZX_ERR_OUT_OF_RANGE if |size| rounds past 2^64 or above the max size.
// Shrinking unmaps then frees the pages beyond the new size. In every case the bytes from |size|
// to the end of its page are zeroed (if committed). Growing exposes zeros. Never allocates.
zx_status_t vm_object_paged_set_size(struct vm_object_paged* vmo, uint64_t size) WARN_UNUSED;
uint64_t vm_object_paged_get_size(struct vm_object_paged* vmo);
uint64_t vm_object_paged_get_size_locked(const struct vm_object_paged* vmo)
    REQUIRES(&vmo->base.hierarchy->lock);

// Content size (ZX_PROP_VMO_CONTENT_SIZE): initially the unrounded create size, reset by set_size.
// Set stores any value (it may exceed the size, as older kernels allow); it changes no data.
uint64_t vm_object_paged_get_content_size(struct vm_object_paged* vmo);
void vm_object_paged_set_content_size(struct vm_object_paged* vmo, uint64_t content_size);

// Fault-path lookup of the page at |offset| (rounded down to a page). Read (|write| false): the
// owned page, writable, or the shared zero page (pmm_zero_page()), not writable, if absent —
// nothing is committed. Write: the owned page, allocating and zeroing it if absent (and unmapping
// zero-page mappings of that offset first), writable. ZX_ERR_OUT_OF_RANGE when offset >= size;
// ZX_ERR_NO_MEMORY (write only; nothing changed). The page stays owned by the VMO: valid only
// while the lock is held.
zx_status_t vm_object_paged_lookup_page_locked(struct vm_object_paged* vmo, uint64_t offset,
                                               bool write, struct vm_page** out_page,
                                               bool* out_writable)
    REQUIRES(&vmo->base.hierarchy->lock) WARN_UNUSED;
// The page owned at |offset| (rounded down) or NULL (also when offset >= size). Never allocates.
struct vm_page* vm_object_paged_maybe_page_locked(struct vm_object_paged* vmo, uint64_t offset)
    REQUIRES(&vmo->base.hierarchy->lock);

void vm_object_paged_get_stats(struct vm_object_paged* vmo, struct vm_object_paged_stats* out);
void vm_object_paged_get_stats_locked(struct vm_object_paged* vmo,
                                      struct vm_object_paged_stats* out)
    REQUIRES(&vmo->base.hierarchy->lock);

// Invariant checker (see vm_cow_pages.h and vm_object.h): base object, size, cow node, page list.
// Panics on the first violation. The _locked form is what VM_VALIDATE runs after each change.
void vm_object_paged_check(struct vm_object_paged* vmo);
void vm_object_paged_check_locked(struct vm_object_paged* vmo) REQUIRES(&vmo->base.hierarchy->lock);

#endif  // ZXVM_VM_VM_OBJECT_PAGED_H_
