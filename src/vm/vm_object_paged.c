// Paged VMOs (see vm_object_paged.h): argument validation, locking, the mapping range-change
// walks and the size/content-size bookkeeping around the page storage of vm_cow_pages. A VMO is a
// view [cow_offset, cow_offset + size) of one visible node; slices and references are further
// views of the same node. Copy-on-write children live in vm_object_paged_clone.c.
//
// Invariants (vm_object_paged_check_locked): size is page aligned and <= VM_OBJECT_PAGED_MAX_SIZE;
// the view lies inside its node, which is visible, shares the VMO's hierarchy lock and lists the
// VMO among its views; the node's tree passes vm_cow_pages_check_locked.
#include "vm/vm_object_paged.h"

#include "base/checked_math.h"
#include "base/platform.h"
#include "vm/evictor.h"
#include "vm/page_request.h"
#include "vm/vm_pager.h"

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

// The node shares the VMO's hierarchy lock (checked by vm_object_paged_check_locked); this tells
// the analysis (and, in debug builds, the lock) that holding one is holding the other.
static inline void assert_cow_held(struct vm_object_paged* vmo)
    ASSERT_CAPABILITY(&vmo->cow->hierarchy->lock) {
  ZX_DEBUG_ASSERT(vmo->cow->hierarchy == vmo->base.hierarchy);
  mutex_assert_held(&vmo->cow->hierarchy->lock);
}

// ---- views --------------------------------------------------------------------------------------

static inline struct vm_object_paged* view_vmo(struct list_node* view) {
  return list_entry(view, struct vm_object_paged, view_node);
}

static uint64_t size_locked(const struct vm_object_paged* vmo) NO_THREAD_SAFETY_ANALYSIS {
  // Callers hold the VMO lock, which is the node's (the analysis cannot relate the two paths).
  return vm_object_paged_is_slice(vmo) ? vmo->slice_size : vmo->cow->size;
}

static void view_range_change(struct list_node* view, uint64_t offset, uint64_t len,
                              enum vm_range_change_op op) NO_THREAD_SAFETY_ANALYSIS {
  // Called by vm_cow_pages_range_change_locked with the hierarchy lock held.
  vm_object_range_change_update_locked(&view_vmo(view)->base, offset, len, op);
}

static void view_geometry(struct list_node* view, uint64_t* out_node_offset, uint64_t* out_len) {
  struct vm_object_paged* vmo = view_vmo(view);
  *out_node_offset = vmo->cow_offset;
  *out_len = size_locked(vmo);
}

static void view_rebind(struct list_node* view, struct vm_cow_pages* cow) {
  view_vmo(view)->cow = cow;
}

const struct vm_cow_pages_view_ops vm_cow_pages_view_ops = {
    .range_change = view_range_change,
    .geometry = view_geometry,
    .rebind = view_rebind,
};

// ---- creation and destruction -------------------------------------------------------------------

// Page-rounds |size| and checks it against the maximum.
static bool paged_size_ok(uint64_t size, uint64_t* out_rounded) {
  return roundup_page_u64(size, out_rounded) && *out_rounded <= VM_OBJECT_PAGED_MAX_SIZE;
}

void vm_object_paged_init_view(struct vm_object_paged* vmo, uint32_t options,
                               struct vm_hierarchy_lock* hierarchy, struct vm_cow_pages* cow,
                               uint64_t cow_offset, uint64_t content_size) {
  vm_object_init(&vmo->base, VM_OBJECT_TYPE_PAGED, &paged_ops, hierarchy);  // takes a ref
  vmo->magic = VM_OBJECT_PAGED_MAGIC;
  vmo->options = options;
  vmo->cow = cow;
  vmo->cow_offset = cow_offset;
  vmo->slice_size = 0;
  vmo->content_size = content_size;
  vmo->parent_offset_total = 0;
  vmo->parent_user_id = 0;
  list_add_tail(&cow->views, &vmo->view_node);
  vmo->parent = NULL;
  list_initialize(&vmo->children);
  list_node_init(&vmo->child_node);
  vmo->child_count = 0;
  vmo->children_observer = NULL;
  vmo->children_observer_ctx = NULL;
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
  status = vm_cow_pages_create(hierarchy, rounded, &cow);  // its reference is the VMO's view
  if (status != ZX_OK) goto out_free_vmo;
  vm_object_paged_init_view(vmo, options, hierarchy, cow, 0, size);  // takes our lock ref
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
  paged_lock(vmo);
  assert_cow_held(vmo);
  struct vm_object_paged* parent = vm_object_paged_unlink_child_locked(vmo);
  list_delete(&vmo->view_node);
  struct vm_cow_pages* cow = vmo->cow;
  vm_cow_pages_assert_held(cow);
  vmo->cow = NULL;
  vm_cow_pages_release_locked(cow);  // may merge hidden nodes or free a chain of nodes
  paged_unlock(vmo);
  if (parent != NULL) {
    vm_object_paged_notify_children(parent);
    vm_object_paged_release(parent);
  }
  vm_object_fini(&vmo->base);
  vmo->magic = 0;
  heap_free(vmo);
}

// ---- locked building blocks ---------------------------------------------------------------------

// Commits every absent page of node range [start, end) of a node without a parent (the plain,
// batched path); pages entirely inside [no_zero_start, no_zero_end) are left unzeroed for the
// caller to overwrite under this lock. All or nothing: ZX_ERR_NO_MEMORY changes nothing.
static zx_status_t commit_pages_locked(struct vm_object_paged* vmo, uint64_t start, uint64_t end,
                                       uint64_t no_zero_start, uint64_t no_zero_end)
    REQUIRES(&vmo->base.hierarchy->lock) {
  assert_cow_held(vmo);
  struct vm_cow_pages_commit commit;
  zx_status_t status = vm_cow_pages_prepare_commit_locked(vmo->cow, start, end, &commit);
  if (status != ZX_OK) return status;
  if (commit.missing == 0) return ZX_OK;
  // New pages replace the zero page wherever a mapping (of any view) shows it for these offsets.
  vm_cow_pages_range_change_locked(vmo->cow, start, end - start, RANGE_CHANGE_OP_UNMAP_ZERO_PAGE);
  vm_cow_pages_apply_commit_locked(vmo->cow, &commit, no_zero_start, no_zero_end);
  return ZX_OK;
}

