// User-pager operations on pager-backed VMOs (issue #4, pager half): creating a VMO whose root
// vm_cow_pages has a page source, supplying pages moved out of an auxiliary VMO, FAIL, dirty
// tracking (DIRTY, WRITEBACK_BEGIN/END, query_dirty_ranges), the "modified" statistic and detach.
// The zx_pager_* calls of src/zx decode their arguments and call these.
//
// Page states of a pager-backed root (two bits of vm_page.flags, see below):
//   absent --supply--> CLEAN --write (no TRAP_DIRTY) / DIRTY ack (TRAP_DIRTY)--> DIRTY
//   DIRTY --WRITEBACK_BEGIN--> AWAITING_CLEAN --WRITEBACK_END--> CLEAN
//   AWAITING_CLEAN --write--> DIRTY (as from CLEAN; WRITEBACK_END then leaves it DIRTY)
//   CLEAN, not pinned, not accessed for VM_EVICTOR_MIN_AGE harvests --evict--> absent
// A page is mapped writable only while DIRTY (vm_cow_pages_pager_page_writable_locked), so the
// first write after supply or writeback faults and goes through
// vm_cow_pages_pager_prepare_write_locked.
//
// Locking: functions without _locked take the VMO hierarchy lock (and, inside it, the pager
// lock); _locked ones require the hierarchy lock. Waiting is never done here: a function that
// needs the pager returns ZX_ERR_SHOULD_WAIT with the caller's request armed.
#ifndef ZXVM_VM_VM_PAGER_H_
#define ZXVM_VM_VM_PAGER_H_

#include <zircon/syscalls-next.h>

#include "vm/page_source.h"
#include "vm/vm_cow_pages.h"
#include "vm/vm_cow_pages_pager.h"
#include "vm/vm_object_paged.h"

// ---- vm_page.flags bits owned by the pager code -------------------------------------------------
//
// Bits 0-1 are the copy-on-write split bits (vm_cow_pages.h, hidden nodes only); bits 4-7 belong to
// the pager code, and only on pages of a pager-backed root. Bits 2-3 are free.
#define VM_PAGE_FLAG_PAGER_STATE_SHIFT 4u
#define VM_PAGE_FLAG_PAGER_STATE_MASK (3u << VM_PAGE_FLAG_PAGER_STATE_SHIFT)
#define VM_PAGE_FLAG_AGE_SHIFT 6u
#define VM_PAGE_FLAG_AGE_MASK (3u << VM_PAGE_FLAG_AGE_SHIFT)
#define VM_PAGE_FLAG_PAGER_MASK (VM_PAGE_FLAG_PAGER_STATE_MASK | VM_PAGE_FLAG_AGE_MASK)
_Static_assert((VM_PAGE_FLAG_PAGER_MASK & VM_PAGE_FLAG_SPLIT_MASK) == 0,
               "pager page bits overlap the split bits");

// Dirty state of a page of a pager-backed root (Zircon's DirtyState). Supplied pages are CLEAN.
enum vm_pager_page_state {
  VM_PAGER_PAGE_CLEAN = 0,
  VM_PAGER_PAGE_DIRTY = 1,
  VM_PAGER_PAGE_AWAITING_CLEAN = 2,
};

// Largest age (harvests in a row that found the page not accessed); saturates.
#define VM_PAGE_AGE_MAX 3u

static inline enum vm_pager_page_state vm_pager_page_state(const struct vm_page* page) {
  return (enum vm_pager_page_state)((page->flags & VM_PAGE_FLAG_PAGER_STATE_MASK) >>
                                    VM_PAGE_FLAG_PAGER_STATE_SHIFT);
}
static inline void vm_pager_page_set_state(struct vm_page* page, enum vm_pager_page_state state) {
  page->flags = (uint8_t)((page->flags & ~VM_PAGE_FLAG_PAGER_STATE_MASK) |
                          ((uint32_t)state << VM_PAGE_FLAG_PAGER_STATE_SHIFT));
}
static inline uint32_t vm_pager_page_age(const struct vm_page* page) {
  return (page->flags & VM_PAGE_FLAG_AGE_MASK) >> VM_PAGE_FLAG_AGE_SHIFT;
}
static inline void vm_pager_page_set_age(struct vm_page* page, uint32_t age) {
  if (age > VM_PAGE_AGE_MAX) age = VM_PAGE_AGE_MAX;
  page->flags = (uint8_t)((page->flags & ~VM_PAGE_FLAG_AGE_MASK) | (age << VM_PAGE_FLAG_AGE_SHIFT));
}
// A page of a pager-backed root was used without the MMU seeing it (a VMO read or write): it is
// young again. VMO lock held.
static inline void vm_pager_page_touch(struct vm_page* page) { vm_pager_page_set_age(page, 0); }

