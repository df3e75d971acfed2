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
//   CLEAN, not pinned --detach--> absent (for good: no pager to supply it again)
// A page is mapped writable only while DIRTY (vm_cow_pages_pager_page_writable_locked), so the
// first write after supply or writeback faults and goes through
// vm_cow_pages_pager_prepare_write_locked.
//
// Dirty zero intervals (Zircon's dirty zero intervals). Content the kernel knows is zero and the
// pager has never seen: the tail a resize adds, and whole pages ZX_VMO_OP_ZERO clears. Offsets in
// an interval own no page; they read as zero without a request, supply skips them, and
// query_dirty_ranges reports them with ZX_VMO_DIRTY_RANGE_IS_ZERO. A write (or commit, OP_DIRTY,
// pin) there commits a zeroed DIRTY page, carved out of the interval; under TRAP_DIRTY a write asks
// DIRTY first. Each interval's start carries an AwaitingClean extent set by WRITEBACK_BEGIN;
// WRITEBACK_END removes (or clips from the start) what that extent covers, and the offsets become
// absent: the pager supplies them again. The extent follows Zircon's start-sentinel rules exactly:
// a writeback that begins partway into an interval does not reach it; carving the start page
// moves the start and keeps the extent's end; a split leaves the right part without one; WRITEBACK
// END carries the furthest extent seen across the intervals of its range.
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
// Bits 0-1 are the copy-on-write split bits (vm_cow_pages.h, hidden nodes only); bits 2 and 4-7
// belong to the pager code, and only on pages of a pager-backed root. Bit 3 is free.
#define VM_PAGE_FLAG_ALWAYS_NEED (1u << 2)  // ZX_VMO_OP_ALWAYS_NEED: the evictor leaves it alone
#define VM_PAGE_FLAG_PAGER_STATE_SHIFT 4u
#define VM_PAGE_FLAG_PAGER_STATE_MASK (3u << VM_PAGE_FLAG_PAGER_STATE_SHIFT)
#define VM_PAGE_FLAG_AGE_SHIFT 6u
#define VM_PAGE_FLAG_AGE_MASK (3u << VM_PAGE_FLAG_AGE_SHIFT)
#define VM_PAGE_FLAG_PAGER_MASK \
  (VM_PAGE_FLAG_ALWAYS_NEED | VM_PAGE_FLAG_PAGER_STATE_MASK | VM_PAGE_FLAG_AGE_MASK)
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

// A write (fault, vmo_write, zeroing part of a page) is about to modify |page|, owned by
// pager-backed root |root| at |offset|. Marks the VMO modified, then: a DIRTY page stays DIRTY;
// without TRAP_DIRTY (or once the pager acked) a CLEAN / AWAITING_CLEAN page becomes DIRTY; with
// TRAP_DIRTY a CLEAN / AWAITING_CLEAN page needs a DIRTY request, for the run from |offset| over
// pages that are not DIRTY (zero-interval offsets included) up to |req|->access_len:
// ZX_ERR_SHOULD_WAIT with |req| armed (|req| NULL: SHOULD_WAIT, nothing armed), ZX_ERR_BAD_STATE
// once detached, ZX_ERR_NO_MEMORY. ZX_OK: the page is DIRTY and may be mapped writable.
zx_status_t vm_cow_pages_pager_prepare_write_locked(struct vm_cow_pages* root, uint64_t offset,
                                                    struct vm_page* page,
                                                    struct multi_page_request* req)
    REQUIRES(&root->hierarchy->lock) WARN_UNUSED;

// Pager-backed root |root| shrinks to |new_size| (page aligned, below its current size): waiters
// for pages at or beyond it wake (ZX_OK) and find them out of range when they retry; dirty zero
// intervals are cut at |new_size|; the VMO counts as modified. Call before the pages beyond are
// freed.
void vm_cow_pages_pager_shrink_locked(struct vm_cow_pages* root, uint64_t new_size)
    REQUIRES(&root->hierarchy->lock);

// Pager-backed root |root| grows to |new_size| (page aligned, above root->size): the new tail
// becomes a dirty zero interval (merged with one ending at the old size) and the VMO counts as
// modified. Call before vm_cow_pages_resize_locked. ZX_ERR_NO_MEMORY with nothing changed.
zx_status_t vm_cow_pages_pager_grow_locked(struct vm_cow_pages* root, uint64_t new_size)
    REQUIRES(&root->hierarchy->lock) WARN_UNUSED;

// ---- dirty zero intervals (vm_cow_pages_pager.c; see the file comment above) ------------------

struct vm_pager_zero_interval {
  struct list_node node;  // in page_source.zero_intervals, sorted by offset
  uint64_t start, end;    // page aligned, start < end <= root size
  // [start, ac_end) is AwaitingClean when ac_end > start (Zircon's AwaitingCleanLength, kept as
  // an end so that moving the start keeps it); may lie beyond |end|.
  uint64_t ac_end;
};

// Whether |offset| (page aligned) of pager-backed root |root| lies in a dirty zero interval.
bool vm_cow_pages_pager_is_zero_locked(struct vm_cow_pages* root, uint64_t offset)
    REQUIRES(&root->hierarchy->lock);
// The first dirty zero interval of |root| that ends after |offset|, or NULL.
struct vm_pager_zero_interval* vm_cow_pages_pager_zero_next_locked(struct vm_cow_pages* root,
                                                                   uint64_t offset)
    REQUIRES(&root->hierarchy->lock);
// The interval after |z| in |root|, or NULL.
struct vm_pager_zero_interval* vm_cow_pages_pager_zero_after_locked(
    struct vm_cow_pages* root, struct vm_pager_zero_interval* z) REQUIRES(&root->hierarchy->lock);

