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

struct multi_page_request;

// Creation options.
#define VM_OBJECT_PAGED_RESIZABLE (1u << 0)
#define VM_OBJECT_PAGED_OPTIONS_MASK VM_OBJECT_PAGED_RESIZABLE
// Kinds a child VMO records in |options| (never accepted by vm_object_paged_create).
#define VM_OBJECT_PAGED_SLICE (1u << 1)      // a window [cow_offset, +slice_size) of the node
#define VM_OBJECT_PAGED_REFERENCE (1u << 2)  // another view of the parent's node (and window)
#define VM_OBJECT_PAGED_COW_CLONE (1u << 3)  // a snapshot-type child (ZX_INFO_VMO_IS_COW_CLONE)
#define VM_OBJECT_PAGED_IMMUTABLE (1u << 4)  // SNAPSHOT | NO_WRITE, not resizable
#define VM_OBJECT_PAGED_ALL_OPTIONS                                                   \
  (VM_OBJECT_PAGED_OPTIONS_MASK | VM_OBJECT_PAGED_SLICE | VM_OBJECT_PAGED_REFERENCE | \
   VM_OBJECT_PAGED_COW_CLONE | VM_OBJECT_PAGED_IMMUTABLE)

// Child options of vm_object_paged_create_child: the values of ZX_VMO_CHILD_* (src/zx ties them
// with _Static_assert).
#define VM_CHILD_SNAPSHOT (1u << 0)
#define VM_CHILD_RESIZABLE (1u << 2)
#define VM_CHILD_SLICE (1u << 3)
#define VM_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE (1u << 4)
#define VM_CHILD_NO_WRITE (1u << 5)
#define VM_CHILD_REFERENCE (1u << 6)
#define VM_CHILD_SNAPSHOT_MODIFIED (1u << 7)
#define VM_CHILD_TYPE_MASK                                                                         \
  (VM_CHILD_SNAPSHOT | VM_CHILD_SLICE | VM_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE | VM_CHILD_REFERENCE | \
   VM_CHILD_SNAPSHOT_MODIFIED)
#define VM_CHILD_OPTIONS_MASK (VM_CHILD_TYPE_MASK | VM_CHILD_RESIZABLE | VM_CHILD_NO_WRITE)

// The largest size a paged VMO may have (page aligned): 2^64 - 64 pages. zx_vmo_create accepts
// any size up to this before rounding.
#define VM_OBJECT_PAGED_MAX_SIZE (UINT64_MAX - 64 * PAGE_SIZE + 1)

#define VM_OBJECT_PAGED_MAGIC ZXVM_MAGIC('V', 'M', 'O', 'P')

struct vm_object_paged;
// Told when a VMO's child count goes 0 -> 1 or 1 -> 0 (ZX_VMO_ZERO_CHILDREN). Called with no VM
// lock held, possibly late and from any thread: it must read vm_object_paged_child_count() for
// the current state rather than trust the order of calls.
typedef void (*vm_object_paged_children_fn)(struct vm_object_paged* vmo, void* ctx);

// Legend: (c) const after create, (O) hierarchy lock.
//
// Life cycle: the VMO holds one reference on its node (cow) as a view; a snapshot rebinds the
// views of a node to the node's new visible replacement. VMO-level parent/children links are raw
// (a child does not keep its parent VMO alive); when a VMO dies its children move to its parent,
// so a parent has children while any transitive child lives.
struct vm_object_paged {
  struct vm_object base;     // first; base.type == VM_OBJECT_TYPE_PAGED
  uint32_t magic;            // (c) VM_OBJECT_PAGED_MAGIC
  uint32_t options;          // (c) VM_OBJECT_PAGED_* (all options)
  struct vm_cow_pages* cow;  // (O) the visible node this VMO views (one reference)
  uint64_t cow_offset;       // (c) node offset of this VMO's offset 0 (slices)
  uint64_t slice_size;       // (c) slices: the fixed size; otherwise the node's size is the size
  uint64_t content_size;     // (O) exact byte size last requested (may exceed size, see below)
  uint64_t parent_offset_total;    // (c) node offset a child was created at (overflow checks)
  uint64_t parent_user_id;         // (c) the parent's koid at creation, 0 for none
  struct list_node view_node;      // (O) in cow->views
  struct vm_object_paged* parent;  // (O) raw; NULL for none or when the parent died
  struct list_node children;       // (O) of child_node
  struct list_node child_node;     // (O)
  uint32_t child_count;            // (O)
  vm_object_paged_children_fn children_observer;  // (O)
  void* children_observer_ctx;                    // (O)
};

