// The nodes that own pages (Zircon's VmCowPages), linked into one copy-on-write tree per clone
// hierarchy. A VMO a handle sees (vm_object_paged) is a *view* of one visible node; a node may have
// several views (the VMO itself, its references and its slices). Bidirectional snapshots insert a
// hidden node that holds the pages both sides share; unidirectional children (of pager-backed
// VMOs) hang directly below the visible node they read through.
//
// Invariants (numbered, checked by vm_cow_pages_check_locked; the full list with the state diagram
// is at the top of vm_cow_pages.c): tree links agree both ways; a hidden node has exactly two
// children and no views; parent_limit <= size and the window fits in the parent; every page of a
// hidden node is needed by at least one child side and its split bits say exactly which sides
// no longer need it; every page is in pmm state OBJECT, owned by its node, at its slot.
//
// Locking: every (O) field is guarded by the hierarchy lock, shared by every node and VMO of the
// tree. This layer reaches mappings only through the views' mapping trees
// (vm_cow_pages_range_change_locked), never by itself taking another lock.
//
// Life cycle: a node is reference counted by its views and its children (each child holds one
// reference on its parent). A hidden node is therefore held by its two children; when one dies the
// hidden node merges into the other (vm_cow_pages.c "merge"). Visible nodes die with their last
// view unless children (unidirectional) still hold them.
#ifndef ZXVM_VM_VM_COW_PAGES_H_
#define ZXVM_VM_VM_COW_PAGES_H_

#include "base/list.h"
#include "vm/vm_object.h"
#include "vm/vm_page_list.h"

#define VM_COW_PAGES_MAGIC ZXVM_MAGIC('V', 'M', 'C', 'P')

// Split bits in vm_page.flags of a page owned by a hidden node: the left (children[0]) or right
// (children[1]) side no longer needs this page (forked its own copy, or cannot see it any more).
#define VM_PAGE_FLAG_SPLIT_LEFT (1u << 0)
#define VM_PAGE_FLAG_SPLIT_RIGHT (1u << 1)
#define VM_PAGE_FLAG_SPLIT_MASK (VM_PAGE_FLAG_SPLIT_LEFT | VM_PAGE_FLAG_SPLIT_RIGHT)

struct page_source;  // the pager's object (vm_cow_pages_pager.h); NULL = anonymous memory
struct multi_page_request;

// Legend: (c) const after create, (O) hierarchy lock.
struct vm_cow_pages {
  uint32_t magic;                       // (c) VM_COW_PAGES_MAGIC
  struct vm_hierarchy_lock* hierarchy;  // (c) one reference held
  uint32_t refcount;                    // (O) views + children
  bool hidden;                          // (O) set once, when the node becomes a snapshot's parent
  uint64_t size;                        // (O) bytes, page aligned
  struct vm_page_list page_list;        // (O) the pages this node owns
  uint64_t committed_change_events;     // (O)
  uint64_t pinned_pages;                // (O) pages of page_list with pin_count > 0
  struct page_source* page_source;      // (O) NULL = anonymous; set by the pager code on roots
  // Tree. Offset y of this node reads the parent's offset y + parent_offset when y < parent_limit.
  struct vm_cow_pages* parent;  // (O) holds a reference; NULL for a root
  uint64_t parent_offset;       // (O)
  uint64_t parent_limit;        // (O) never grows; <= size
  struct list_node children;    // (O) of vm_cow_pages.sibling_node; hidden: [0] left, [1] right
  struct list_node sibling_node;
  uint32_t child_count;            // (O)
  uint8_t split_bit;               // (O) VM_PAGE_FLAG_SPLIT_* naming this node in a hidden parent
  struct list_node views;          // (O) of vm_object_paged.view_node
  struct vm_cow_pages* walk_next;  // (O) scratch for one fork walk: the child on the path down
};

// Pages and nodes reserved for one commit of [start, end).
struct vm_cow_pages_commit {
  uint64_t start, end;                   // page aligned
  uint64_t missing;                      // pages to add (0: nothing to do)
  struct page_list pages;                // exactly |missing| pages, state ALLOC
  struct vm_page_list_node_cache nodes;  // exactly the nodes apply needs
};

// A callback run for each view of a node intersecting a range change: the VMO-side range is
// [offset, offset + len) in the view's own offsets. Used to reach mappings without this layer
// knowing what a view is.
typedef void (*vm_cow_pages_view_fn)(struct list_node* view, uint64_t offset, uint64_t len,
                                     enum vm_range_change_op op);
