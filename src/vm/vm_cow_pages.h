// The node that owns a VMO's pages (Zircon's VmCowPages). Today every vm_object_paged has exactly
// one, of the same size; copy-on-write clones will later link these nodes into a tree (parent,
// children, parent offset/limit), which is why page ownership lives here and not in the VMO a
// handle sees.
//
// Invariants (vm_cow_pages_check_locked): size is page aligned; every page in page_list is in pmm
// state OBJECT with owner == this node and object_page_index == its slot; no page at or beyond
// size; committed_change_events counts the operations that changed the page count.
//
// Locking: every (O) field is guarded by the hierarchy lock shared with the owning VMO(s). This
// layer does not talk to mappings: callers (vm_object_paged) run the range-change walk before
// removing or replacing pages.
//
// Memory: commit is split into prepare (allocates every page and page-list node it will need,
// all or nothing, ZX_ERR_NO_MEMORY with no change) and apply (cannot fail), so a caller can
// unmap zero-page mappings between the two and never leaves a half-done commit.
#ifndef ZXVM_VM_VM_COW_PAGES_H_
#define ZXVM_VM_VM_COW_PAGES_H_

#include "vm/vm_object.h"
#include "vm/vm_page_list.h"

#define VM_COW_PAGES_MAGIC ZXVM_MAGIC('V', 'M', 'C', 'P')

// Legend: (c) const after create, (O) hierarchy lock.
struct vm_cow_pages {
  uint32_t magic;                       // (c) VM_COW_PAGES_MAGIC
  struct vm_hierarchy_lock* hierarchy;  // (c) one reference held
  uint64_t size;                        // (O) bytes, page aligned
  struct vm_page_list page_list;        // (O) the pages this node owns
  uint64_t committed_change_events;     // (O)
  // TODO(#clones): parent, parent_offset, parent_limit, children list, share counts.
};

// Pages and nodes reserved for one commit of [start, end).
struct vm_cow_pages_commit {
  uint64_t start, end;                   // page aligned
  uint64_t missing;                      // pages to add (0: nothing to do)
  struct page_list pages;                // exactly |missing| pages, state ALLOC
  struct vm_page_list_node_cache nodes;  // exactly the nodes apply needs
};

// Creates a node of |size| bytes (page aligned), taking a new reference to |hierarchy|.
// ZX_ERR_NO_MEMORY.
zx_status_t vm_cow_pages_create(struct vm_hierarchy_lock* hierarchy, uint64_t size,
                                struct vm_cow_pages** out) WARN_UNUSED;
// Frees every page and the node. Called with no lock held and no other reference left.
void vm_cow_pages_destroy(struct vm_cow_pages* cow);

// The page at |offset| (page aligned) or NULL.
struct vm_page* vm_cow_pages_lookup_locked(struct vm_cow_pages* cow, uint64_t offset)
    REQUIRES(&cow->hierarchy->lock);

// Reserves what committing every absent page of [start, end) (page aligned, within size) needs.
// ZX_OK (commit->missing may be 0) or ZX_ERR_NO_MEMORY, with nothing changed and nothing held.
zx_status_t vm_cow_pages_prepare_commit_locked(struct vm_cow_pages* cow, uint64_t start,
                                               uint64_t end, struct vm_cow_pages_commit* commit)
    REQUIRES(&cow->hierarchy->lock) WARN_UNUSED;
// Installs the reserved pages into every absent slot of the range. Pages whose whole extent lies
// in [no_zero_start, no_zero_end) are NOT zeroed: the caller overwrites them before dropping the
// lock. Consumes |commit|. Cannot fail. Returns the number of pages added.
uint64_t vm_cow_pages_apply_commit_locked(struct vm_cow_pages* cow,
                                          struct vm_cow_pages_commit* commit,
                                          uint64_t no_zero_start, uint64_t no_zero_end)
    REQUIRES(&cow->hierarchy->lock);
// Returns what a prepared commit reserved (for a caller that gives up between the two steps).
void vm_cow_pages_cancel_commit(struct vm_cow_pages_commit* commit);

// Removes and frees every page in [start, end) (page aligned). The caller has already unmapped
// the range from every mapping. Returns the number freed.
uint64_t vm_cow_pages_free_range_locked(struct vm_cow_pages* cow, uint64_t start, uint64_t end)
    REQUIRES(&cow->hierarchy->lock);

// Zero-fills the bytes [offset, offset + len) that lie in committed pages; absent pages already
// read as zero and stay absent.
void vm_cow_pages_zero_bytes_locked(struct vm_cow_pages* cow, uint64_t offset, uint64_t len)
    REQUIRES(&cow->hierarchy->lock);

// Copies [offset, offset + len) (in range) into |buf|; absent pages read as zeros and are not
// committed.
void vm_cow_pages_read_locked(struct vm_cow_pages* cow, void* buf, uint64_t offset, uint64_t len)
    REQUIRES(&cow->hierarchy->lock);
// Copies |buf| into [offset, offset + len) (in range). Every page of the range must be committed
// already (asserted).
void vm_cow_pages_write_locked(struct vm_cow_pages* cow, const void* buf, uint64_t offset,
                               uint64_t len) REQUIRES(&cow->hierarchy->lock);

// Sets the size (page aligned). When shrinking, frees the pages beyond |size| (the caller has
// unmapped them). Cannot fail.
void vm_cow_pages_resize_locked(struct vm_cow_pages* cow, uint64_t size)
    REQUIRES(&cow->hierarchy->lock);

// Attribution of the pages intersecting [offset, offset + len), clipped to size. Without clones
// every page is private and counted in full in the scaled counts.
void vm_cow_pages_attributed_memory_locked(struct vm_cow_pages* cow, uint64_t offset, uint64_t len,
                                           struct vm_attribution_counts* out)
    REQUIRES(&cow->hierarchy->lock);

static inline uint64_t vm_cow_pages_committed_pages_locked(const struct vm_cow_pages* cow)
    REQUIRES(&cow->hierarchy->lock) {
  return vm_page_list_count(&cow->page_list);
}

void vm_cow_pages_check_locked(struct vm_cow_pages* cow) REQUIRES(&cow->hierarchy->lock);

#endif  // ZXVM_VM_VM_COW_PAGES_H_