// ---- cow-level hooks (vm_cow_pages_pager.c), for the lookup and life-cycle code ----------------
//
// vm_cow_pages_pager_missing_locked is declared in vm_cow_pages_pager.h.

// Whether |page|, owned by |owner|, may be mapped writable as it is. False for a page of a
// pager-backed root that is not DIRTY (the first write must fault and reach prepare_write); true
// for every other page (this says nothing about copy-on-write: the lookup handles that).
bool vm_cow_pages_pager_page_writable_locked(struct vm_cow_pages* owner, const struct vm_page* page)
    REQUIRES(&owner->hierarchy->lock);

// A write (fault, vmo_write, commit for write) is about to modify |page|, owned by pager-backed
// root |root| at |offset|. Marks the VMO modified, then: a DIRTY page stays DIRTY; without
// TRAP_DIRTY (or once the pager acked) a CLEAN / AWAITING_CLEAN page becomes DIRTY; with
// TRAP_DIRTY a CLEAN / AWAITING_CLEAN page needs a DIRTY request: ZX_ERR_SHOULD_WAIT with |req|
// armed (|req| NULL: SHOULD_WAIT, nothing armed), ZX_ERR_BAD_STATE once detached,
// ZX_ERR_NO_MEMORY. ZX_OK: the page is DIRTY and may be mapped writable.
zx_status_t vm_cow_pages_pager_prepare_write_locked(struct vm_cow_pages* root, uint64_t offset,
                                                    struct vm_page* page,
                                                    struct multi_page_request* req)
    REQUIRES(&root->hierarchy->lock) WARN_UNUSED;

// Pager-backed root |root| shrinks to |new_size| (page aligned, below its current size): waiters
// for pages at or beyond it wake (ZX_OK) and find them out of range when they retry. Call before
// the pages beyond are freed.
void vm_cow_pages_pager_shrink_locked(struct vm_cow_pages* root, uint64_t new_size)
    REQUIRES(&root->hierarchy->lock);

// Makes fresh, empty root |root| pager-backed: it takes a reference to |src|. (vm_pager_create_vmo
// calls it; it also keeps this file's definitions, among them the weak-referenced
// vm_cow_pages_pager_missing_locked, linked into every program that can create a pager VMO.)
void vm_cow_pages_pager_attach_locked(struct vm_cow_pages* root, struct page_source* src)
    REQUIRES(&root->hierarchy->lock);

// The root node |root| of a pager-backed tree is being destroyed (its last reference went): send
// COMPLETE if the source was never detached, leave the evictor, drop the node's reference to the
// source and clear root->page_source. Call before its pages are freed.
void vm_cow_pages_pager_destroy_locked(struct vm_cow_pages* root) REQUIRES(&root->hierarchy->lock);

// ---- VMO-level operations ----------------------------------------------------------------------

// Creates a pager-backed VMO of |size| bytes (rounded up to pages) whose pages come from |src|
// (which gains a reference held by the VMO's root node). |options|: VM_OBJECT_PAGED_* (RESIZABLE).
// The VMO is registered with the evictor. Errors as vm_object_paged_create.
zx_status_t vm_pager_create_vmo(uint32_t options, uint64_t size, struct page_source* src,
                                struct vm_object_paged** out) WARN_UNUSED;

// The page source of |vmo|'s root, or NULL for a VMO that is not pager-backed (takes the lock;
// the source stays valid while the caller holds a reference to |vmo|).
struct page_source* vm_pager_vmo_source(struct vm_object_paged* vmo);

