// Sparse page storage for one vm_cow_pages: a WAVL tree of nodes, each covering
// VM_PAGE_LIST_NODE_PAGES consecutive page slots starting at a multiple of that many pages. A slot
// is empty or holds a struct vm_page*. Lookup is O(log n) in the number of nodes; iteration in
// offset order walks nodes sequentially. A VMO of any size with k committed pages costs at most k
// nodes.
//
// A slot may also hold a zero marker: the shared zero page (vm_page_is_marker), meaning "this
// offset reads as zeros here; do not look further up the clone tree" (Zircon's zero page marker).
// A marker is not a page of the owner: it is not counted in page_count, never freed, never
// iterated by for_every_page_in_range / next_page, and carries no state of its own. Lookups and
// cursors do return it (its contents are zeros, so readers need no special case).
//
// Invariants (vm_page_list_check): nodes are ordered by first slot and never empty; node_count,
// page_count and marker_count agree with the tree; every page is in pmm state OBJECT, owned by the
// list's owner, with object_page_index equal to its slot's page index.
//
// Locking: the list has no lock of its own; the owner's (the VMO hierarchy lock) guards it all.
// Allocation: only node creation allocates (heap_alloc). Functions that may need a node either
// take a preallocated one from a struct vm_page_list_node_cache or fail with ZX_ERR_NO_MEMORY
// leaving the list unchanged.
#ifndef ZXVM_VM_VM_PAGE_LIST_H_
#define ZXVM_VM_VM_PAGE_LIST_H_

#include "base/assert.h"
#include "base/wavl.h"
#include "pmm/pmm.h"

#define VM_PAGE_LIST_NODE_SHIFT 4u
#define VM_PAGE_LIST_NODE_PAGES (1u << VM_PAGE_LIST_NODE_SHIFT)  // 16 slots per node

struct vm_page_list_node {
  struct wavl_node tree_node;                      // in vm_page_list.tree, keyed by first_index
  uint64_t first_index;                            // page index of slot 0 (multiple of 16)
  uint32_t used;                                   // non-empty slots, 1..16 while in a tree
  uint32_t markers;                                // slots holding a zero marker (<= used)
  struct vm_page* pages[VM_PAGE_LIST_NODE_PAGES];  // NULL = empty slot
};

struct vm_page_list {
  struct wavl_tree tree;  // of vm_page_list_node
  uint64_t page_count;    // pages stored (markers not included)
  uint64_t marker_count;  // zero markers stored
  void* owner;            // what pages' vm_page.owner must be (the vm_cow_pages)
  // The node the last lookup found: sequential accesses (faults, forks, copies walking a range)
  // mostly hit the same 16-page node, so this skips the tree search. A pure cache, written by
  // lookups too (the list's lock is held for them as for every other operation); cleared when
  // that node is freed, so it never dangles.
  struct vm_page_list_node* hint;
};

// A stack of preallocated nodes, so a batch insert can allocate everything before changing state.
struct vm_page_list_node_cache {
  struct vm_page_list_node* head;  // linked through tree_node.left
  uint64_t count;
};

void vm_page_list_init(struct vm_page_list* list, void* owner);
// The list must be empty (the owner removed and freed every page first).
void vm_page_list_destroy(struct vm_page_list* list);

static inline uint64_t vm_page_list_count(const struct vm_page_list* list) {
  return list->page_count;
}
static inline uint64_t vm_page_list_marker_count(const struct vm_page_list* list) {
  return list->marker_count;
}
// Whether a slot's content is a zero marker rather than a page of the owner.
static inline bool vm_page_is_marker(const struct vm_page* page) { return page == pmm_zero_page(); }
static inline uint64_t vm_page_list_node_count(const struct vm_page_list* list) {
  return wavl_count(&list->tree);
}
// Heap bytes used by the nodes (the VMO's metadata bytes).
static inline uint64_t vm_page_list_metadata_bytes(const struct vm_page_list* list) {
  return vm_page_list_node_count(list) * sizeof(struct vm_page_list_node);
}

// Returns the page (or zero marker) at byte |offset| (page aligned), or NULL.
struct vm_page* vm_page_list_lookup(const struct vm_page_list* list, uint64_t offset);

// Puts |page| (a page or a zero marker) in the occupied slot at |offset| and returns what was
// there. Never allocates.
struct vm_page* vm_page_list_replace(struct vm_page_list* list, uint64_t offset,
                                     struct vm_page* page);

// Removes every zero marker (a node left without a parent has no use for them).
void vm_page_list_remove_markers(struct vm_page_list* list);