// Sets |req|->access_len for a lookup of node offset |y| (page aligned) by an access that covers
// node range [y, end): the part of it the pager root sees through the parent windows. A request
// then never asks for pages beyond the access, or beyond the view the access goes through (Zircon
// batches a request over the rest of the operation only).
static void pager_set_access_len_locked(struct vm_object_paged* vmo, uint64_t y, uint64_t end,
                                        struct multi_page_request* req)
    REQUIRES(&vmo->base.hierarchy->lock) {
  if (req == NULL) return;
  assert_cow_held(vmo);
  struct vm_cow_pages* n = vmo->cow;
  uint64_t len = end - y;
  while (n->parent != NULL) {
    vm_cow_pages_assert_held(n);
    if (y >= n->parent_limit) break;  // the lookup stops at this node: nothing is asked for
    len = min_u64(len, n->parent_limit - y);
    y += n->parent_offset;
    n = n->parent;
  }
  req->access_len = len;
}

// Makes sure the node owns the page at node offset |y|: its own, a fork of the visible ancestor
// page (copy contents, or zeros), or a fresh zeroed page. In a pager tree the root's page is asked
// for first (ZX_ERR_SHOULD_WAIT with |req| armed); a pager root's known-zero offset gets a zeroed
// DIRTY page (after a DIRTY request when |write| under TRAP_DIRTY).
static zx_status_t ensure_owned_locked(struct vm_object_paged* vmo, uint64_t y,
                                       enum vm_cow_fork_mode mode, bool write,
                                       struct multi_page_request* req, struct vm_page** out)
    REQUIRES(&vmo->base.hierarchy->lock) {
  assert_cow_held(vmo);
  struct vm_cow_pages* cow = vmo->cow;
  vm_cow_pages_assert_held(cow);
  struct vm_page* page = vm_page_list_lookup(&cow->page_list, y);
  if (page && !vm_page_is_marker(page)) {
    *out = page;
    return ZX_OK;
  }
  // A zero marker: the fork below finds nothing, and a fresh zeroed page replaces the marker.
  if (vm_cow_pages_is_pager_backed_locked(cow)) {
    struct vm_cow_pages* owner;
    zx_status_t status = vm_cow_pages_lookup_visible_locked(cow, y, true, req, &page, &owner);
    if (status != ZX_OK) return status;
    if (owner == cow && !vm_page_is_marker(page)) {
      *out = page;
      return ZX_OK;
    }
    // A marker (here or above) means zeros: the fork below finds nothing and a fresh page goes in.
    // The root itself reads zero here only in a dirty zero interval.
    if (cow->page_source != NULL) {
      return vm_cow_pages_pager_fill_zero_locked(cow, y, write, req, out);
    }
  }
  zx_status_t status = vm_cow_pages_fork_page_locked(cow, y, mode, out);
  if (status != ZX_ERR_NOT_FOUND) return status;
  vm_cow_pages_range_change_locked(cow, y, PAGE_SIZE, RANGE_CHANGE_OP_UNMAP_ZERO_PAGE);
  return vm_cow_pages_alloc_page_locked(cow, y, false, out);
}

// Owns every page of node range [start, end): the batched path for a plain node, page by page
// (forking) in a tree. A failure leaves the contents unchanged (forks only change who owns them).
// For a |write| to a pager root each page also goes through dirty tracking before the next one is
// looked at, so a DIRTY request starts at the first page the write needs dirtied.
static zx_status_t own_range_locked(struct vm_object_paged* vmo, uint64_t start, uint64_t end,
                                    uint64_t no_zero_start, uint64_t no_zero_end, bool write,
                                    struct multi_page_request* req)
    REQUIRES(&vmo->base.hierarchy->lock) {
  assert_cow_held(vmo);
  struct vm_cow_pages* cow = vmo->cow;
  vm_cow_pages_assert_held(cow);
  if (cow->parent == NULL && cow->page_source == NULL) {
    return commit_pages_locked(vmo, start, end, no_zero_start, no_zero_end);
  }
  for (uint64_t y = start; y < end; y += PAGE_SIZE) {
    struct vm_page* page;
    pager_set_access_len_locked(vmo, y, end, req);
    zx_status_t status = ensure_owned_locked(vmo, y, VM_COW_FORK_COPY, write, req, &page);
    if (status == ZX_OK && write && cow->page_source != NULL) {
      status = vm_cow_pages_pager_prepare_write_locked(cow, y, page, req);
    }
    if (status != ZX_OK) return status;
  }
  return ZX_OK;
}

// ---- waiting for a pager
// -------------------------------------------------------------------------

// One attempt at an operation, VMO lock held. ZX_ERR_SHOULD_WAIT (with |req| armed) means: nothing
// that cannot be redone was done; wait for the pager and try again.
typedef zx_status_t (*locked_attempt_fn)(struct vm_object_paged* vmo, void* ctx,
                                         struct multi_page_request* req);

// Runs |fn| under the lock until it no longer asks to wait. Each wait happens with no lock held
// (locking.md: long waits drop every lock), and the retry revalidates from scratch.
static zx_status_t run_waiting_for_pager(struct vm_object_paged* vmo, locked_attempt_fn fn,
                                         void* ctx) {
  struct multi_page_request req;
  multi_page_request_init(&req);
  zx_status_t status;
  bool reclaimed = false;
  for (;;) {
    paged_lock(vmo);
    status = fn(vmo, ctx, &req);
    paged_unlock(vmo);
    // Out of memory: clean pager pages can be dropped and fetched again later; retry once.
    if (status == ZX_ERR_NO_MEMORY && !reclaimed && vm_evictor_reclaim_for_allocation()) {
      reclaimed = true;
      continue;
    }
    if (status != ZX_ERR_SHOULD_WAIT) break;
    status = multi_page_request_wait(&req, INT64_MAX);
    if (status != ZX_OK) break;
  }
  multi_page_request_fini(&req);
  return status;
}

// Makes every page of node range [start, end) present in a pager tree (READ requests for the
// absent ones), without owning or dirtying anything.
static zx_status_t pager_fetch_range_locked(struct vm_object_paged* vmo, uint64_t start,
                                            uint64_t end, struct multi_page_request* req)
    REQUIRES(&vmo->base.hierarchy->lock) {
  assert_cow_held(vmo);
  for (uint64_t y = ROUNDDOWN_PAGE(start); y < end; y += PAGE_SIZE) {
    struct vm_page* page;
    struct vm_cow_pages* owner;
    pager_set_access_len_locked(vmo, y, end, req);
    zx_status_t status = vm_cow_pages_lookup_visible_locked(vmo->cow, y, false, req, &page, &owner);
    if (status != ZX_OK) return status;
  }
  return ZX_OK;
}