// The view geometry: where the view starts in its node and how many bytes it shows.
typedef void (*vm_cow_pages_view_geometry_fn)(struct list_node* view, uint64_t* out_node_offset,
                                              uint64_t* out_len);
// Points the view at another node (a snapshot hands the views of a node to its new visible node).
typedef void (*vm_cow_pages_view_rebind_fn)(struct list_node* view, struct vm_cow_pages* cow);
struct vm_cow_pages_view_ops {
  vm_cow_pages_view_fn range_change;
  vm_cow_pages_view_geometry_fn geometry;
  vm_cow_pages_view_rebind_fn rebind;
};
// Installed once by vm_object_paged.c (the only kind of view).
extern const struct vm_cow_pages_view_ops vm_cow_pages_view_ops;

// ---- life cycle ---------------------------------------------------------------------------------

// Creates a root node of |size| bytes (page aligned), refcount 1 (the caller's view), taking a new
// reference to |hierarchy|. ZX_ERR_NO_MEMORY.
zx_status_t vm_cow_pages_create(struct vm_hierarchy_lock* hierarchy, uint64_t size,
                                struct vm_cow_pages** out) WARN_UNUSED;
void vm_cow_pages_acquire_locked(struct vm_cow_pages* cow) REQUIRES(&cow->hierarchy->lock);
// Drops a reference. The last one frees the node's pages, detaches it from its parent (whose
// hidden node then merges into its remaining child, or which dies in turn) and frees the node.
// The node's views must be gone. The hierarchy lock stays held (the caller's VMO still holds its
// reference to the lock).
void vm_cow_pages_release_locked(struct vm_cow_pages* cow) REQUIRES(&cow->hierarchy->lock);

static inline bool vm_cow_pages_is_root(const struct vm_cow_pages* cow) {
  return cow->parent == NULL;
}
// True when the root of |cow|'s chain has a page source (a pager-backed hierarchy).
bool vm_cow_pages_is_pager_backed_locked(struct vm_cow_pages* cow) REQUIRES(&cow->hierarchy->lock);

// ---- clones (vm_cow_pages_clone.c) ----------------------------------------------------------

// Bidirectional snapshot of [offset, offset + size) of visible |cow| (page aligned; may extend past
// cow->size: reads zero there), limited to the first |visible_len| bytes (a slice's own size).
// |cow| turns into the hidden node, keeping its pages (O(1): no page moves, so every page's owner
// field stays right); |*out_self| is a new visible node that takes over cow's views (rebound
// through the view ops) and |*out_child| the new child's node, with one reference for the new
// view the caller attaches. The caller has write-protected the views' mappings. ZX_ERR_NO_MEMORY
// with nothing changed. |cow| must be visible, without children and without pinned pages.
zx_status_t vm_cow_pages_create_snapshot_locked(struct vm_cow_pages* cow, uint64_t offset,
                                                uint64_t size, uint64_t visible_len,
                                                struct vm_cow_pages** out_self,
                                                struct vm_cow_pages** out_child)
    REQUIRES(&cow->hierarchy->lock) WARN_UNUSED;
// Unidirectional child of visible |cow| (pager-backed at-least-on-write): it reads cow's pages
// (and later writes to them) until it writes its own copy. As Zircon, the new node hangs off the
// highest visible ancestor up from |cow| such that no node it skips owns a page (or marker) in
// its window, so later forks in skipped nodes do not show in it.
zx_status_t vm_cow_pages_create_unidirectional_locked(struct vm_cow_pages* cow, uint64_t offset,
                                                      uint64_t size, uint64_t visible_len,
                                                      struct vm_cow_pages** out_child)
    REQUIRES(&cow->hierarchy->lock) WARN_UNUSED;

// ---- page lookup --------------------------------------------------------------------------------

// The page visible at |offset| (page aligned, < size): the node's own, else the first ancestor's
// along the parent windows; NULL when none (reads zero). |*out_owner| is the node owning the page.
struct vm_page* vm_cow_pages_peek_locked(struct vm_cow_pages* cow, uint64_t offset,
                                         struct vm_cow_pages** out_owner)
    REQUIRES(&cow->hierarchy->lock);
// As peek, but when the walk reaches a pager-backed root without the page, asks the pager
// (vm_cow_pages_pager_missing_locked): ZX_ERR_SHOULD_WAIT (request armed), or retries after ZX_OK,
// or reads zero (ZX_OK, NULL page and owner) where the root knows the page is zero.
zx_status_t vm_cow_pages_lookup_visible_locked(struct vm_cow_pages* cow, uint64_t offset,
                                               bool write, struct multi_page_request* req,
                                               struct vm_page** out_page,
                                               struct vm_cow_pages** out_owner)
    REQUIRES(&cow->hierarchy->lock) WARN_UNUSED;