// Stores |page| at |offset| (page aligned; the slot must be empty). Allocates a node if needed:
// ZX_ERR_NO_MEMORY then, with the list unchanged. The caller has already set the page's state,
// owner and index.
zx_status_t vm_page_list_insert(struct vm_page_list* list, uint64_t offset,
                                struct vm_page* page) WARN_UNUSED;

// As vm_page_list_insert, but a missing node comes from |cache| (which must hold one): cannot fail.
void vm_page_list_insert_from_cache(struct vm_page_list* list, uint64_t offset,
                                    struct vm_page* page, struct vm_page_list_node_cache* cache);

// Removes and returns the page or marker at |offset| (NULL when the slot is empty). Frees the node
// when it becomes empty. The page's state is left for the caller.
struct vm_page* vm_page_list_remove(struct vm_page_list* list, uint64_t offset);

// Removes every page and marker in [start, end) (page aligned) and appends the pages to |out|
// (a pmm page list, for pmm_free_pages) in decreasing offset order. Returns the number of pages
// removed. Frees emptied nodes.
uint64_t vm_page_list_remove_range(struct vm_page_list* list, uint64_t start, uint64_t end,
                                   struct page_list* out);

// Calls |fn(page, offset, ctx)| for every present page in [start, end), in offset order, until it
// returns false. |fn| must not insert or remove pages.
typedef bool (*vm_page_list_fn)(struct vm_page* page, uint64_t offset, void* ctx);
void vm_page_list_for_every_page_in_range(const struct vm_page_list* list, uint64_t start,
                                          uint64_t end, vm_page_list_fn fn, void* ctx);

// The first present page at or after |offset|, with its offset in |*out_offset|; NULL if none.
struct vm_page* vm_page_list_next_page(const struct vm_page_list* list, uint64_t offset,
                                       uint64_t* out_offset);

// As vm_page_list_next_page, but zero markers count as entries too.
struct vm_page* vm_page_list_next_entry(const struct vm_page_list* list, uint64_t offset,
                                        uint64_t* out_offset);

// Number of present pages (markers not included) in [start, end) and number of nodes overlapping
// it. O(nodes in range).
void vm_page_list_count_range(const struct vm_page_list* list, uint64_t start, uint64_t end,
                              uint64_t* out_pages, uint64_t* out_nodes);

// Nodes that filling every empty slot of [start, end) would need to allocate.
uint64_t vm_page_list_nodes_needed(const struct vm_page_list* list, uint64_t start, uint64_t end);

// Node cache: fill allocates |count| more nodes, all or nothing (ZX_ERR_NO_MEMORY). drain frees
// what is left.
void vm_page_list_node_cache_init(struct vm_page_list_node_cache* cache);
zx_status_t vm_page_list_node_cache_fill(struct vm_page_list_node_cache* cache,
                                         uint64_t count) WARN_UNUSED;
void vm_page_list_node_cache_drain(struct vm_page_list_node_cache* cache);

// Fills every empty slot of [start, end) (page aligned) with pages taken in order from |pages|,
// calling |init(page, offset, ctx)| on each before storing it, and nodes from |cache|. The caller
// supplies exactly enough (vm_page_list_count_range / vm_page_list_nodes_needed): asserted. Walks
// nodes sequentially, one tree insert per new node, none per page. Cannot fail.
typedef void (*vm_page_list_init_fn)(struct vm_page* page, uint64_t offset, void* ctx);
void vm_page_list_fill_range(struct vm_page_list* list, uint64_t start, uint64_t end,
                             struct page_list* pages, struct vm_page_list_node_cache* cache,
                             vm_page_list_init_fn init, void* ctx);

// Sequential cursor for reads and writes walking a range in increasing offset order, O(1)
// amortized per page. Invalid after any insert or remove.
struct vm_page_list_cursor {
  const struct vm_page_list* list;
  const struct vm_page_list_node* node;  // first node whose range ends after the last query
};
void vm_page_list_cursor_init(struct vm_page_list_cursor* cursor, const struct vm_page_list* list,
                              uint64_t offset);
// The page at |offset| or NULL; |offset| must not decrease between calls.
struct vm_page* vm_page_list_cursor_get(struct vm_page_list_cursor* cursor, uint64_t offset);

// Full validation (see the invariants above); pages must lie below |size|. Panics on violation.
void vm_page_list_check(const struct vm_page_list* list, uint64_t size);

#endif  // ZXVM_VM_VM_PAGE_LIST_H_