// True when an ancestor of the node holds a page for node offset |y| (so dropping the node's own
// page would expose it).
static bool ancestor_has_page_locked(struct vm_cow_pages* cow, uint64_t y)
    REQUIRES(&cow->hierarchy->lock) {
  if (cow->parent == NULL || y >= cow->parent_limit) return false;
  struct vm_cow_pages* parent = cow->parent;
  vm_cow_pages_assert_held(parent);
  struct vm_cow_pages* owner;
  struct vm_page* page = vm_cow_pages_peek_locked(parent, y + cow->parent_offset, &owner);
  return page != NULL && !vm_page_is_marker(page);
}

// Zeroes the bytes [a, b) of the page at node offset |y| (a < b <= PAGE_SIZE).
static zx_status_t zero_page_locked(struct vm_object_paged* vmo, uint64_t y, uint64_t a, uint64_t b)
    REQUIRES(&vmo->base.hierarchy->lock) {
  assert_cow_held(vmo);
  struct vm_cow_pages* cow = vmo->cow;
  vm_cow_pages_assert_held(cow);
  struct vm_cow_pages* owner;
  struct vm_page* page = vm_cow_pages_peek_locked(cow, y, &owner);
  if (page == NULL || vm_page_is_marker(page)) return ZX_OK;  // already zeros
  bool whole = a == 0 && b == PAGE_SIZE;
  // A whole page of a copy-on-write clone that shows data an ancestor holds becomes a zero marker
  // (no page committed), as Zircon does: the ancestor's page is kept only for whoever else reads
  // it. A pinned page of its own is zeroed in place.
  if (whole && cow->parent != NULL && !cow->hidden && !vm_cow_pages_is_pager_backed_locked(cow) &&
      (owner != cow || (page->pin_count == 0 && ancestor_has_page_locked(cow, y)))) {
    return vm_cow_pages_zero_with_marker_locked(cow, y);
  }
  if (owner == cow) {
    if (whole && page->pin_count == 0 && cow->page_source == NULL &&
        !ancestor_has_page_locked(cow, y) && !vm_cow_pages_is_pager_backed_locked(cow)) {
      vm_cow_pages_range_change_locked(cow, y, PAGE_SIZE, RANGE_CHANGE_OP_UNMAP);
      vm_cow_pages_free_range_locked(cow, y, y + PAGE_SIZE);
    } else {
      vm_cow_pages_zero_bytes_locked(cow, y + a, b - a);
    }
    return ZX_OK;
  }
  zx_status_t status =
      vm_cow_pages_fork_page_locked(cow, y, whole ? VM_COW_FORK_ZERO : VM_COW_FORK_COPY, &page);
  if (status != ZX_OK) return status;
  if (!whole) vm_cow_pages_zero_bytes_locked(cow, y + a, b - a);
  return ZX_OK;
}

// Zeroes the whole pages of node range [start, end) (page aligned) that show data: only offsets
// where the node or an ancestor (through the windows) holds a page are visited, level by level.
static zx_status_t zero_pages_locked(struct vm_object_paged* vmo, uint64_t start, uint64_t end)
    REQUIRES(&vmo->base.hierarchy->lock) {
  assert_cow_held(vmo);
  struct vm_cow_pages* cow = vmo->cow;
  vm_cow_pages_assert_held(cow);
  if (cow->parent == NULL && !vm_cow_pages_is_pager_backed_locked(cow) &&
      vm_cow_pages_pinned_in_range_locked(cow, start, end) == 0) {
    vm_cow_pages_range_change_locked(cow, start, end - start, RANGE_CHANGE_OP_UNMAP);
    vm_cow_pages_free_range_locked(cow, start, end);
    return ZX_OK;
  }
  struct vm_cow_pages* a = cow;
  uint64_t delta = 0;
  for (;;) {
    vm_cow_pages_assert_held(a);
    uint64_t off = start, x;
    // Offset-ordered iteration survives the pages moving out of |a| under it.
    while (off < end && vm_page_list_next_page(&a->page_list, off, &x) != NULL && x < end) {
      zx_status_t status = zero_page_locked(vmo, x - delta, 0, PAGE_SIZE);
      if (status != ZX_OK) return status;
      off = x + PAGE_SIZE;
    }
    if (a->parent == NULL) return ZX_OK;
    end = min_u64(end, a->parent_limit);
    if (start >= end) return ZX_OK;
    start += a->parent_offset;
    end += a->parent_offset;
    delta += a->parent_offset;
    a = a->parent;
  }
}

// Makes the node bytes [start, end) (start < end) read as zero.
static zx_status_t zero_range_locked(struct vm_object_paged* vmo, uint64_t start, uint64_t end)
    REQUIRES(&vmo->base.hierarchy->lock) {
  uint64_t first_full = ROUNDDOWN_PAGE(start + PAGE_MASK);  // no overflow: start < size <= max
  uint64_t last_full = ROUNDDOWN_PAGE(end);
  if (first_full >= last_full) {
    // Within one page, or straddling one boundary with no whole page.
    uint64_t y = ROUNDDOWN_PAGE(start);
    uint64_t b = min_u64(end - y, PAGE_SIZE);
    zx_status_t status = zero_page_locked(vmo, y, start - y, b);
    if (status != ZX_OK || y + b >= end) return status;
    return zero_page_locked(vmo, y + PAGE_SIZE, 0, end - y - PAGE_SIZE);
  }
  zx_status_t status = ZX_OK;
  if (start < first_full) {
    status =
        zero_page_locked(vmo, first_full - PAGE_SIZE, start - (first_full - PAGE_SIZE), PAGE_SIZE);
  }
  if (status == ZX_OK) status = zero_pages_locked(vmo, first_full, last_full);
  if (status == ZX_OK && last_full < end)
    status = zero_page_locked(vmo, last_full, 0, end - last_full);
  return status;
}

// ---- operations ---------------------------------------------------------------------------------

