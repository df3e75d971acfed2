// Page ownership for paged VMOs and the copy-on-write tree (see vm_cow_pages.h). This file holds
// the node life cycle, the page walk, commit/free/read/write of one node's pages, resize, the
// range-change fan-out to views and the checker; vm_cow_pages_clone.c holds snapshot creation,
// forking, pruning, merging and attribution.
//
// Structure of one clone tree (one hierarchy lock), after `B = snapshot(A)` then
// `C = snapshot(B)`, where VMO A was created with pages p0..p3 and B wrote p1:
//
//                 H1 (hidden: p0 p2 p3, the pages A and B shared at the first snapshot)
//               /    \                      first child = left = the original side
//      A' (visible)   H2 (hidden: p1', B's write, shared by B and C)
//       view: VMO A  /  \    .
//           B' (visible)  C (visible)
//           view: VMO B   view: VMO C
//
// A node reads offset y from its parent at y + parent_offset while y < parent_limit. Views are the
// vm_object_paged objects showing a visible node (the VMO, its references and slices).
//
// Node states:
//   VISIBLE --snapshot--> HIDDEN (keeps its pages; a new visible node takes its views)
//   HIDDEN --one child dies--> merged into the remaining child (node freed)
//   VISIBLE/HIDDEN --refcount 0--> freed (pages freed, parent released)
//
// Numbered invariants (vm_cow_pages_check_locked):
//  C1. Links: a child is on its parent's children list, child_count agrees, refcount = views +
//      children, every node shares the root's hierarchy lock.
//  C2. A hidden node has no views and two children (one only while a merge could not allocate).
//      A visible node has children only in a pager-backed tree (unidirectional clones).
//  C3. parent_limit <= size, and parent_offset + parent_limit <= parent->size when the window is
//      not empty (so a walk never leaves the parent's range). parent_limit never grows.
//  C4. Every page is in pmm state OBJECT, owner == its node, object_page_index == its slot, below
//      size; flags hold only split bits, and only in hidden nodes.
//  C5. Exact split bits: for a page at x of hidden H and each child c whose window contains x
//      (child offset y), split_c(page) == !needs(c, y), where needs(c, y) = c owns no page at y
//      and (c visible, or some child of c has y in its window and needs it).
//  C6. No unreachable page: every page of a hidden node is needed by at least one child side.
//  C7. Pinned pages only in visible nodes; pinned_pages counts them.
//
// Because of C5, "does the other side still need this page" is one bit test during a fork, and a
// page nobody can reach is freed at the moment the last side lets go of it.
#include "vm/vm_cow_pages.h"

#include <string.h>

#include "base/checked_math.h"
#include "base/platform.h"
#include "vm/vm_cow_pages_pager.h"
#include "vm/vm_pager.h"

static inline void cow_assert_held(struct vm_cow_pages* cow) REQUIRES(&cow->hierarchy->lock) {
  ZX_DEBUG_ASSERT_MAGIC(cow, VM_COW_PAGES_MAGIC);
  mutex_assert_held(&cow->hierarchy->lock);
}

static inline uint8_t* page_ptr(const struct vm_page* page) {
  return (uint8_t*)vm_page_to_physmap(page);
}

// ---- life cycle ---------------------------------------------------------------------------------

zx_status_t vm_cow_pages_create(struct vm_hierarchy_lock* hierarchy, uint64_t size,
                                struct vm_cow_pages** out) {
  ZX_DEBUG_ASSERT(IS_PAGE_ALIGNED(size));
  struct vm_cow_pages* cow = heap_calloc(1, sizeof(*cow));
  if (!cow) return ZX_ERR_NO_MEMORY;
  cow->magic = VM_COW_PAGES_MAGIC;
  vm_hierarchy_lock_acquire(hierarchy);
  cow->hierarchy = hierarchy;
  cow->refcount = 1;
  cow->size = size;
  vm_page_list_init(&cow->page_list, cow);
  list_initialize(&cow->children);
  list_node_init(&cow->sibling_node);
  list_initialize(&cow->views);
  *out = cow;
  return ZX_OK;
}