// Pages forks have copied (not moved) since the library started, all hierarchies together.
uint64_t vm_cow_pages_copy_count(void);

// How a fork initialises the node's new page.
enum vm_cow_fork_mode {
  VM_COW_FORK_COPY = 0,    // the ancestor's contents
  VM_COW_FORK_ZERO = 1,    // zeros (zero_range on a clone)
  VM_COW_FORK_NO_INIT = 2  // the caller overwrites the whole page under this lock
};
// Gives |cow| (visible) its own page at |offset| (page aligned, < size) when an ancestor page is
// visible there. A visible ancestor's page is copied straight into |cow|. A hidden ancestor's
// page travels down the path one level at a time, copied where the other side still needs it,
// moved where it does not (split bits updated, unreachable pages freed). Mappings that showed the
// ancestor page in a subtree that now sees a copy are unmapped. Returns ZX_OK with the page,
// ZX_ERR_NOT_FOUND when no ancestor page is visible (nothing changed), or ZX_ERR_NO_MEMORY
// (consistent: the page may have moved part of the way down).
zx_status_t vm_cow_pages_fork_page_locked(struct vm_cow_pages* cow, uint64_t offset,
                                          enum vm_cow_fork_mode mode, struct vm_page** out)
    REQUIRES(&cow->hierarchy->lock) WARN_UNUSED;

// Makes visible, non-root |cow| read zeros at |offset| (page aligned, < size) with a zero marker
// instead of a page of its own, when it would otherwise show data there:
//  - its own unpinned page, while an ancestor holds a page there too: the page is freed;
//  - an ancestor's page: it stays where it is for whoever else reads it (its split bits are
//    recomputed up the path) and is freed if |cow| was its last reader;
//  - in a pager tree, also a page the root has not been supplied yet (absent is not zero there).
// Mappings of |cow| that showed the data are unmapped. ZX_OK (also when nothing needed doing) or
// ZX_ERR_NO_MEMORY (nothing changed).
zx_status_t vm_cow_pages_zero_with_marker_locked(struct vm_cow_pages* cow, uint64_t offset)
    REQUIRES(&cow->hierarchy->lock) WARN_UNUSED;

// The page owned at |offset| (page aligned), a zero marker, or NULL.
struct vm_page* vm_cow_pages_lookup_locked(struct vm_cow_pages* cow, uint64_t offset)
    REQUIRES(&cow->hierarchy->lock);

// ---- commit / free ------------------------------------------------------------------------------

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
// Allocates one zeroed (or, with |no_zero|, uninitialised) page at |offset|, which is absent or
// holds a zero marker (replaced). ZX_ERR_NO_MEMORY.
zx_status_t vm_cow_pages_alloc_page_locked(struct vm_cow_pages* cow, uint64_t offset, bool no_zero,
                                           struct vm_page** out)
    REQUIRES(&cow->hierarchy->lock) WARN_UNUSED;

// Removes and frees every page in [start, end) (page aligned). The caller has already unmapped
// the range from every mapping and checked no page is pinned. Returns the number freed.
uint64_t vm_cow_pages_free_range_locked(struct vm_cow_pages* cow, uint64_t start, uint64_t end)
    REQUIRES(&cow->hierarchy->lock);

// Zero-fills the bytes [offset, offset + len) that lie in pages the node owns.
void vm_cow_pages_zero_bytes_locked(struct vm_cow_pages* cow, uint64_t offset, uint64_t len)
    REQUIRES(&cow->hierarchy->lock);

// Copies [offset, offset + len) (in range) into |buf|: own pages, else visible ancestor pages,
// else zeros. Never commits.
void vm_cow_pages_read_locked(struct vm_cow_pages* cow, void* buf, uint64_t offset, uint64_t len)
    REQUIRES(&cow->hierarchy->lock);
// Copies |buf| into [offset, offset + len) (in range). Every page of the range must be owned
// already (asserted).
void vm_cow_pages_write_locked(struct vm_cow_pages* cow, const void* buf, uint64_t offset,
                               uint64_t len) REQUIRES(&cow->hierarchy->lock);

// Sets the size (page aligned). Shrinking frees the pages beyond |size| (the caller has unmapped
// them and checked pins), clamps parent_limit and children's windows, and frees ancestor pages
// nobody needs any more. Cannot fail.
void vm_cow_pages_resize_locked(struct vm_cow_pages* cow, uint64_t size)
    REQUIRES(&cow->hierarchy->lock);