// Checks [offset, offset + len) against the size: ZX_ERR_OUT_OF_RANGE on overflow or overrun.
static zx_status_t range_check_locked(struct vm_object_paged* vmo, uint64_t offset, uint64_t len)
    REQUIRES(&vmo->base.hierarchy->lock) {
  return range_in_bounds(offset, len, size_locked(vmo)) ? ZX_OK : ZX_ERR_OUT_OF_RANGE;
}

struct range_args {
  uint64_t offset;
  uint64_t len;
  void* buf;
  const void* cbuf;
  // Set by an attempt that passed the initial range check; every later attempt follows a wait
  // with no lock held, during which the VMO may have shrunk.
  bool started;
};

// The page-aligned view range [*out_first, *out_end) of [offset, offset + len) (which passed
// range_check_locked when the operation began) that still lies inside the view: after a wait the
// VMO may have shrunk under an operation that Zircon trims rather than fails (commit, hints).
// Empty (*out_first == *out_end) when nothing of it is left.
static void trim_to_size_locked(struct vm_object_paged* vmo, uint64_t offset, uint64_t len,
                                uint64_t* out_first, uint64_t* out_end)
    REQUIRES(&vmo->base.hierarchy->lock) {
  // offset + len was in bounds once, so <= VM_OBJECT_PAGED_MAX_SIZE: rounding cannot overflow.
  ZX_DEBUG_ASSERT(offset + len >= offset && offset + len <= VM_OBJECT_PAGED_MAX_SIZE);
  uint64_t size = size_locked(vmo);
  uint64_t first = ROUNDDOWN_PAGE(offset);
  uint64_t end = min_u64(ROUNDDOWN_PAGE(offset + len + PAGE_MASK), size);
  *out_first = min_u64(first, end);
  *out_end = end;
}

// One attempt at a commit. The first checks the range (ZX_ERR_OUT_OF_RANGE); one after a wait
// commits what is left of it if the VMO shrank meanwhile (Zircon's CommitRangeInternal trims the
// range on each pass; only a pin fails).
static zx_status_t commit_attempt(struct vm_object_paged* vmo, void* ctx,
                                  struct multi_page_request* req)
    REQUIRES(&vmo->base.hierarchy->lock) {
  struct range_args* a = ctx;
  assert_cow_held(vmo);
  if (!a->started) {
    zx_status_t status = range_check_locked(vmo, a->offset, a->len);
    if (status != ZX_OK) return status;
    a->started = true;
  }
  if (a->len == 0) return ZX_OK;
  uint64_t first, end;
  trim_to_size_locked(vmo, a->offset, a->len, &first, &end);
  if (first == end) return ZX_OK;
  uint64_t base = vmo->cow_offset;
  // A commit waits for the whole run it asked for, not page by page (Zircon's commit does not
  // wake early): a FAIL of pages after the first then sends it back to ask for them again.
  req->early_wake = false;
  zx_status_t status = own_range_locked(vmo, base + first, base + end, 0, 0, false, req);
  VM_VALIDATE(vm_object_paged_check_locked, vmo);
  return status;
}

zx_status_t vm_object_paged_commit_range(struct vm_object_paged* vmo, uint64_t offset,
                                         uint64_t len) {
  uint64_t end;
  if (!add_u64(offset, len, &end)) return ZX_ERR_OUT_OF_RANGE;
  struct range_args a = {.offset = offset, .len = len};
  return run_waiting_for_pager(vmo, commit_attempt, &a);
}

zx_status_t vm_object_paged_decommit_range(struct vm_object_paged* vmo, uint64_t offset,
                                           uint64_t len) {
  if (!IS_PAGE_ALIGNED(offset) || !IS_PAGE_ALIGNED(len)) return ZX_ERR_INVALID_ARGS;
  paged_lock(vmo);
  assert_cow_held(vmo);
  struct vm_cow_pages* cow = vmo->cow;
  vm_cow_pages_assert_held(cow);
  uint64_t start = vmo->cow_offset + offset;
  zx_status_t status = ZX_OK;
  // As Zircon: a range running past the end is trimmed to it; only a start past it is refused.
  uint64_t size = size_locked(vmo);
  if (offset > size) {
    status = ZX_ERR_OUT_OF_RANGE;
    goto out_unlock;
  }
  len = min_u64(len, size - offset);
  if (cow->parent != NULL || cow->child_count != 0 || cow->page_source != NULL) {
    status = ZX_ERR_NOT_SUPPORTED;  // copy-on-write clone, snapshot parent, or pager-backed
  } else if (vm_cow_pages_pinned_in_range_locked(cow, start, start + len) != 0) {
    status = ZX_ERR_BAD_STATE;
  } else if (len != 0) {
    vm_cow_pages_range_change_locked(cow, start, len, RANGE_CHANGE_OP_UNMAP);
    vm_cow_pages_free_range_locked(cow, start, start + len);
    VM_VALIDATE(vm_object_paged_check_locked, vmo);
  }
out_unlock:
  paged_unlock(vmo);
  return status;
}

// ---- zeroing in a pager tree --------------------------------------------------------------------
//
// In a pager tree an absent page is not zero: it is content the pager has not supplied. So a
// partial page is written like vmo_write writes it (READ for the page, then DIRTY under
// TRAP_DIRTY, each for that page alone), unless the root already knows it is zero; whole pages of
// the root become a dirty zero interval without asking the pager (Zircon: no READ, no DIRTY);
// whole pages of a clone get a zero marker whatever the root holds.

// Zeroes bytes [a, b) of the page at node offset |y| (a partial page).
static zx_status_t pager_zero_partial_locked(struct vm_object_paged* vmo, uint64_t y, uint64_t a,
                                             uint64_t b, struct multi_page_request* req)
    REQUIRES(&vmo->base.hierarchy->lock) {
  assert_cow_held(vmo);
  struct vm_cow_pages* cow = vmo->cow;
  vm_cow_pages_assert_held(cow);
  if (cow->page_source != NULL && vm_page_list_lookup(&cow->page_list, y) == NULL &&
      vm_cow_pages_pager_is_zero_locked(cow, y)) {
    return ZX_OK;  // known zero already
  }
  struct vm_page* page;
  if (req != NULL) req->access_len = PAGE_SIZE;
  zx_status_t status = ensure_owned_locked(vmo, y, VM_COW_FORK_COPY, true, req, &page);
  if (status == ZX_OK && cow->page_source != NULL) {
    status = vm_cow_pages_pager_prepare_write_locked(cow, y, page, req);
  }
  if (status != ZX_OK) return status;
  vm_cow_pages_zero_bytes_locked(cow, y + a, b - a);
  return ZX_OK;
}