void vm_cow_pages_acquire_locked(struct vm_cow_pages* cow) {
  cow_assert_held(cow);
  ZX_ASSERT(cow->refcount > 0);
  cow->refcount++;
}

void vm_cow_pages_free_page_locked(struct vm_cow_pages* cow, uint64_t offset) {
  struct vm_page* page = vm_page_list_remove(&cow->page_list, offset);
  ZX_ASSERT(page != NULL && !vm_page_is_marker(page) && page->pin_count == 0);
  page->flags = 0;
  page->owner = NULL;
  pmm_free_page(page);
}

// Frees the node itself: no views, no children, refcount 0. Releases its parent afterwards.
static void destroy_node_locked(struct vm_cow_pages* cow) REQUIRES(&cow->hierarchy->lock) {
  ZX_ASSERT(list_is_empty(&cow->views) && cow->child_count == 0);
  // A pager root tells its pager (COMPLETE), leaves the evictor and drops its page source first.
  if (cow->page_source != NULL) vm_cow_pages_pager_destroy_locked(cow);
  ZX_ASSERT_MSG(cow->pinned_pages == 0, "node %p dies with %lu pinned pages", (void*)cow,
                (unsigned long)cow->pinned_pages);
  struct page_list freed;
  page_list_init(&freed);
  vm_page_list_remove_range(&cow->page_list, 0, cow->size, &freed);
  for (struct vm_page* p = page_list_first(&freed); p; p = page_list_next(p)) p->flags = 0;
  pmm_free_pages(&freed);
  vm_page_list_destroy(&cow->page_list);
  struct vm_cow_pages* parent = cow->parent;
  if (parent) {
    list_delete(&cow->sibling_node);
    parent->child_count--;
  }
  struct vm_hierarchy_lock* h = cow->hierarchy;
  cow->magic = 0;
  heap_free(cow);
  // The caller's VMO still holds a reference to |h|, so the lock outlives this release.
  vm_hierarchy_lock_release(h);
  if (parent) {
    vm_cow_pages_assert_held(parent);  // one lock for the whole tree
    vm_cow_pages_release_locked(parent);
  }
}

void vm_cow_pages_release_locked(struct vm_cow_pages* cow) {
  cow_assert_held(cow);
  ZX_ASSERT(cow->refcount > 0);
  cow->refcount--;
  if (cow->refcount == 0) {
    destroy_node_locked(cow);
  } else if (cow->hidden && cow->refcount == 1 && cow->child_count == 1) {
    vm_cow_pages_merge_locked(cow);
  }
}

bool vm_cow_pages_is_pager_backed_locked(struct vm_cow_pages* cow) {
  cow_assert_held(cow);
  while (cow->parent) cow = cow->parent;
  return cow->page_source != NULL;
}

// ---- windows and walks --------------------------------------------------------------------------

bool vm_cow_pages_in_window(const struct vm_cow_pages* child, uint64_t x, uint64_t* out_y) {
  if (x < child->parent_offset) return false;
  uint64_t y = x - child->parent_offset;
  if (y >= child->parent_limit) return false;
  *out_y = y;
  return true;
}

void vm_cow_pages_assert_held(const struct vm_cow_pages* cow) {
  mutex_assert_held(&cow->hierarchy->lock);
}

struct vm_page* vm_cow_pages_lookup_locked(struct vm_cow_pages* cow, uint64_t offset) {
  cow_assert_held(cow);
  if (offset >= cow->size) return NULL;
  return vm_page_list_lookup(&cow->page_list, offset);
}

// One step of the walk: the parent's offset for |y|, or false at the end of the chain.
static inline bool walk_up(struct vm_cow_pages** node, uint64_t* y) {
  struct vm_cow_pages* n = *node;
  if (!n->parent || *y >= n->parent_limit) return false;
  *y += n->parent_offset;
  *node = n->parent;
  return true;
}

struct vm_page* vm_cow_pages_peek_locked(struct vm_cow_pages* cow, uint64_t offset,
                                         struct vm_cow_pages** out_owner) {
  cow_assert_held(cow);
  struct vm_cow_pages* n = cow;
  uint64_t y = offset;
  do {
    struct vm_page* page = vm_page_list_lookup(&n->page_list, y);
    if (page) {
      *out_owner = n;
      return page;
    }
  } while (walk_up(&n, &y));
  *out_owner = NULL;
  return NULL;
}