// Counters for zx_object_get_info(ZX_INFO_VMO).
struct vm_object_paged_stats {
  uint64_t committed_bytes;          // pages this VMO's node owns in the VMO's range
  uint64_t populated_bytes;          // every page the VMO can see (own or shared ancestor pages)
  uint64_t populated_private_bytes;  // pages only this VMO's node sees
  struct fractional_bytes populated_scaled_bytes;  // shared pages split between their sharers
  uint64_t metadata_bytes;                         // page-list node bytes
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
// to pages. ZX_ERR_OUT_OF_RANGE when offset + len overflows or exceeds the size when the call
// begins (len == 0 at offset <= size is OK); a pager-backed VMO that shrinks while the commit
// waits for the pager cuts the range short (ZX_OK once what is left is committed).
// ZX_ERR_NO_MEMORY: all or nothing, no page of the range was added. Zero-page mappings of newly
// committed pages are unmapped (RANGE_CHANGE_OP_UNMAP_ZERO_PAGE).
zx_status_t vm_object_paged_commit_range(struct vm_object_paged* vmo, uint64_t offset,
                                         uint64_t len) WARN_UNUSED;

// Frees the pages of [offset, offset + len); the range reads as zeros afterwards and mappings of
// it are unmapped first. ZX_ERR_INVALID_ARGS unless offset and len are page aligned (checked
// first); a range running past the end is trimmed to it, ZX_ERR_OUT_OF_RANGE when it starts
// past the end; ZX_ERR_NOT_SUPPORTED
// for a copy-on-write clone, a VMO with snapshot children (both: its node has a parent) or a
// pager-backed VMO; ZX_ERR_BAD_STATE when a page of the range is pinned.
zx_status_t vm_object_paged_decommit_range(struct vm_object_paged* vmo, uint64_t offset,
                                           uint64_t len) WARN_UNUSED;

// Makes [offset, offset + len) (any byte range) read as zero: whole pages are unmapped and freed,
// partial pages are zero-filled if committed (absent ones already read as zero). len == 0 is OK
// anywhere. ZX_ERR_OUT_OF_RANGE when the range overflows or exceeds the size. On a clone a page
// still showing an ancestor's data gets its own zeroed copy (ZX_ERR_NO_MEMORY possible, with the
// range partly zeroed); pinned pages are zero-filled in place. In a pager tree (see
// vm_object_paged.c): whole pages of the root become a dirty zero interval with no request; a
// clone's whole pages get zeroed pages of their own; partial pages need their content (READ) and,
// on the root under TRAP_DIRTY, a DIRTY ack: the call waits for the pager with no lock held and
// returns the pager's failure status (or ZX_ERR_OUT_OF_RANGE when a resize removed the page).
zx_status_t vm_object_paged_zero_range(struct vm_object_paged* vmo, uint64_t offset,
                                       uint64_t len) WARN_UNUSED;

// Eviction hints (ZX_VMO_OP_ALWAYS_NEED / DONT_NEED / PREFETCH), over [offset, offset + len)
// rounded out to pages.
enum vm_object_paged_hint {
  VM_OBJECT_PAGED_HINT_ALWAYS_NEED = 0,  // fetch through the pager; exempt the pages from eviction
  VM_OBJECT_PAGED_HINT_DONT_NEED = 1,    // committed clean pager pages are evicted first
  VM_OBJECT_PAGED_HINT_PREFETCH = 2,     // fetch through the pager
};
// Applies |hint| where a pager backs |vmo| (its root or, for a clone, the pages of the root the
// clone sees). ALWAYS_NEED and PREFETCH wait for READ requests with no lock held; PREFETCH
// returns the pager's failure status (ZX_ERR_BAD_STATE once detached), ALWAYS_NEED skips a page
// it cannot get (hints are best effort) and returns ZX_OK. ZX_ERR_OUT_OF_RANGE when the range
// overflows or exceeds the size when the call begins; a VMO that shrinks during a wait cuts the
// range short (ZX_OK). Where no pager backs |vmo|: ALWAYS_NEED and DONT_NEED return ZX_OK
// whatever the range, PREFETCH ZX_OK or ZX_ERR_OUT_OF_RANGE. No lock may be held.
zx_status_t vm_object_paged_hint_range(struct vm_object_paged* vmo, enum vm_object_paged_hint hint,
                                       uint64_t offset, uint64_t len) WARN_UNUSED;

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
// VMO is not resizable (slices never are); ZX_ERR_OUT_OF_RANGE if |size| rounds past 2^64 or
// above the max size; ZX_ERR_INVALID_ARGS for a child whose creation offset + the new size
// overflows; ZX_ERR_BAD_STATE if shrinking would drop a pinned page; ZX_ERR_NO_MEMORY (a clone's
// partial last page needing its own zeroed copy; nothing changed). Shrinking unmaps then frees the
// pages beyond the new size and narrows the node's window on its parent for good (regrowing shows
// zeros, never the parent's old data). The bytes from |size| to the end of its page are zeroed.
// A reference resizes the node it shares with its parent: every view sees the new size.
zx_status_t vm_object_paged_set_size(struct vm_object_paged* vmo, uint64_t size) WARN_UNUSED;
uint64_t vm_object_paged_get_size(struct vm_object_paged* vmo);
uint64_t vm_object_paged_get_size_locked(const struct vm_object_paged* vmo)
    REQUIRES(&vmo->base.hierarchy->lock);

// Content size (ZX_PROP_VMO_CONTENT_SIZE): initially the unrounded create size, reset by set_size.
// Set stores any value (it may exceed the size, as older kernels allow); it changes no data.
uint64_t vm_object_paged_get_content_size(struct vm_object_paged* vmo);
void vm_object_paged_set_content_size(struct vm_object_paged* vmo, uint64_t content_size);
// Where a ZX_VM_FAULT_BEYOND_STREAM_SIZE mapping stops: the stream (content) size rounded up to a
// page (the page holding the stream's last byte stays reachable), but never past the size. The
// _locked form expects the lock held; the other takes it.
uint64_t vm_object_paged_stream_end_locked(const struct vm_object_paged* vmo)
    REQUIRES(&vmo->base.hierarchy->lock);
uint64_t vm_object_paged_stream_end(struct vm_object_paged* vmo);

// Fault-path lookup of the page at |offset| (rounded down to a page). Read (|write| false): the
// node's own page, writable; else a visible ancestor's (copy-on-write shared) page, not writable;
// else the shared zero page (pmm_zero_page()), not writable — nothing is committed. Write: an own
// page, writable: the visible ancestor page is forked (copied, or moved when nobody else needs
// it; other mappings of the old page in this VMO are unmapped), or a zeroed page is allocated
// (zero-page mappings of that offset unmapped first). ZX_ERR_OUT_OF_RANGE when offset >= size;
// ZX_ERR_NO_MEMORY (write only; contents unchanged). In a pager-backed tree a page missing at the
// root is asked of the pager with |page_request| (may be NULL): ZX_ERR_SHOULD_WAIT means the
// request is armed and the caller must drop its locks, wait and retry. The page stays owned by
// the tree: valid only while the lock is held.
zx_status_t vm_object_paged_lookup_page_locked(struct vm_object_paged* vmo, uint64_t offset,
                                               bool write, struct multi_page_request* page_request,
                                               struct vm_page** out_page, bool* out_writable)
    REQUIRES(&vmo->base.hierarchy->lock) WARN_UNUSED;
// The page this VMO's node owns at |offset| (rounded down), usable as is without any fork, or
// NULL (also when offset >= size, or when only an ancestor's page is visible). Never allocates.
struct vm_page* vm_object_paged_maybe_page_locked(struct vm_object_paged* vmo, uint64_t offset)
    REQUIRES(&vmo->base.hierarchy->lock);
// The page the VMO shows at |offset| without changing anything (own or ancestor; NULL = zeros,
// also when offset >= size); |*out_owned| tells whether it is the node's own. For checkers.
struct vm_page* vm_object_paged_peek_page_locked(struct vm_object_paged* vmo, uint64_t offset,
                                                 bool* out_owned)
    REQUIRES(&vmo->base.hierarchy->lock);

// ---- children (vm_object_paged_clone.c) ----

// Creates a child VMO of |parent| (|options|: exactly one VM_CHILD_* type, plus RESIZABLE and/or
// NO_WRITE) over [offset, offset + size) of the parent (size rounded up to pages; content size =
// |size|). The child joins the parent's hierarchy lock and inherits its name.
//  - SNAPSHOT: a bidirectional copy-on-write snapshot in O(1): pages stay shared until either side
//    writes; neither side sees the other's later writes. May extend past the parent (zeros).
//  - SNAPSHOT_AT_LEAST_ON_WRITE: the same for anonymous VMOs; in a pager-backed tree a
//    unidirectional child that keeps reading the parent's pages it has not written.
//  - SNAPSHOT_MODIFIED: a snapshot (in a pager tree: of the parent's modified pages; the rest
//    still comes from the root); of a pager root it acts as AT_LEAST_ON_WRITE.
//  - SLICE: a window sharing every page, never resizable; the range must lie inside the parent.
//  - REFERENCE: another view of the parent's whole range; it sees and causes resizes (|offset|,
//    |size| are ignored).
// Statuses (zx-abi.md zx_vmo_create_child): ZX_ERR_INVALID_ARGS — unknown bits, not exactly one
// type, unaligned offset, SLICE|RESIZABLE, NO_WRITE|RESIZABLE, a slice range outside the parent
// or overflowing, an accumulated node offset overflowing; ZX_ERR_OUT_OF_RANGE — size rounding
// past the max, or offset + size overflowing (snapshots); ZX_ERR_NOT_SUPPORTED — SLICE of a
// resizable parent, SNAPSHOT of a pager-backed VMO, RESIZABLE REFERENCE of a non-resizable VMO,
// a snapshot of a node that has unidirectional children; ZX_ERR_BAD_STATE — a copy-on-write child
// while the parent has pinned pages, or a snapshot of a VMO whose cache policy is not CACHED;
// ZX_ERR_NO_MEMORY. Nothing changes on failure. On ZX_OK the caller owns one reference in |*out|.
// Creating a snapshot write-protects the parent's (and its views') writable mappings. Takes the
// lock; calls the parent's children observer after dropping it when the count left 0.
zx_status_t vm_object_paged_create_child(struct vm_object_paged* parent, uint32_t options,
                                         uint64_t offset, uint64_t size,
                                         struct vm_object_paged** out) WARN_UNUSED;

// zx_vmo_set_cache_policy: ZX_ERR_BAD_STATE when the VMO has children, is a child (a slice
// too) or has pinned pages, else vm_object_set_cache_policy's rules. Takes the lock.
zx_status_t vm_object_paged_set_cache_policy(struct vm_object_paged* vmo,
                                             uint32_t policy) WARN_UNUSED;

// Children still alive (direct, plus those inherited from dead children). Takes the lock.
uint32_t vm_object_paged_child_count(struct vm_object_paged* vmo);
// Installs the ZX_VMO_ZERO_CHILDREN observer (NULL to remove). Takes the lock.
void vm_object_paged_set_children_observer(struct vm_object_paged* vmo,
                                           vm_object_paged_children_fn fn, void* ctx);
// Called from paged_destroy: unlinks |vmo| from the VMO tree (its children move to its parent).
// Returns the parent with a reference the caller drops after notifying it (or NULL). Lock held.
struct vm_object_paged* vm_object_paged_unlink_child_locked(struct vm_object_paged* vmo)
    REQUIRES(&vmo->base.hierarchy->lock);
// Initialises a freshly allocated VMO as a view of |cow| at |cow_offset| (one reference on |cow|
// and on |hierarchy| are handed over). Internal to vm_object_paged*.c. Lock held when |cow| is
// already shared.
void vm_object_paged_init_view(struct vm_object_paged* vmo, uint32_t options,
                               struct vm_hierarchy_lock* hierarchy, struct vm_cow_pages* cow,
                               uint64_t cow_offset, uint64_t content_size);
// Calls |vmo|'s children observer if set (no lock held).
void vm_object_paged_notify_children(struct vm_object_paged* vmo);

static inline bool vm_object_paged_is_slice(const struct vm_object_paged* vmo) {
  return (vmo->options & VM_OBJECT_PAGED_SLICE) != 0;
}
static inline bool vm_object_paged_is_reference(const struct vm_object_paged* vmo) {
  return (vmo->options & VM_OBJECT_PAGED_REFERENCE) != 0;
}
static inline bool vm_object_paged_is_cow_clone(const struct vm_object_paged* vmo) {
  return (vmo->options & VM_OBJECT_PAGED_COW_CLONE) != 0;
}
static inline bool vm_object_paged_is_resizable(const struct vm_object_paged* vmo) {
  return (vmo->options & VM_OBJECT_PAGED_RESIZABLE) != 0;
}
static inline bool vm_object_paged_is_immutable(const struct vm_object_paged* vmo) {
  return (vmo->options & VM_OBJECT_PAGED_IMMUTABLE) != 0;
}
static inline uint64_t vm_object_paged_parent_user_id(const struct vm_object_paged* vmo) {
  return vmo->parent_user_id;
}
// True when the tree's root has a pager (ZX_INFO_VMO_PAGER_BACKED). Takes the lock.
bool vm_object_paged_is_pager_backed(struct vm_object_paged* vmo);

// ---- pinning ----

// Commits (forking shared pages) and pins every page of [offset, offset + len) rounded out to
// pages, for in-library users that need the physical pages to stay put. ZX_ERR_OUT_OF_RANGE
// (overflow or past the size); ZX_ERR_NO_MEMORY (nothing stays pinned). Pinned pages make
// decommit and a shrinking set_size fail with ZX_ERR_BAD_STATE, and copy-on-write children
// ZX_ERR_BAD_STATE. Takes the lock.
zx_status_t vm_object_paged_pin_range(struct vm_object_paged* vmo, uint64_t offset,
                                      uint64_t len) WARN_UNUSED;
// Drops one pin from every page of the range (each must be pinned: asserted) and tells the
// mappings (RANGE_CHANGE_OP_DEBUG_UNPIN). Takes the lock.
void vm_object_paged_unpin_range(struct vm_object_paged* vmo, uint64_t offset, uint64_t len);

void vm_object_paged_get_stats(struct vm_object_paged* vmo, struct vm_object_paged_stats* out);
void vm_object_paged_get_stats_locked(struct vm_object_paged* vmo,
                                      struct vm_object_paged_stats* out)
    REQUIRES(&vmo->base.hierarchy->lock);

// Invariant checker (see vm_cow_pages.h and vm_object.h): base object, size, cow node, page list.
// Panics on the first violation. The _locked form is what VM_VALIDATE runs after each change.
void vm_object_paged_check(struct vm_object_paged* vmo);
void vm_object_paged_check_locked(struct vm_object_paged* vmo) REQUIRES(&vmo->base.hierarchy->lock);

#endif  // ZXVM_VM_VM_OBJECT_PAGED_H_