// Makes clone node |vmo->cow| read zeros at |y| (a whole page zeroed): a zero marker, as Zircon
// does, so nothing is committed and the root is not asked; a pinned page is zeroed in place.
static zx_status_t pager_zero_clone_page_locked(struct vm_object_paged* vmo, uint64_t y)
    REQUIRES(&vmo->base.hierarchy->lock) {
  assert_cow_held(vmo);
  struct vm_cow_pages* cow = vmo->cow;
  vm_cow_pages_assert_held(cow);
  struct vm_page* own = vm_page_list_lookup(&cow->page_list, y);
  if (own != NULL && !vm_page_is_marker(own) && own->pin_count != 0) {
    vm_cow_pages_zero_bytes_locked(cow, y, PAGE_SIZE);
    return ZX_OK;
  }
  return vm_cow_pages_zero_with_marker_locked(cow, y);
}

// Zeroes the whole pages of node range [start, end) (page aligned, start < end).
static zx_status_t pager_zero_pages_locked(struct vm_object_paged* vmo, uint64_t start,
                                           uint64_t end) REQUIRES(&vmo->base.hierarchy->lock) {
  assert_cow_held(vmo);
  struct vm_cow_pages* cow = vmo->cow;
  vm_cow_pages_assert_held(cow);
  if (cow->page_source != NULL) return vm_cow_pages_pager_zero_pages_locked(cow, start, end);
  for (uint64_t y = start; y < end; y += PAGE_SIZE) {
    zx_status_t status = pager_zero_clone_page_locked(vmo, y);
    if (status != ZX_OK) return status;
  }
  return ZX_OK;
}

// One attempt at ZX_VMO_OP_ZERO of a pager tree's view. Zeroing again what an earlier attempt
// zeroed is harmless, so a retry simply starts over.
static zx_status_t pager_zero_attempt(struct vm_object_paged* vmo, void* ctx,
                                      struct multi_page_request* req)
    REQUIRES(&vmo->base.hierarchy->lock) {
  struct range_args* r = ctx;
  zx_status_t status = range_check_locked(vmo, r->offset, r->len);
  if (status != ZX_OK) return status;
  uint64_t start = vmo->cow_offset + r->offset, end = start + r->len;
  uint64_t first_full = ROUNDDOWN_PAGE(start + PAGE_MASK), last_full = ROUNDDOWN_PAGE(end);
  if (first_full > last_full) {  // inside one page
    uint64_t y = ROUNDDOWN_PAGE(start);
    status = pager_zero_partial_locked(vmo, y, start - y, end - y, req);
  } else {
    if (start < first_full) {
      uint64_t y = first_full - PAGE_SIZE;
      status = pager_zero_partial_locked(vmo, y, start - y, PAGE_SIZE, req);
    }
    if (status == ZX_OK && first_full < last_full) {
      status = pager_zero_pages_locked(vmo, first_full, last_full);
    }
    if (status == ZX_OK && last_full < end) {
      status = pager_zero_partial_locked(vmo, last_full, 0, end - last_full, req);
    }
  }
  VM_VALIDATE(vm_object_paged_check_locked, vmo);
  return status;
}

zx_status_t vm_object_paged_zero_range(struct vm_object_paged* vmo, uint64_t offset, uint64_t len) {
  if (len == 0) return ZX_OK;
  uint64_t end;
  if (!add_u64(offset, len, &end)) return ZX_ERR_OUT_OF_RANGE;
  paged_lock(vmo);
  assert_cow_held(vmo);
  if (vm_cow_pages_is_pager_backed_locked(vmo->cow)) {
    paged_unlock(vmo);
    struct range_args a = {.offset = offset, .len = len};
    return run_waiting_for_pager(vmo, pager_zero_attempt, &a);
  }
  zx_status_t status = range_check_locked(vmo, offset, len);
  if (status == ZX_OK) {
    status = zero_range_locked(vmo, vmo->cow_offset + offset, vmo->cow_offset + end);
    VM_VALIDATE(vm_object_paged_check_locked, vmo);
  }
  paged_unlock(vmo);
  return status;
}

// ---- eviction hints
// ------------------------------------------------------------------------------

struct hint_args {
  uint64_t offset, len;  // the view range asked for (in bounds when the call began)
  uint64_t cursor;       // page-aligned view offset the next attempt starts at
  enum vm_object_paged_hint hint;
};

// One attempt at ALWAYS_NEED / PREFETCH from h->cursor: every page of the range the pager root
// provides is fetched (READ requests, batched over the range); ALWAYS_NEED also marks the root's
// pages. DONT_NEED: the root's clean pages visible in the range become the oldest, without
// fetching. The VMO may have shrunk while an earlier attempt waited: what is left of the range is
// hinted, as Zircon's ProtectRangeFromReclamation trims its range after each wait. A failure
// leaves h->cursor at the page that failed.
static zx_status_t hint_attempt(struct vm_object_paged* vmo, void* ctx,
                                struct multi_page_request* req)
    REQUIRES(&vmo->base.hierarchy->lock) {
  struct hint_args* h = ctx;
  assert_cow_held(vmo);
  // Like a commit, a hint waits for the whole run it asked for (Zircon's hints do not wake early),
  // so a FAIL of pages after the first sends it back to ask for them rather than racing the pager.
  req->early_wake = false;
  uint64_t first, end;
  trim_to_size_locked(vmo, h->offset, h->len, &first, &end);
  ZX_DEBUG_ASSERT(IS_PAGE_ALIGNED(h->cursor) && h->cursor >= first);
  const uint64_t base = vmo->cow_offset;
  for (uint64_t x = h->cursor; x < end; x += PAGE_SIZE) {
    uint64_t y = base + x;
    struct vm_page* page;
    struct vm_cow_pages* owner;
    if (h->hint == VM_OBJECT_PAGED_HINT_DONT_NEED) {
      page = vm_cow_pages_peek_locked(vmo->cow, y, &owner);
    } else {
      pager_set_access_len_locked(vmo, y, base + end, req);
      zx_status_t status =
          vm_cow_pages_lookup_visible_locked(vmo->cow, y, false, req, &page, &owner);
      if (status != ZX_OK) {
        h->cursor = x;
        return status;
      }
    }
    if (page == NULL || owner->parent != NULL || owner->page_source == NULL) continue;
    if (h->hint == VM_OBJECT_PAGED_HINT_ALWAYS_NEED) {
      page->flags |= VM_PAGE_FLAG_ALWAYS_NEED;
    } else if (h->hint == VM_OBJECT_PAGED_HINT_DONT_NEED &&
               vm_pager_page_state(page) == VM_PAGER_PAGE_CLEAN) {
      page->flags &= (uint8_t)~VM_PAGE_FLAG_ALWAYS_NEED;
      vm_pager_page_set_age(page, VM_PAGE_AGE_MAX);
    }
  }
  h->cursor = max_u64(h->cursor, end);
  return ZX_OK;
}