zx_status_t vm_cow_pages_lookup_visible_locked(struct vm_cow_pages* cow, uint64_t offset,
                                               bool write, struct multi_page_request* req,
                                               struct vm_page** out_page,
                                               struct vm_cow_pages** out_owner) {
  cow_assert_held(cow);
  for (;;) {
    struct vm_cow_pages* n = cow;
    uint64_t y = offset;
    do {
      struct vm_page* page = vm_page_list_lookup(&n->page_list, y);
      if (page) {
        *out_page = page;
        *out_owner = n;
        return ZX_OK;
      }
    } while (walk_up(&n, &y));
    if (n->parent != NULL || n->page_source == NULL) {
      *out_page = NULL;
      *out_owner = NULL;
      return ZX_OK;
    }
    // A pager-backed root without the page: the pager supplies it (or arms |req|).
    vm_cow_pages_assert_held(n);
    zx_status_t status = vm_cow_pages_pager_missing_locked(n, y, write, req);
    if (status == ZX_ERR_NOT_FOUND) {
      // Known zero (a dirty zero interval): reads as zero, as if no node held a page.
      *out_page = NULL;
      *out_owner = NULL;
      return ZX_OK;
    }
    if (status != ZX_OK) return status;
  }
}

// ---- range changes ------------------------------------------------------------------------------

void vm_cow_pages_range_change_locked(struct vm_cow_pages* cow, uint64_t offset, uint64_t len,
                                      enum vm_range_change_op op) {
  cow_assert_held(cow);
  if (len == 0) return;
  list_for_every(&cow->views, v) {
    uint64_t view_offset, view_len, start, n;
    vm_cow_pages_view_ops.geometry(v, &view_offset, &view_len);
    if (range_intersect(view_offset, view_len, offset, len, &start, &n)) {
      vm_cow_pages_view_ops.range_change(v, start - view_offset, n, op);
    }
  }
  for (struct vm_cow_pages* c = vm_cow_pages_first_child(cow); c;
       c = vm_cow_pages_next_child(cow, c)) {
    uint64_t start, n;
    if (c->parent_limit != 0 &&
        range_intersect(c->parent_offset, c->parent_limit, offset, len, &start, &n)) {
      vm_cow_pages_assert_held(c);
      vm_cow_pages_range_change_locked(c, start - c->parent_offset, n, op);
    }
  }
}

// ---- commit -------------------------------------------------------------------------------------

static void commit_init(struct vm_cow_pages_commit* commit, uint64_t start, uint64_t end) {
  commit->start = start;
  commit->end = end;
  commit->missing = 0;
  page_list_init(&commit->pages);
  vm_page_list_node_cache_init(&commit->nodes);
}

zx_status_t vm_cow_pages_prepare_commit_locked(struct vm_cow_pages* cow, uint64_t start,
                                               uint64_t end, struct vm_cow_pages_commit* commit) {
  cow_assert_held(cow);
  ZX_DEBUG_ASSERT(IS_PAGE_ALIGNED(start) && IS_PAGE_ALIGNED(end) && start <= end);
  ZX_DEBUG_ASSERT(end <= cow->size);
  commit_init(commit, start, end);
  uint64_t present, nodes;
  vm_page_list_count_range(&cow->page_list, start, end, &present, &nodes);
  uint64_t missing = ((end - start) >> PAGE_SIZE_SHIFT) - present;
  if (missing == 0) return ZX_OK;
  // Pages first: for a huge range the pmm refuses at once, before any node is allocated.
  zx_status_t status = pmm_alloc_pages(missing, PMM_ALLOC_FLAG_ANY, &commit->pages);
  if (status != ZX_OK) return status;
  uint64_t nodes_needed = vm_page_list_nodes_needed(&cow->page_list, start, end);
  status = vm_page_list_node_cache_fill(&commit->nodes, nodes_needed);
  if (status != ZX_OK) {
    pmm_free_pages(&commit->pages);
    return status;
  }
  commit->missing = missing;
  return ZX_OK;
}