// zx_pager_supply_pages: moves the pages of [aux_offset, aux_offset + len) of |aux| into
// [offset, offset + len) of |vmo| where |vmo| has none (kept pages win; the aux page is freed);
// absent aux pages become zero pages; the aux range is decommitted afterwards (its mappings
// unmapped). Supplied pages are CLEAN and young. READ requests over the range complete.
// Returns ZX_ERR_INVALID_ARGS (unaligned offset/len/aux_offset, |vmo| not pager-backed, |aux| ==
// |vmo|), ZX_ERR_OUT_OF_RANGE (either range beyond its VMO or overflowing), ZX_ERR_NOT_SUPPORTED
// (|aux| pager-backed), ZX_ERR_BAD_STATE (|vmo| detached, |aux| has pinned pages or is a clone or
// has children), ZX_ERR_NO_MEMORY (nothing changed). len == 0: ZX_OK after the checks. After a
// successful supply the evictor's watermark check runs (vm_evictor_check_watermark). No lock may
// be held.
zx_status_t vm_pager_supply_pages(struct vm_object_paged* vmo, uint64_t offset, uint64_t len,
                                  struct vm_object_paged* aux, uint64_t aux_offset) WARN_UNUSED;

// zx_pager_op_range: ZX_PAGER_OP_FAIL (|data| = the zx_status_t, sign-extended; waiters for the
// range get it), ZX_PAGER_OP_DIRTY (present pages become DIRTY; DIRTY requests complete),
// ZX_PAGER_OP_WRITEBACK_BEGIN (DIRTY -> AWAITING_CLEAN, write permission removed from mappings;
// |data| 0 or ZX_VMO_DIRTY_RANGE_IS_ZERO), ZX_PAGER_OP_WRITEBACK_END (AWAITING_CLEAN -> CLEAN).
// Returns ZX_ERR_INVALID_ARGS (unknown op, unaligned range, bad FAIL status, bad WRITEBACK data,
// not pager-backed), ZX_ERR_OUT_OF_RANGE, ZX_ERR_NOT_FOUND (DIRTY over an absent page; nothing
// changed), ZX_ERR_BAD_STATE (FAIL or DIRTY after detach).
zx_status_t vm_pager_op_range(struct vm_object_paged* vmo, uint32_t op, uint64_t offset,
                              uint64_t len, uint64_t data) WARN_UNUSED;

// zx_pager_query_dirty_ranges over [offset, offset + len) (rounded out to pages): writes up to
// |max| zx_vmo_dirty_range_t records (maximal runs of DIRTY or AWAITING_CLEAN pages, options 0) to
// |out| (may be NULL when |max| is 0); |*actual| = records written, |*avail| = records the range
// has (either pointer may be NULL). ZX_ERR_INVALID_ARGS (not pager-backed), ZX_ERR_OUT_OF_RANGE.
// Works after detach.
zx_status_t vm_pager_query_dirty_ranges(struct vm_object_paged* vmo, uint64_t offset, uint64_t len,
                                        zx_vmo_dirty_range_t* out, size_t max, size_t* actual,
                                        size_t* avail) WARN_UNUSED;

// zx_pager_query_vmo_stats: |*out_modified| = ZX_PAGER_VMO_STATS_MODIFIED if the VMO was written
// since creation or the last reset, else 0; |reset| clears it. ZX_ERR_INVALID_ARGS (not
// pager-backed).
zx_status_t vm_pager_query_vmo_stats(struct vm_object_paged* vmo, bool reset,
                                     uint32_t* out_modified) WARN_UNUSED;

// zx_pager_detach_vmo: every outstanding and future request fails with ZX_ERR_BAD_STATE; the
// COMPLETE packet is sent (|send_complete| false when the pager itself is gone). The VMO leaves
// the evictor (its clean pages could not be read back). Supplied pages stay. Returns
// ZX_ERR_INVALID_ARGS (not pager-backed), ZX_ERR_BAD_STATE (already detached).
zx_status_t vm_pager_detach_vmo(struct vm_object_paged* vmo, bool send_complete) WARN_UNUSED;

// The pager that serves |src| is gone (its last handle closed): detach without COMPLETE and leave
// the evictor. Takes no VMO lock (the caller may not know the VMO); no lock may be held.
void vm_pager_source_pager_gone(struct page_source* src);

// Testing: the dirty state of the page at |offset| (or -1 if absent).
int vm_pager_debug_page_state(struct vm_object_paged* vmo, uint64_t offset);
// Testing: the age of the page at |offset| (or -1 if absent).
int vm_pager_debug_page_age(struct vm_object_paged* vmo, uint64_t offset);

#endif  // ZXVM_VM_VM_PAGER_H_