zx_status_t vm_object_paged_hint_range(struct vm_object_paged* vmo, enum vm_object_paged_hint hint,
                                       uint64_t offset, uint64_t len) {
  paged_lock(vmo);
  assert_cow_held(vmo);
  bool pager = vm_cow_pages_is_pager_backed_locked(vmo->cow);
  // Zircon ignores ALWAYS_NEED and DONT_NEED where no pager backs the VMO before it looks at the
  // range (a hint may always be ignored); PREFETCH checks the range on every VMO.
  zx_status_t status = ZX_OK;
  if (pager || hint == VM_OBJECT_PAGED_HINT_PREFETCH) {
    status = range_check_locked(vmo, offset, len);  // also refuses offset + len overflowing
  }
  paged_unlock(vmo);
  if (status != ZX_OK || !pager || len == 0) return status;
  struct hint_args h = {
      .offset = offset, .len = len, .cursor = ROUNDDOWN_PAGE(offset), .hint = hint};
  for (;;) {
    status = run_waiting_for_pager(vmo, hint_attempt, &h);
    // ALWAYS_NEED is best effort (Zircon ignores paging errors): a page the pager failed, or
    // cannot supply any more, is skipped and the rest of the range still hinted.
    if (status == ZX_OK || hint != VM_OBJECT_PAGED_HINT_ALWAYS_NEED) return status;
    h.cursor += PAGE_SIZE;
  }
}

// Common checks of read and write, lock held.
static zx_status_t rw_check_locked(struct vm_object_paged* vmo, uint64_t offset, uint64_t len)
    REQUIRES(&vmo->base.hierarchy->lock) {
  if (vmo->base.cache_policy != ZX_CACHE_POLICY_CACHED) return ZX_ERR_BAD_STATE;
  return range_check_locked(vmo, offset, len);
}

static zx_status_t read_attempt(struct vm_object_paged* vmo, void* ctx,
                                struct multi_page_request* req)
    REQUIRES(&vmo->base.hierarchy->lock) {
  struct range_args* a = ctx;
  assert_cow_held(vmo);
  zx_status_t status = rw_check_locked(vmo, a->offset, a->len);
  if (status != ZX_OK || a->len == 0) return status;
  uint64_t start = vmo->cow_offset + a->offset;
  if (vm_cow_pages_is_pager_backed_locked(vmo->cow)) {
    status = pager_fetch_range_locked(vmo, start, start + a->len, req);
    if (status != ZX_OK) return status;
  }
  vm_cow_pages_read_locked(vmo->cow, a->buf, start, a->len);
  return ZX_OK;
}

zx_status_t vm_object_paged_read(struct vm_object_paged* vmo, void* buf, uint64_t offset,
                                 uint64_t len) {
  struct range_args a = {.offset = offset, .len = len, .buf = buf};
  paged_lock(vmo);
  assert_cow_held(vmo);
  if (!vm_cow_pages_is_pager_backed_locked(vmo->cow)) {
    // The common case needs no page request: one attempt, which cannot ask to wait.
    zx_status_t status = read_attempt(vmo, &a, NULL);
    paged_unlock(vmo);
    return status;
  }
  paged_unlock(vmo);
  return run_waiting_for_pager(vmo, read_attempt, &a);
}

static zx_status_t write_attempt(struct vm_object_paged* vmo, void* ctx,
                                 struct multi_page_request* req)
    REQUIRES(&vmo->base.hierarchy->lock) {
  struct range_args* a = ctx;
  zx_status_t status = rw_check_locked(vmo, a->offset, a->len);
  if (status != ZX_OK || a->len == 0) return status;
  uint64_t start = vmo->cow_offset + a->offset, end = start + a->len;  // checked above
  uint64_t first = ROUNDDOWN_PAGE(start), last = ROUNDDOWN_PAGE(end + PAGE_MASK);
  status = own_range_locked(vmo, first, last, start, end, true, req);
  if (status != ZX_OK) return status;
  assert_cow_held(vmo);
  // Cannot fail from here: every page is owned, and the unzeroed ones are overwritten now.
  vm_cow_pages_write_locked(vmo->cow, a->cbuf, start, a->len);
  VM_VALIDATE(vm_object_paged_check_locked, vmo);
  return ZX_OK;
}

zx_status_t vm_object_paged_write(struct vm_object_paged* vmo, const void* buf, uint64_t offset,
                                  uint64_t len) {
  struct range_args a = {.offset = offset, .len = len, .cbuf = buf};
  paged_lock(vmo);
  assert_cow_held(vmo);
  if (!vm_cow_pages_is_pager_backed_locked(vmo->cow)) {
    zx_status_t status = write_attempt(vmo, &a, NULL);
    paged_unlock(vmo);
    // Out of memory: retry once if clean pager pages (of other VMOs) could be reclaimed.
    if (status == ZX_ERR_NO_MEMORY && vm_evictor_reclaim_for_allocation()) {
      paged_lock(vmo);
      status = write_attempt(vmo, &a, NULL);
      paged_unlock(vmo);
    }
    return status;
  }
  paged_unlock(vmo);
  return run_waiting_for_pager(vmo, write_attempt, &a);
}

// Validates a resize to |rounded| bytes (lock held).
static zx_status_t set_size_check_locked(struct vm_object_paged* vmo, uint64_t rounded)
    REQUIRES(&vmo->base.hierarchy->lock) {
  assert_cow_held(vmo);
  uint64_t end;
  if (!add_u64(vmo->parent_offset_total, rounded, &end)) return ZX_ERR_INVALID_ARGS;
  struct vm_cow_pages* cow = vmo->cow;
  vm_cow_pages_assert_held(cow);
  if (rounded < cow->size && vm_cow_pages_pinned_in_range_locked(cow, rounded, cow->size) != 0) {
    return ZX_ERR_BAD_STATE;
  }
  return ZX_OK;
}