struct commit_init_ctx {
  struct vm_cow_pages* cow;
  uint64_t no_zero_start, no_zero_end;
};

static void init_object_page(struct vm_page* page, struct vm_cow_pages* cow, uint64_t offset) {
  pmm_page_set_state(page, VM_PAGE_STATE_OBJECT);
  page->owner = cow;
  page->object_page_index = offset >> PAGE_SIZE_SHIFT;
  page->flags = 0;
  page->share_count = 0;
  page->pin_count = 0;
}

static void commit_init_page(struct vm_page* page, uint64_t offset, void* arg) {
  struct commit_init_ctx* ctx = arg;
  bool overwritten = offset >= ctx->no_zero_start && offset < ctx->no_zero_end &&
                     ctx->no_zero_end - offset >= PAGE_SIZE;
  if (!overwritten) memset(page_ptr(page), 0, PAGE_SIZE);
  init_object_page(page, ctx->cow, offset);
}

uint64_t vm_cow_pages_apply_commit_locked(struct vm_cow_pages* cow,
                                          struct vm_cow_pages_commit* commit,
                                          uint64_t no_zero_start, uint64_t no_zero_end) {
  cow_assert_held(cow);
  uint64_t added = commit->missing;
  if (added != 0) {
    struct commit_init_ctx ctx = {cow, no_zero_start, no_zero_end};
    vm_page_list_fill_range(&cow->page_list, commit->start, commit->end, &commit->pages,
                            &commit->nodes, commit_init_page, &ctx);
    cow->committed_change_events++;
  }
  ZX_ASSERT_MSG(page_list_is_empty(&commit->pages) && commit->nodes.count == 0,
                "commit reservation mismatch: %zu pages, %lu nodes left", commit->pages.count,
                (unsigned long)commit->nodes.count);
  commit->missing = 0;
  return added;
}

void vm_cow_pages_cancel_commit(struct vm_cow_pages_commit* commit) {
  pmm_free_pages(&commit->pages);
  vm_page_list_node_cache_drain(&commit->nodes);
  commit->missing = 0;
}

zx_status_t vm_cow_pages_alloc_page_locked(struct vm_cow_pages* cow, uint64_t offset, bool no_zero,
                                           struct vm_page** out) {
  cow_assert_held(cow);
  struct vm_page* marker = vm_page_list_lookup(&cow->page_list, offset);
  ZX_DEBUG_ASSERT(marker == NULL || vm_page_is_marker(marker));
  struct vm_page* page;
  zx_status_t status = pmm_alloc_page(PMM_ALLOC_FLAG_ANY, &page, NULL);
  if (status != ZX_OK) return status;
  init_object_page(page, cow, offset);
  if (marker != NULL) {
    (void)vm_page_list_replace(&cow->page_list, offset, page);  // a zero marker gives way
  } else {
    status = vm_page_list_insert(&cow->page_list, offset, page);
  }
  if (status != ZX_OK) {
    page->owner = NULL;
    pmm_free_page(page);
    return status;
  }
  if (!no_zero) memset(page_ptr(page), 0, PAGE_SIZE);
  cow->committed_change_events++;
  *out = page;
  return ZX_OK;
}

uint64_t vm_cow_pages_free_range_locked(struct vm_cow_pages* cow, uint64_t start, uint64_t end) {
  cow_assert_held(cow);
  struct page_list freed;
  page_list_init(&freed);
  uint64_t n = vm_page_list_remove_range(&cow->page_list, start, end, &freed);
  if (n != 0) {
    for (struct vm_page* p = page_list_first(&freed); p; p = page_list_next(p)) {
      ZX_ASSERT(p->pin_count == 0);
      p->flags = 0;
    }
    pmm_free_pages(&freed);
    cow->committed_change_events++;
  }
  return n;
}

// ---- data ---------------------------------------------------------------------------------------