// Pinned pages in [start, end).
uint64_t vm_cow_pages_pinned_in_range_locked(struct vm_cow_pages* cow, uint64_t start, uint64_t end)
    REQUIRES(&cow->hierarchy->lock);

// Calls the views' range_change for [offset, offset + len) of |cow| and of every descendant that
// reads those offsets through |cow| (translated through each window).
void vm_cow_pages_range_change_locked(struct vm_cow_pages* cow, uint64_t offset, uint64_t len,
                                      enum vm_range_change_op op) REQUIRES(&cow->hierarchy->lock);

// ---- attribution (vm_cow_pages_clone.c) --------------------------------------------------------

// Attribution of the pages visible in [offset, offset + len) of visible |cow| (clipped to size)
// that |cow| owns or reads from hidden ancestors (a visible ancestor's pages, such as a pager
// root's, are attributed to that ancestor only): uncompressed = every such page; private = pages
// only this node can see; scaled = PAGE_SIZE / (number of visible nodes that see the page).
void vm_cow_pages_attributed_memory_locked(struct vm_cow_pages* cow, uint64_t offset, uint64_t len,
                                           struct vm_attribution_counts* out)
    REQUIRES(&cow->hierarchy->lock);
// Visible nodes the page |owner| holds at |offset| is attributed to: 1 for a visible node's own
// page; for a hidden node's, the visible nodes reading it through hidden nodes only.
uint64_t vm_cow_pages_sharers_locked(struct vm_cow_pages* owner, uint64_t offset)
    REQUIRES(&owner->hierarchy->lock);

static inline uint64_t vm_cow_pages_committed_pages_locked(const struct vm_cow_pages* cow)
    REQUIRES(&cow->hierarchy->lock) {
  return vm_page_list_count(&cow->page_list);
}

// Checks |cow| and, from its root, the whole tree (see the invariants). Panics on violation.
void vm_cow_pages_check_locked(struct vm_cow_pages* cow) REQUIRES(&cow->hierarchy->lock);

// ---- internal, shared by vm_cow_pages.c and vm_cow_pages_clone.c -------------------------------

// True when offset |x| of |parent| lies in |child|'s window; |*out_y| = the child's offset.
bool vm_cow_pages_in_window(const struct vm_cow_pages* child, uint64_t x, uint64_t* out_y);
// Asserts (and tells the analysis) that |cow|'s hierarchy lock is held: every node of a tree
// shares one lock, which the analysis cannot see through parent/child pointers.
void vm_cow_pages_assert_held(const struct vm_cow_pages* cow)
    ASSERT_CAPABILITY(&cow->hierarchy->lock);
// Page split flags with a bit set for each side of hidden |cow| that does not need offset |x|.
uint8_t vm_cow_pages_split_bits_locked(struct vm_cow_pages* cow, uint64_t x)
    REQUIRES(&cow->hierarchy->lock);
// True when visible-or-hidden |node| reads offset |y| from its parent: it owns no page there, y is
// in its window, and (hidden) some child needs it.
bool vm_cow_pages_needs_locked(struct vm_cow_pages* node, uint64_t y)
    REQUIRES(&node->hierarchy->lock);
// Frees ancestor pages of |node|'s parent chain in [start, end) of |node|'s parent that nobody
// needs any more, recomputing split bits there.
void vm_cow_pages_prune_ancestors_locked(struct vm_cow_pages* parent, uint64_t start, uint64_t end)
    REQUIRES(&parent->hierarchy->lock);
// Merges hidden |hidden| (one child left) into its child; frees |hidden|.
void vm_cow_pages_merge_locked(struct vm_cow_pages* hidden) REQUIRES(&hidden->hierarchy->lock);
// Frees |page| (owned by |cow| at |offset|) out of the node.
void vm_cow_pages_free_page_locked(struct vm_cow_pages* cow, uint64_t offset)
    REQUIRES(&cow->hierarchy->lock);

static inline struct vm_cow_pages* vm_cow_pages_first_child(const struct vm_cow_pages* cow) {
  return list_is_empty(&cow->children)
             ? NULL
             : list_entry(cow->children.next, struct vm_cow_pages, sibling_node);
}
static inline struct vm_cow_pages* vm_cow_pages_next_child(const struct vm_cow_pages* cow,
                                                           const struct vm_cow_pages* child) {
  return child->sibling_node.next == &cow->children
             ? NULL
             : list_entry(child->sibling_node.next, struct vm_cow_pages, sibling_node);
}

#endif  // ZXVM_VM_VM_COW_PAGES_H_