zx_status_t vm_object_paged_set_size(struct vm_object_paged* vmo, uint64_t size) {
  if (!vm_object_paged_is_resizable(vmo) || vm_object_paged_is_slice(vmo)) {
    return ZX_ERR_UNAVAILABLE;
  }
  uint64_t rounded;
  if (!paged_size_ok(size, &rounded)) return ZX_ERR_OUT_OF_RANGE;
  paged_lock(vmo);
  assert_cow_held(vmo);
  struct vm_cow_pages* cow = vmo->cow;
  vm_cow_pages_assert_held(cow);
  zx_status_t status = set_size_check_locked(vmo, rounded);
  // The tail of the last page is zeroed first: on a clone it may need its own copy (can fail).
  if (status == ZX_OK && size < rounded && size < cow->size) {
    status = zero_range_locked(vmo, size, rounded);
  }
  if (status != ZX_OK) goto out_unlock;
  // A pager root's new tail is dirty and zero: the pager has nothing to supply there.
  if (rounded > cow->size && cow->page_source != NULL) {
    status = vm_cow_pages_pager_grow_locked(cow, rounded);
    if (status != ZX_OK) goto out_unlock;
  }
  if (rounded < cow->size) {
    vm_cow_pages_range_change_locked(cow, rounded, cow->size - rounded, RANGE_CHANGE_OP_UNMAP);
    // Waiters for pages beyond the new end wake and find them out of range.
    if (cow->page_source != NULL) vm_cow_pages_pager_shrink_locked(cow, rounded);
  }
  vm_cow_pages_resize_locked(cow, rounded);
  vmo->content_size = size;
  VM_VALIDATE(vm_object_paged_check_locked, vmo);
out_unlock:
  paged_unlock(vmo);
  return status;
}

uint64_t vm_object_paged_get_size(struct vm_object_paged* vmo) {
  paged_lock(vmo);
  uint64_t size = size_locked(vmo);
  paged_unlock(vmo);
  return size;
}

uint64_t vm_object_paged_get_size_locked(const struct vm_object_paged* vmo) {
  vm_object_assert_held(&vmo->base);
  return size_locked(vmo);
}

uint64_t vm_object_paged_stream_end_locked(const struct vm_object_paged* vmo) {
  vm_object_assert_held(&vmo->base);
  uint64_t size = size_locked(vmo), stream = vmo->content_size;
  return stream >= size ? size : ROUNDDOWN_PAGE(stream + PAGE_MASK);  // stream < size: no overflow
}