void vm_cow_pages_zero_bytes_locked(struct vm_cow_pages* cow, uint64_t offset, uint64_t len) {
  cow_assert_held(cow);
  if (len == 0) return;
  ZX_DEBUG_ASSERT(range_in_bounds(offset, len, cow->size));
  struct vm_page_list_cursor cursor;
  vm_page_list_cursor_init(&cursor, &cow->page_list, ROUNDDOWN_PAGE(offset));
  uint64_t pos = offset, end = offset + len;
  while (pos < end) {
    uint64_t page_offset = ROUNDDOWN_PAGE(pos);
    uint64_t in_page = pos - page_offset;
    uint64_t n = min_u64(PAGE_SIZE - in_page, end - pos);
    struct vm_page* page = vm_page_list_cursor_get(&cursor, page_offset);
    if (page && !vm_page_is_marker(page)) memset(page_ptr(page) + in_page, 0, n);
    pos += n;
  }
}

// A run of source bytes contiguous in the physmap (NULL src: a run of zeros).
struct copy_run {
  uint8_t* src;
  uint64_t len;
};

static void read_flush(uint8_t** out, struct copy_run* run) {
  if (run->len == 0) return;
  if (run->src) {
    memcpy(*out, run->src, run->len);
  } else {
    memset(*out, 0, run->len);
  }
  *out += run->len;
  run->len = 0;
}

void vm_cow_pages_read_locked(struct vm_cow_pages* cow, void* buf, uint64_t offset, uint64_t len) {
  cow_assert_held(cow);
  if (len == 0) return;
  ZX_DEBUG_ASSERT(range_in_bounds(offset, len, cow->size));
  struct vm_page_list_cursor cursor;
  vm_page_list_cursor_init(&cursor, &cow->page_list, ROUNDDOWN_PAGE(offset));
  uint8_t* out = buf;
  struct copy_run run = {NULL, 0};
  uint64_t pos = offset, end = offset + len;
  while (pos < end) {
    uint64_t page_offset = ROUNDDOWN_PAGE(pos);
    uint64_t in_page = pos - page_offset;
    uint64_t n = min_u64(PAGE_SIZE - in_page, end - pos);
    struct vm_page* page = vm_page_list_cursor_get(&cursor, page_offset);
    if (!page && cow->parent) {
      struct vm_cow_pages* owner;
      page = vm_cow_pages_peek_locked(cow, page_offset, &owner);
    }
    uint8_t* src = page ? page_ptr(page) + in_page : NULL;
    bool extends = run.len != 0 && (src ? run.src && run.src + run.len == src : !run.src);
    if (!extends) {
      read_flush(&out, &run);
      run.src = src;
    }
    run.len += n;
    pos += n;
  }
  read_flush(&out, &run);
}

void vm_cow_pages_write_locked(struct vm_cow_pages* cow, const void* buf, uint64_t offset,
                               uint64_t len) {
  cow_assert_held(cow);
  if (len == 0) return;
  ZX_DEBUG_ASSERT(range_in_bounds(offset, len, cow->size));
  struct vm_page_list_cursor cursor;
  vm_page_list_cursor_init(&cursor, &cow->page_list, ROUNDDOWN_PAGE(offset));
  const uint8_t* in = buf;
  uint8_t* run_dst = NULL;
  uint64_t run_len = 0;
  uint64_t pos = offset, end = offset + len;
  while (pos < end) {
    uint64_t page_offset = ROUNDDOWN_PAGE(pos);
    uint64_t in_page = pos - page_offset;
    uint64_t n = min_u64(PAGE_SIZE - in_page, end - pos);
    struct vm_page* page = vm_page_list_cursor_get(&cursor, page_offset);
    ZX_ASSERT_MSG(page != NULL && !vm_page_is_marker(page), "write to uncommitted page %#lx",
                  (unsigned long)page_offset);
    uint8_t* dst = page_ptr(page) + in_page;
    if (run_len != 0 && run_dst + run_len != dst) {
      memcpy(run_dst, in, run_len);
      in += run_len;
      run_len = 0;
    }
    if (run_len == 0) run_dst = dst;
    run_len += n;
    pos += n;
  }
  memcpy(run_dst, in, run_len);
}