// |root| owns no page at |offset|, which lies in a dirty zero interval, and the page is needed
// (|write|: for a write; else for a commit, pin or OP_DIRTY). Under TRAP_DIRTY a write first asks
// DIRTY for the run of not-DIRTY pages from |offset| (ZX_ERR_SHOULD_WAIT with |req| armed; with
// |req| NULL: ZX_ERR_SHOULD_WAIT, nothing armed; ZX_ERR_BAD_STATE once detached). Otherwise commits
// a zeroed page in the DIRTY state at |offset| (removing the offset from the interval and mappings'
// zero-page entries for it) and returns it in |*out|: ZX_OK, or ZX_ERR_NO_MEMORY with nothing
// changed. The VMO counts as modified only for a write.
zx_status_t vm_cow_pages_pager_fill_zero_locked(struct vm_cow_pages* root, uint64_t offset,
                                                bool write, struct multi_page_request* req,
                                                struct vm_page** out)
    REQUIRES(&root->hierarchy->lock) WARN_UNUSED;

// ZX_VMO_OP_ZERO over the whole pages [start, end) of pager-backed root |root|: the range's pages
// are unmapped and freed and the range becomes (part of) a dirty zero interval; READ waiters for
// it wake (it is supplied, as zeros). ZX_ERR_BAD_STATE if a page of the range is pinned,
// ZX_ERR_NO_MEMORY; either with nothing changed.
zx_status_t vm_cow_pages_pager_zero_pages_locked(struct vm_cow_pages* root, uint64_t start,
                                                 uint64_t end)
    REQUIRES(&root->hierarchy->lock) WARN_UNUSED;

// WRITEBACK_BEGIN / WRITEBACK_END over [start, end) for the dirty zero intervals of |root| (the
// committed pages are vm_pager.c's business). See the file comment above for the rules.
void vm_cow_pages_pager_zero_writeback_begin_locked(struct vm_cow_pages* root, uint64_t start,
                                                    uint64_t end) REQUIRES(&root->hierarchy->lock);
void vm_cow_pages_pager_zero_writeback_end_locked(struct vm_cow_pages* root, uint64_t start,
                                                  uint64_t end) REQUIRES(&root->hierarchy->lock);

// Checks the pager state of pager-backed root |root| (vm_cow_pages_check_locked calls it): dirty
// zero intervals sorted, non-empty, page aligned, disjoint and not adjacent, inside the root, and
// no page of the root inside one. Panics on violation.
void vm_cow_pages_pager_check_locked(struct vm_cow_pages* root) REQUIRES(&root->hierarchy->lock);

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
// range get it), ZX_PAGER_OP_DIRTY (present pages become DIRTY, known-zero offsets get zeroed DIRTY
// pages; DIRTY requests complete), ZX_PAGER_OP_WRITEBACK_BEGIN (write permission removed from
// mappings; DIRTY -> AWAITING_CLEAN unless |data| is ZX_VMO_DIRTY_RANGE_IS_ZERO, which takes only
// the dirty zero intervals; |data| 0 or ZX_VMO_DIRTY_RANGE_IS_ZERO), ZX_PAGER_OP_WRITEBACK_END
// (AWAITING_CLEAN -> CLEAN; AwaitingClean zero intervals become absent). Returns
// ZX_ERR_INVALID_ARGS (unknown op, unaligned range, bad FAIL status, bad WRITEBACK data, not
// pager-backed), ZX_ERR_OUT_OF_RANGE, ZX_ERR_NOT_FOUND (DIRTY over an absent page; nothing
// changed), ZX_ERR_BAD_STATE (FAIL or DIRTY after detach), ZX_ERR_NO_MEMORY (DIRTY: the pages
// filled so far are DIRTY zeros).
zx_status_t vm_pager_op_range(struct vm_object_paged* vmo, uint32_t op, uint64_t offset,
                              uint64_t len, uint64_t data) WARN_UNUSED;

// zx_pager_query_dirty_ranges over [offset, offset + len) (rounded out to pages): writes up to
// |max| zx_vmo_dirty_range_t records (maximal runs of DIRTY or AWAITING_CLEAN pages, options 0, and
// of dirty zero intervals, options ZX_VMO_DIRTY_RANGE_IS_ZERO; in offset order) to
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
// the evictor. As Zircon's DetachSource: the root's range is unmapped from every mapping (clones'
// too) and its CLEAN, unpinned pages are freed, so accesses to them fail with ZX_ERR_BAD_STATE
// (pages a clone forked stay its own); DIRTY and AWAITING_CLEAN pages and dirty zero intervals
// stay for writeback. Returns ZX_ERR_INVALID_ARGS (not pager-backed), ZX_ERR_BAD_STATE (already
// detached).
zx_status_t vm_pager_detach_vmo(struct vm_object_paged* vmo, bool send_complete) WARN_UNUSED;

// The pager that serves |src| is gone (its last handle closed): detach without COMPLETE and leave
// the evictor. Supplied pages stay (Fuchsia's ClosePagerTest reads them after the close). Takes no
// VMO lock (the caller may not know the VMO); no lock may be held.
void vm_pager_source_pager_gone(struct page_source* src);

// Testing: the dirty state of the page at |offset| (or -1 if absent).
int vm_pager_debug_page_state(struct vm_object_paged* vmo, uint64_t offset);
// Testing: the age of the page at |offset| (or -1 if absent).
int vm_pager_debug_page_age(struct vm_object_paged* vmo, uint64_t offset);

#endif  // ZXVM_VM_VM_PAGER_H_