uint64_t vm_object_paged_stream_end(struct vm_object_paged* vmo) {
  paged_lock(vmo);
  uint64_t end = vm_object_paged_stream_end_locked(vmo);
  paged_unlock(vmo);
  return end;
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

// ---- fault-path lookups -------------------------------------------------------------------------

zx_status_t vm_object_paged_lookup_page_locked(struct vm_object_paged* vmo, uint64_t offset,
                                               bool write, struct multi_page_request* page_request,
                                               struct vm_page** out_page, bool* out_writable) {
  paged_assert_held(vmo);
  assert_cow_held(vmo);
  if (offset >= size_locked(vmo)) return ZX_ERR_OUT_OF_RANGE;
  struct vm_cow_pages* cow = vmo->cow;
  vm_cow_pages_assert_held(cow);
  uint64_t y = vmo->cow_offset + ROUNDDOWN_PAGE(offset);
  struct vm_page* page;
  zx_status_t status;
  if (!write) {
    struct vm_cow_pages* owner;
    status = vm_cow_pages_lookup_visible_locked(cow, y, false, page_request, &page, &owner);
    if (status != ZX_OK) return status;
    if (page != NULL && vm_page_is_marker(page)) page = NULL;  // a zero marker reads as zeros
    *out_page = page ? page : pmm_zero_page();
    // A clean pager page is mapped read-only, so its first write faults and dirties it.
    *out_writable =
        page != NULL && owner == cow && vm_cow_pages_pager_page_writable_locked(cow, page);
    return ZX_OK;
  }
  status = ensure_owned_locked(vmo, y, VM_COW_FORK_COPY, true, page_request, &page);
  if (status == ZX_OK && cow->page_source != NULL) {
    status = vm_cow_pages_pager_prepare_write_locked(cow, y, page, page_request);
  }
  if (status != ZX_OK) return status;
  VM_VALIDATE(vm_object_paged_check_locked, vmo);
  *out_page = page;
  *out_writable = true;
  return ZX_OK;
}

struct vm_page* vm_object_paged_maybe_page_locked(struct vm_object_paged* vmo, uint64_t offset) {
  paged_assert_held(vmo);
  assert_cow_held(vmo);
  if (offset >= size_locked(vmo)) return NULL;
  struct vm_page* page =
      vm_cow_pages_lookup_locked(vmo->cow, vmo->cow_offset + ROUNDDOWN_PAGE(offset));
  return page != NULL && vm_page_is_marker(page) ? NULL : page;
}

struct vm_page* vm_object_paged_peek_page_locked(struct vm_object_paged* vmo, uint64_t offset,
                                                 bool* out_owned) {
  paged_assert_held(vmo);
  assert_cow_held(vmo);
  *out_owned = false;
  if (offset >= size_locked(vmo)) return NULL;
  struct vm_cow_pages* owner;
  struct vm_page* page =
      vm_cow_pages_peek_locked(vmo->cow, vmo->cow_offset + ROUNDDOWN_PAGE(offset), &owner);
  if (page != NULL && vm_page_is_marker(page)) return NULL;  // zeros, like an absent page
  *out_owned = page != NULL && owner == vmo->cow;
  return page;
}

// ---- pinning ------------------------------------------------------------------------------------

// Drops one pin from each page of node range [start, end).
static void unpin_locked(struct vm_object_paged* vmo, uint64_t start, uint64_t end)
    REQUIRES(&vmo->base.hierarchy->lock) {
  assert_cow_held(vmo);
  for (uint64_t y = start; y < end; y += PAGE_SIZE) {
    struct vm_page* page = vm_page_list_lookup(&vmo->cow->page_list, y);
    ZX_ASSERT_MSG(page != NULL && page->pin_count > 0, "unpin of unpinned page %#lx",
                  (unsigned long)y);
    if (--page->pin_count == 0) vmo->cow->pinned_pages--;
  }
}

zx_status_t vm_object_paged_pin_range(struct vm_object_paged* vmo, uint64_t offset, uint64_t len) {
  uint64_t end;
  if (!add_u64(offset, len, &end)) return ZX_ERR_OUT_OF_RANGE;
  paged_lock(vmo);
  assert_cow_held(vmo);
  zx_status_t status = range_check_locked(vmo, offset, len);
  uint64_t start = vmo->cow_offset + ROUNDDOWN_PAGE(offset);
  uint64_t stop = vmo->cow_offset + ROUNDDOWN_PAGE(end + PAGE_MASK);
  uint64_t y = start;
  for (; status == ZX_OK && y < stop; y += PAGE_SIZE) {
    struct vm_page* page;
    status = ensure_owned_locked(vmo, y, VM_COW_FORK_COPY, false, NULL, &page);
    if (status != ZX_OK) break;
    if (page->pin_count++ == 0) vmo->cow->pinned_pages++;
  }
  if (status != ZX_OK) unpin_locked(vmo, start, y);
  VM_VALIDATE(vm_object_paged_check_locked, vmo);
  paged_unlock(vmo);
  return status;
}

void vm_object_paged_unpin_range(struct vm_object_paged* vmo, uint64_t offset, uint64_t len) {
  paged_lock(vmo);
  assert_cow_held(vmo);
  ZX_ASSERT(range_check_locked(vmo, offset, len) == ZX_OK);
  uint64_t start = vmo->cow_offset + ROUNDDOWN_PAGE(offset);
  uint64_t stop = vmo->cow_offset + ROUNDDOWN_PAGE(offset + len + PAGE_MASK);
  unpin_locked(vmo, start, stop);
  vm_cow_pages_range_change_locked(vmo->cow, start, stop - start, RANGE_CHANGE_OP_DEBUG_UNPIN);
  VM_VALIDATE(vm_object_paged_check_locked, vmo);
  paged_unlock(vmo);
}

// ---- stats and attribution ----------------------------------------------------------------------

void vm_object_paged_get_stats_locked(struct vm_object_paged* vmo,
                                      struct vm_object_paged_stats* out) {
  paged_assert_held(vmo);
  assert_cow_held(vmo);
  struct vm_cow_pages* cow = vmo->cow;
  vm_cow_pages_assert_held(cow);
  uint64_t size = size_locked(vmo), pages = 0, nodes;
  if (size != 0) {
    vm_page_list_count_range(&cow->page_list, vmo->cow_offset, vmo->cow_offset + size, &pages,
                             &nodes);
  }
  struct vm_attribution_counts c;
  vm_cow_pages_attributed_memory_locked(cow, vmo->cow_offset, size, &c);
  out->committed_bytes = pages * PAGE_SIZE;
  out->populated_bytes = c.uncompressed_bytes;
  out->populated_private_bytes = c.private_uncompressed_bytes;
  out->populated_scaled_bytes = c.scaled_uncompressed_bytes;
  out->metadata_bytes = vm_page_list_metadata_bytes(&cow->page_list);
  out->committed_change_events = cow->committed_change_events;
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
  *out = (struct vm_attribution_counts){0};
  uint64_t size = size_locked(vmo);
  if (offset >= size) return;
  uint64_t n = min_u64(len, size - offset);
  vm_cow_pages_attributed_memory_locked(vmo->cow, vmo->cow_offset + offset, n, out);
}

static uint64_t paged_committed_bytes_locked(struct vm_object* obj) NO_THREAD_SAFETY_ANALYSIS {
  // Same as above: called by vm_object.c with obj's lock held.
  struct vm_object_paged* vmo = vm_object_paged_from_object(obj);
  struct vm_object_paged_stats stats;
  vm_object_paged_get_stats_locked(vmo, &stats);
  return stats.committed_bytes;
}

// ---- checker ------------------------------------------------------------------------------------

void vm_object_paged_check_locked(struct vm_object_paged* vmo) {
  vm_object_check_locked(&vmo->base);
  ZX_ASSERT_MSG(vmo->magic == VM_OBJECT_PAGED_MAGIC, "VMO %p bad magic %#x", (void*)vmo,
                vmo->magic);
  ZX_ASSERT(vmo->base.type == VM_OBJECT_TYPE_PAGED);
  ZX_ASSERT_MSG((vmo->options & ~VM_OBJECT_PAGED_ALL_OPTIONS) == 0, "options %#x", vmo->options);
  ZX_ASSERT_MSG(vmo->cow->hierarchy == vmo->base.hierarchy, "cow and VMO locks differ");
  assert_cow_held(vmo);
  struct vm_cow_pages* cow = vmo->cow;
  vm_cow_pages_assert_held(cow);
  uint64_t size = size_locked(vmo), end;
  ZX_ASSERT_MSG(IS_PAGE_ALIGNED(size) && size <= VM_OBJECT_PAGED_MAX_SIZE, "size %#lx",
                (unsigned long)size);
  ZX_ASSERT_MSG(add_u64(vmo->cow_offset, size, &end) && end <= cow->size,
                "view %#lx+%#lx outside node size %#lx", (unsigned long)vmo->cow_offset,
                (unsigned long)size, (unsigned long)cow->size);
  ZX_ASSERT_MSG(!cow->hidden, "VMO %p views hidden node %p", (void*)vmo, (void*)cow);
  bool listed = false;
  list_for_every(&cow->views, v) listed |= v == &vmo->view_node;
  ZX_ASSERT_MSG(listed, "VMO %p missing from its node's views", (void*)vmo);
  uint32_t children = 0;
  list_for_every(&vmo->children, c) {
    children++;
    ZX_ASSERT(list_entry(c, struct vm_object_paged, child_node)->parent == vmo);
  }
  ZX_ASSERT_MSG(children == vmo->child_count, "child_count %u, list %u", vmo->child_count,
                children);
  vm_cow_pages_check_locked(cow);
}

void vm_object_paged_check(struct vm_object_paged* vmo) {
  paged_lock(vmo);
  vm_object_paged_check_locked(vmo);
  paged_unlock(vmo);
}