// ---- size and pins ------------------------------------------------------------------------------

// Shrinks the windows of |cow|'s (unidirectional) children to the new size.
static void clamp_children_locked(struct vm_cow_pages* cow, uint64_t size)
    REQUIRES(&cow->hierarchy->lock) {
  for (struct vm_cow_pages* c = vm_cow_pages_first_child(cow); c;
       c = vm_cow_pages_next_child(cow, c)) {
    uint64_t limit =
        c->parent_offset >= size ? 0 : min_u64(c->parent_limit, size - c->parent_offset);
    c->parent_limit = min_u64(c->parent_limit, limit);
  }
}

void vm_cow_pages_resize_locked(struct vm_cow_pages* cow, uint64_t size) {
  cow_assert_held(cow);
  ZX_DEBUG_ASSERT(IS_PAGE_ALIGNED(size) && !cow->hidden);
  if (size < cow->size) {
    vm_cow_pages_free_range_locked(cow, size, cow->size);
    clamp_children_locked(cow, size);
    uint64_t old_limit = cow->parent_limit;
    if (size < old_limit) {
      cow->parent_limit = size;
      // The parent's pages that only this node read in the cut-off range are unreachable now.
      vm_cow_pages_assert_held(cow->parent);
      vm_cow_pages_prune_ancestors_locked(cow->parent, cow->parent_offset + size,
                                          cow->parent_offset + old_limit);
    }
  }
  cow->size = size;
}

uint64_t vm_cow_pages_pinned_in_range_locked(struct vm_cow_pages* cow, uint64_t start,
                                             uint64_t end) {
  cow_assert_held(cow);
  if (cow->pinned_pages == 0 || start >= end) return 0;
  uint64_t n = 0, off = start, at;
  struct vm_page* page;
  while ((page = vm_page_list_next_page(&cow->page_list, off, &at)) != NULL && at < end) {
    if (page->pin_count > 0) n++;
    off = at + PAGE_SIZE;
    if (off == 0) break;
  }
  return n;
}

// ---- checker ------------------------------------------------------------------------------------

struct check_ctx {
  struct vm_cow_pages* node;
  uint64_t pinned;
};

// C4, C5, C6, C7 for one page.
static bool check_page(struct vm_page* page, uint64_t offset, void* arg) NO_THREAD_SAFETY_ANALYSIS {
  // Called from vm_cow_pages_check_locked with the hierarchy lock held.
  struct check_ctx* ctx = arg;
  struct vm_cow_pages* n = ctx->node;
  if (page->pin_count > 0) ctx->pinned++;
  // Pager bits (dirty state, age) only on the pages of a pager-backed root; split bits only in
  // hidden nodes.
  uint8_t allowed = n->page_source != NULL ? VM_PAGE_FLAG_PAGER_MASK : 0;
  if (n->hidden) allowed |= VM_PAGE_FLAG_SPLIT_MASK;
  ZX_ASSERT_MSG((page->flags & ~allowed) == 0, "node %p page %#lx has flags %#x (allowed %#x)",
                (void*)n, (unsigned long)offset, page->flags, allowed);
  if (!n->hidden) return true;
  ZX_ASSERT_MSG(page->pin_count == 0, "pinned page in hidden node %p", (void*)n);
  bool seen = false;
  for (struct vm_cow_pages* c = vm_cow_pages_first_child(n); c; c = vm_cow_pages_next_child(n, c)) {
    uint64_t y;
    if (!vm_cow_pages_in_window(c, offset, &y)) continue;
    bool split = (page->flags & c->split_bit) != 0;
    bool needs = vm_cow_pages_needs_locked(c, y);
    ZX_ASSERT_MSG(split == !needs, "hidden %p page %#lx: child %p split %d but needs %d", (void*)n,
                  (unsigned long)offset, (void*)c, split, needs);
    seen |= needs;
  }
  ZX_ASSERT_MSG(seen, "hidden node %p page %#lx is unreachable", (void*)n, (unsigned long)offset);
  return true;
}

static void check_links(struct vm_cow_pages* n, struct vm_hierarchy_lock* h)
    REQUIRES(&n->hierarchy->lock) {
  ZX_ASSERT_MSG(n->magic == VM_COW_PAGES_MAGIC, "cow %p bad magic %#x", (void*)n, n->magic);
  ZX_ASSERT_MSG(n->hierarchy == h, "node %p in another hierarchy", (void*)n);
  ZX_ASSERT_MSG(IS_PAGE_ALIGNED(n->size), "cow size %#lx", (unsigned long)n->size);
  uint64_t views = list_length(&n->views), children = list_length(&n->children);
  ZX_ASSERT_MSG(children == n->child_count, "child_count %u, list %lu", n->child_count,
                (unsigned long)children);
  ZX_ASSERT_MSG(n->refcount == views + children, "node %p refcount %u != %lu views + %lu children",
                (void*)n, n->refcount, (unsigned long)views, (unsigned long)children);
  if (n->hidden) {
    ZX_ASSERT_MSG(views == 0 && (children == 2 || children == 1), "hidden %p: %lu views %lu kids",
                  (void*)n, (unsigned long)views, (unsigned long)children);
  }
  struct vm_cow_pages* p = n->parent;
  if (!p) return;
  bool found = false;
  for (struct vm_cow_pages* c = vm_cow_pages_first_child(p); c; c = vm_cow_pages_next_child(p, c)) {
    found |= c == n;
  }
  ZX_ASSERT_MSG(found, "node %p missing from parent %p's children", (void*)n, (void*)p);
  ZX_ASSERT_MSG(n->parent_limit <= n->size, "parent_limit %#lx > size %#lx",
                (unsigned long)n->parent_limit, (unsigned long)n->size);
  uint64_t end;
  ZX_ASSERT_MSG(
      n->parent_limit == 0 || (add_u64(n->parent_offset, n->parent_limit, &end) && end <= p->size),
      "node %p window %#lx+%#lx outside parent size %#lx", (void*)n,
      (unsigned long)n->parent_offset, (unsigned long)n->parent_limit, (unsigned long)p->size);
  vm_cow_pages_assert_held(p);
  ZX_ASSERT_MSG(p->hidden || vm_cow_pages_is_pager_backed_locked(p),
                "visible node %p has a child outside a pager tree", (void*)p);
}

static void check_subtree(struct vm_cow_pages* n, struct vm_hierarchy_lock* h)
    REQUIRES(&n->hierarchy->lock) {
  check_links(n, h);
  vm_page_list_check(&n->page_list, n->size);
  // Zero markers only shadow ancestors: never in a root (a pager root has zero intervals instead).
  ZX_ASSERT_MSG(vm_page_list_marker_count(&n->page_list) == 0 || n->parent != NULL,
                "node %p (parent %p) holds %lu zero markers", (void*)n, (void*)n->parent,
                (unsigned long)vm_page_list_marker_count(&n->page_list));
  struct check_ctx ctx = {n, 0};
  vm_page_list_for_every_page_in_range(&n->page_list, 0, n->size, check_page, &ctx);
  ZX_ASSERT_MSG(ctx.pinned == n->pinned_pages, "node %p pinned %lu, counted %lu", (void*)n,
                (unsigned long)n->pinned_pages, (unsigned long)ctx.pinned);
  if (n->page_source != NULL) vm_cow_pages_pager_check_locked(n);
  for (struct vm_cow_pages* c = vm_cow_pages_first_child(n); c; c = vm_cow_pages_next_child(n, c)) {
    ZX_ASSERT_MSG(c->parent == n, "child %p's parent is %p, not %p", (void*)c, (void*)c->parent,
                  (void*)n);
    vm_cow_pages_assert_held(c);
    check_subtree(c, h);
  }
}

void vm_cow_pages_check_locked(struct vm_cow_pages* cow) {
  ZX_ASSERT_MSG(cow->magic == VM_COW_PAGES_MAGIC, "cow %p bad magic %#x", (void*)cow, cow->magic);
  cow_assert_held(cow);
  struct vm_cow_pages* root = cow;
  while (root->parent) root = root->parent;
  vm_cow_pages_assert_held(root);
  check_subtree(root, cow->hierarchy);
}
