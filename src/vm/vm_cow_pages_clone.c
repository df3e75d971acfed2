// Copy-on-write between nodes (see the diagram and invariants C1..C7 in vm_cow_pages.c):
// snapshot creation, unidirectional children, forking a page down the tree, pruning pages nobody
// needs, merging a hidden node into its last child, and attribution.
//
// A page of a visible ancestor (a pager root, or a node up a unidirectional chain) is copied
// straight into the writer; no node in between gets a copy. Forks of a hidden node's page move it
// level by level: a write at visible T whose walk finds P at hidden ancestor A handles each edge
// A -> c on the path from A to T in turn: if the other side of A still needs P (its split bit is
// clear and the offset is in its window: exact by C5), c gets a copy and P gets c's split bit;
// otherwise P itself moves into c. A page landing in a hidden c gets split bits
// computed for c's children. So every hidden page stays needed by somebody (C6), a page is copied
// only when some other node still reads it, and a descendant elsewhere in the tree keeps reading
// the copy nearest to it. Mappings: the first edge that copies unmaps the receiving subtree's
// mappings at that offset (they showed P; they must now fault in the copy); moves need nothing.
#include <string.h>

#include "base/checked_math.h"
#include "base/platform.h"
#include "vm/vm_cow_pages.h"

static inline uint8_t* page_ptr(const struct vm_page* page) {
  return (uint8_t*)vm_page_to_physmap(page);
}

// Links |child| under |parent| with window [offset, offset + limit) of the parent.
static void link_child(struct vm_cow_pages* parent, struct vm_cow_pages* child, uint64_t offset,
                       uint64_t limit, uint8_t split_bit) REQUIRES(&parent->hierarchy->lock) {
  child->parent = parent;
  child->parent_offset = offset;
  child->parent_limit = limit;
  child->split_bit = split_bit;
  list_add_tail(&parent->children, &child->sibling_node);
  parent->child_count++;
  parent->refcount++;
}

// How much of a child of |size| bytes at parent offset |offset| can see, given |visible_len|
// bytes of the parent from |offset| on.
static uint64_t child_limit(uint64_t size, uint64_t visible_len) {
  return min_u64(size, visible_len);
}

zx_status_t vm_cow_pages_create_snapshot_locked(struct vm_cow_pages* cow, uint64_t offset,
                                                uint64_t size, uint64_t visible_len,
                                                struct vm_cow_pages** out_self,
                                                struct vm_cow_pages** out_child) {
  vm_cow_pages_assert_held(cow);
  ZX_ASSERT(!cow->hidden && cow->child_count == 0 && cow->pinned_pages == 0);
  ZX_ASSERT(IS_PAGE_ALIGNED(offset) && IS_PAGE_ALIGNED(size));
  struct vm_cow_pages *self, *child;
  zx_status_t status = vm_cow_pages_create(cow->hierarchy, cow->size, &self);
  if (status != ZX_OK) return status;
  status = vm_cow_pages_create(cow->hierarchy, size, &child);
  if (status != ZX_OK) {
    vm_cow_pages_assert_held(self);
    vm_cow_pages_release_locked(self);  // nothing linked: just frees it
    return status;
  }
  // The views move to |self|; |cow| keeps its pages and its place in the tree, and turns hidden.
  self->refcount = 0;
  while (!list_is_empty(&cow->views)) {
    struct list_node* v = list_remove_head(&cow->views);
    list_add_tail(&self->views, v);
    vm_cow_pages_view_ops.rebind(v, self);
    self->refcount++;
    cow->refcount--;
  }
  self->committed_change_events = cow->committed_change_events;
  cow->hidden = true;
  // Pages of a visible node carry no split bits, which is exactly right now: |self| needs every
  // offset and |child| every offset of its window (C5), so the snapshot touches no page.
  link_child(cow, self, 0, cow->size, VM_PAGE_FLAG_SPLIT_LEFT);
  uint64_t visible = offset < cow->size ? min_u64(visible_len, cow->size - offset) : 0;
  link_child(cow, child, offset, child_limit(size, visible), VM_PAGE_FLAG_SPLIT_RIGHT);
  *out_self = self;
  *out_child = child;
  return ZX_OK;
}

// True when |n| holds a page or a zero marker in [offset, offset + limit).
static bool owns_any_in_window(struct vm_cow_pages* n, uint64_t offset, uint64_t limit)
    REQUIRES(&n->hierarchy->lock) {
  uint64_t at;
  return limit > 0 && vm_page_list_next_entry(&n->page_list, offset, &at) != NULL &&
         at - offset < limit;
}

zx_status_t vm_cow_pages_create_unidirectional_locked(struct vm_cow_pages* cow, uint64_t offset,
                                                      uint64_t size, uint64_t visible_len,
                                                      struct vm_cow_pages** out_child) {
  vm_cow_pages_assert_held(cow);
  ZX_ASSERT(!cow->hidden);
  struct vm_cow_pages* child;
  zx_status_t status = vm_cow_pages_create(cow->hierarchy, size, &child);
  if (status != ZX_OK) return status;
  uint64_t visible = offset < cow->size ? min_u64(visible_len, cow->size - offset) : 0;
  uint64_t limit = child_limit(size, visible);
  // As Zircon, the child hangs off the highest visible ancestor that shows it the same content:
  // while the would-be parent owns nothing in the window, the window moves up (clipped to that
  // parent's own window). The child then sees its ancestors' state at creation, but not later
  // forks in the intermediates it skipped.
  struct vm_cow_pages* parent = cow;
  for (;;) {
    vm_cow_pages_assert_held(parent);  // one lock for the whole tree
    struct vm_cow_pages* up = parent->parent;
    if (up == NULL || up->hidden || owns_any_in_window(parent, offset, limit)) break;
    limit = offset < parent->parent_limit ? min_u64(limit, parent->parent_limit - offset) : 0;
    offset = limit == 0 ? 0 : offset + parent->parent_offset;
    parent = up;
  }
  vm_cow_pages_assert_held(parent);
  link_child(parent, child, offset, limit, 0);
  *out_child = child;
  return ZX_OK;
}

// ---- needs and split bits -----------------------------------------------------------------------

bool vm_cow_pages_needs_locked(struct vm_cow_pages* node, uint64_t y) {
  vm_cow_pages_assert_held(node);
  if (vm_page_list_lookup(&node->page_list, y) != NULL) return false;
  if (!node->hidden) return true;
  for (struct vm_cow_pages* c = vm_cow_pages_first_child(node); c;
       c = vm_cow_pages_next_child(node, c)) {
    vm_cow_pages_assert_held(c);
    uint64_t z;
    if (vm_cow_pages_in_window(c, y, &z) && vm_cow_pages_needs_locked(c, z)) return true;
  }
  return false;
}

uint8_t vm_cow_pages_split_bits_locked(struct vm_cow_pages* cow, uint64_t x) {
  vm_cow_pages_assert_held(cow);
  uint8_t bits = VM_PAGE_FLAG_SPLIT_MASK;  // a missing side (pending merge) needs nothing
  for (struct vm_cow_pages* c = vm_cow_pages_first_child(cow); c;
       c = vm_cow_pages_next_child(cow, c)) {
    vm_cow_pages_assert_held(c);
    uint64_t y;
    if (vm_cow_pages_in_window(c, x, &y) && vm_cow_pages_needs_locked(c, y)) {
      bits &= (uint8_t)~c->split_bit;
    }
  }
  return bits;
}

// The other child of hidden |parent|, or NULL while a merge is pending.
static struct vm_cow_pages* sibling_of(struct vm_cow_pages* parent, struct vm_cow_pages* child) {
  for (struct vm_cow_pages* c = vm_cow_pages_first_child(parent); c;
       c = vm_cow_pages_next_child(parent, c)) {
    if (c != child) return c;
  }
  return NULL;
}

// ---- fork ---------------------------------------------------------------------------------------

// Walks up from |cow| to the first node owning a page at the translated offset, recording the path
// in walk_next. Returns the page (NULL if none) with its owner and offset there.
static struct vm_page* find_owner_locked(struct vm_cow_pages* cow, uint64_t offset,
                                         struct vm_cow_pages** out_owner, uint64_t* out_x)
    REQUIRES(&cow->hierarchy->lock) {
  struct vm_cow_pages* n = cow;
  uint64_t y = offset;
  for (;;) {
    vm_cow_pages_assert_held(n);
    struct vm_page* page = vm_page_list_lookup(&n->page_list, y);
    if (page && vm_page_is_marker(page)) return NULL;  // zeros from here: nothing to fork
    if (page) {
      *out_owner = n;
      *out_x = y;
      return page;
    }
    if (!n->parent || y >= n->parent_limit) return NULL;
    n->parent->walk_next = n;
    y += n->parent_offset;
    n = n->parent;
  }
}

// Pages copied by forks since start (zxvm_get_stats): relaxed, a statistic only.
static uint64_t g_fork_copies;

uint64_t vm_cow_pages_copy_count(void) { return __atomic_load_n(&g_fork_copies, __ATOMIC_RELAXED); }

// One edge of a fork: gives |c| (owner's walk_next) the page |p| that |owner| holds at |x|, by
// copy when the other side still needs it, else by move. |*copied| tells the caller to unmap.
static zx_status_t fork_edge_locked(struct vm_cow_pages* owner, uint64_t x, struct vm_page* p,
                                    bool init, struct vm_page** out, bool* copied)
    REQUIRES(&owner->hierarchy->lock) {
  struct vm_cow_pages* c = owner->walk_next;
  vm_cow_pages_assert_held(c);
  uint64_t y = x - c->parent_offset;
  struct vm_cow_pages* sib = owner->hidden ? sibling_of(owner, c) : NULL;
  uint64_t unused;
  bool other_needs = !owner->hidden || (sib != NULL && vm_cow_pages_in_window(sib, x, &unused) &&
                                        !(p->flags & sib->split_bit));
  struct vm_page* q;
  if (other_needs) {
    zx_status_t status = vm_cow_pages_alloc_page_locked(c, y, true, &q);
    if (status != ZX_OK) return status;
    if (init) memcpy(page_ptr(q), page_ptr(p), PAGE_SIZE);
    if (owner->hidden) p->flags |= c->split_bit;
    *copied = true;
    __atomic_add_fetch(&g_fork_copies, 1, __ATOMIC_RELAXED);
  } else {
    // Insert before removing: a failed insert leaves everything as it was.
    zx_status_t status = vm_page_list_insert(&c->page_list, y, p);
    if (status != ZX_OK) return status;
    vm_page_list_remove(&owner->page_list, x);
    p->owner = c;
    p->object_page_index = y >> PAGE_SIZE_SHIFT;
    q = p;
    *copied = false;
  }
  q->flags = c->hidden ? vm_cow_pages_split_bits_locked(c, y) : 0;
  ZX_DEBUG_ASSERT(q->flags != VM_PAGE_FLAG_SPLIT_MASK);
  *out = q;
  return ZX_OK;
}

// A page of a visible ancestor (a pager root or a node of a unidirectional chain) is copied
// straight into |cow|, as Zircon does: the owner keeps it, and no node between them gets a copy it
// never wrote (so hidden nodes never hold copies of a root's pages).
static zx_status_t fork_from_visible_locked(struct vm_cow_pages* cow, uint64_t offset,
                                            struct vm_page* p, enum vm_cow_fork_mode mode,
                                            struct vm_page** out) REQUIRES(&cow->hierarchy->lock) {
  ZX_DEBUG_ASSERT(!cow->hidden);
  struct vm_page* q;
  zx_status_t status = vm_cow_pages_alloc_page_locked(cow, offset, mode != VM_COW_FORK_ZERO, &q);
  if (status != ZX_OK) return status;
  if (mode == VM_COW_FORK_COPY) memcpy(page_ptr(q), page_ptr(p), PAGE_SIZE);
  q->flags = 0;
  __atomic_add_fetch(&g_fork_copies, 1, __ATOMIC_RELAXED);
  // |cow| and its unidirectional descendants showed |p| here; from now on they read the copy.
  vm_cow_pages_range_change_locked(cow, offset, PAGE_SIZE, RANGE_CHANGE_OP_UNMAP);
  *out = q;
  return ZX_OK;
}

zx_status_t vm_cow_pages_fork_page_locked(struct vm_cow_pages* cow, uint64_t offset,
                                          enum vm_cow_fork_mode mode, struct vm_page** out) {
  vm_cow_pages_assert_held(cow);
  struct vm_cow_pages* owner;
  uint64_t x;
  struct vm_page* p = find_owner_locked(cow, offset, &owner, &x);
  if (p == NULL) return ZX_ERR_NOT_FOUND;
  if (!owner->hidden) return fork_from_visible_locked(cow, offset, p, mode, out);
  bool unmapped = false;
  while (owner != cow) {
    vm_cow_pages_assert_held(owner);
    struct vm_cow_pages* c = owner->walk_next;
    bool last = c == cow;
    bool copied;
    struct vm_page* q;
    zx_status_t status =
        fork_edge_locked(owner, x, p, !last || mode == VM_COW_FORK_COPY, &q, &copied);
    if (status != ZX_OK) return status;
    uint64_t y = x - c->parent_offset;
    if (copied && !unmapped) {
      // Everything below |c| showed |p| at |y|; from now on it reads the copy.
      vm_cow_pages_assert_held(c);
      vm_cow_pages_range_change_locked(c, y, PAGE_SIZE, RANGE_CHANGE_OP_UNMAP);
      unmapped = true;
    }
    owner = c;
    x = y;
    p = q;
  }
  if (mode == VM_COW_FORK_ZERO) memset(page_ptr(p), 0, PAGE_SIZE);
  *out = p;
  return ZX_OK;
}

zx_status_t vm_cow_pages_zero_with_marker_locked(struct vm_cow_pages* cow, uint64_t offset) {
  vm_cow_pages_assert_held(cow);
  ZX_DEBUG_ASSERT(!cow->hidden && cow->parent != NULL);
  struct vm_page* own = vm_page_list_lookup(&cow->page_list, offset);
  if (own != NULL) {
    if (vm_page_is_marker(own)) return ZX_OK;
    ZX_ASSERT(own->pin_count == 0);
    vm_cow_pages_range_change_locked(cow, offset, PAGE_SIZE, RANGE_CHANGE_OP_UNMAP);
    (void)vm_page_list_replace(&cow->page_list, offset, pmm_zero_page());
    own->flags = 0;
    own->owner = NULL;
    pmm_free_page(own);
    cow->committed_change_events++;
    return ZX_OK;
  }
  struct vm_cow_pages* owner;
  uint64_t x;
  // In a pager tree an absent page is content not supplied yet, not zeros: the marker goes in
  // whatever the ancestors hold.
  if (find_owner_locked(cow, offset, &owner, &x) == NULL &&
      !vm_cow_pages_is_pager_backed_locked(cow)) {
    return ZX_OK;  // zeros already
  }
  zx_status_t status = vm_page_list_insert(&cow->page_list, offset, pmm_zero_page());
  if (status != ZX_OK) return status;
  vm_cow_pages_range_change_locked(cow, offset, PAGE_SIZE, RANGE_CHANGE_OP_UNMAP);
  // Nothing moves: whoever else reads the ancestor's page still finds it where it is. Its split
  // bits are recomputed on the way up, and it is freed if |cow| was its last reader.
  vm_cow_pages_assert_held(cow->parent);
  vm_cow_pages_prune_ancestors_locked(cow->parent, offset + cow->parent_offset,
                                      offset + cow->parent_offset + PAGE_SIZE);
  return ZX_OK;
}

// ---- prune and merge ----------------------------------------------------------------------------

// Recomputes the split bits of |cow|'s pages in [start, end) and frees the ones nobody needs.
static void prune_pages_locked(struct vm_cow_pages* cow, uint64_t start, uint64_t end)
    REQUIRES(&cow->hierarchy->lock) {
  uint64_t off = start, at;
  struct vm_page* page;
  while (off < end && (page = vm_page_list_next_page(&cow->page_list, off, &at)) != NULL &&
         at < end) {
    uint8_t bits = vm_cow_pages_split_bits_locked(cow, at);
    if (bits == VM_PAGE_FLAG_SPLIT_MASK) {
      vm_cow_pages_free_page_locked(cow, at);
    } else {
      page->flags = bits;
    }
    if (!add_u64(at, PAGE_SIZE, &off)) break;
  }
}

void vm_cow_pages_prune_ancestors_locked(struct vm_cow_pages* parent, uint64_t start,
                                         uint64_t end) {
  struct vm_cow_pages* a = parent;
  while (a != NULL && start < end) {
    vm_cow_pages_assert_held(a);
    end = min_u64(end, a->size);
    if (a->hidden && start < end) prune_pages_locked(a, start, end);
    if (a->parent == NULL) break;
    end = min_u64(end, a->parent_limit);
    if (start >= end) break;
    start += a->parent_offset;
    end += a->parent_offset;
    a = a->parent;
  }
}

// Moves the pages of |h| that |c| needs into |c| (taking nodes from |cache|), frees the rest.
static void merge_pages_locked(struct vm_cow_pages* h, struct vm_cow_pages* c,
                               struct vm_page_list_node_cache* cache)
    REQUIRES(&h->hierarchy->lock) {
  vm_cow_pages_assert_held(c);
  uint64_t off = 0, x;
  struct vm_page* page;
  // A marker of |h| keeps shadowing the grandparent for |c| where |c| has nothing of its own.
  while ((page = vm_page_list_next_entry(&h->page_list, off, &x)) != NULL) {
    uint64_t y;
    if (vm_page_is_marker(page)) {
      vm_page_list_remove(&h->page_list, x);
      if (vm_cow_pages_in_window(c, x, &y) && vm_page_list_lookup(&c->page_list, y) == NULL) {
        vm_page_list_insert_from_cache(&c->page_list, y, page, cache);
      }
      if (!add_u64(x, PAGE_SIZE, &off)) break;
      continue;
    }
    bool keep = vm_cow_pages_in_window(c, x, &y) && !(page->flags & c->split_bit);
    if (keep) {
      ZX_ASSERT_MSG(vm_page_list_lookup(&c->page_list, y) == NULL,
                    "merge: child %p owns %#lx but parent's page is not split", (void*)c,
                    (unsigned long)y);
      vm_page_list_remove(&h->page_list, x);
      vm_page_list_insert_from_cache(&c->page_list, y, page, cache);
      page->owner = c;
      page->object_page_index = y >> PAGE_SIZE_SHIFT;
      page->flags = c->hidden ? vm_cow_pages_split_bits_locked(c, y) : 0;
      ZX_ASSERT(page->flags != VM_PAGE_FLAG_SPLIT_MASK);
    } else {
      vm_cow_pages_free_page_locked(h, x);
    }
    if (!add_u64(x, PAGE_SIZE, &off)) break;
  }
}

// |c| takes |h|'s place under |h|'s parent, with the composed window.
static void replace_in_parent_locked(struct vm_cow_pages* h, struct vm_cow_pages* c)
    REQUIRES(&h->hierarchy->lock) {
  vm_cow_pages_assert_held(c);
  struct vm_cow_pages* g = h->parent;
  list_delete(&c->sibling_node);
  h->child_count--;
  h->refcount--;
  if (g == NULL) {
    c->parent = NULL;
    c->parent_offset = 0;
    c->parent_limit = 0;
    c->split_bit = 0;
    vm_page_list_remove_markers(&c->page_list);  // nothing above to shadow any more
    return;
  }
  c->parent_limit = c->parent_offset >= h->parent_limit
                        ? 0
                        : min_u64(c->parent_limit, h->parent_limit - c->parent_offset);
  // A non-empty window lies inside |h|'s, so the sum stays below g->size; an empty one keeps 0.
  c->parent_offset = c->parent_limit == 0 ? 0 : c->parent_offset + h->parent_offset;
  c->split_bit = h->split_bit;
  c->parent = g;  // |h|'s reference on |g| is now |c|'s
  list_add_after(&h->sibling_node, &c->sibling_node);
  list_delete(&h->sibling_node);
}

void vm_cow_pages_merge_locked(struct vm_cow_pages* h) {
  vm_cow_pages_assert_held(h);
  ZX_ASSERT(h->hidden && h->child_count == 1 && h->refcount == 1);
  struct vm_cow_pages* c = vm_cow_pages_first_child(h);
  struct vm_page_list_node_cache cache;
  vm_page_list_node_cache_init(&cache);
  // A page-list node of |h| lands in at most two nodes of |c| (the offsets may not be aligned).
  if (vm_page_list_node_cache_fill(&cache, 2 * vm_page_list_node_count(&h->page_list)) != ZX_OK) {
    // Out of memory: stay a hidden node with one child (legal, C2); free what |c| does not need.
    prune_pages_locked(h, 0, h->size);
    return;
  }
  merge_pages_locked(h, c, &cache);
  vm_page_list_node_cache_drain(&cache);
  struct vm_cow_pages* g = h->parent;
  uint64_t start = h->parent_offset, end = h->parent_offset + h->parent_limit;
  replace_in_parent_locked(h, c);
  ZX_ASSERT(h->refcount == 0 && vm_page_list_count(&h->page_list) == 0);
  vm_page_list_destroy(&h->page_list);
  struct vm_hierarchy_lock* lock = h->hierarchy;
  h->magic = 0;
  heap_free(h);
  vm_hierarchy_lock_release(lock);  // the caller's VMO still holds the lock
  // The grandparent's pages that only the dead side needed are unreachable now.
  if (g != NULL) {
    vm_cow_pages_assert_held(g);
    vm_cow_pages_prune_ancestors_locked(g, start, end);
  }
}

// ---- attribution --------------------------------------------------------------------------------

// Visible nodes that read offset |y| of hidden |n| through hidden nodes only (|n| owns no page
// there unless |own| says the page is n's own). A visible node's descendants read its content
// unidirectionally and are never attributed its pages, so the count stops at visible nodes.
static uint64_t count_readers_locked(struct vm_cow_pages* n, uint64_t y, bool own)
    REQUIRES(&n->hierarchy->lock) {
  if (!own && vm_page_list_lookup(&n->page_list, y) != NULL) return 0;
  if (!n->hidden) return 1;
  uint64_t count = 0;
  for (struct vm_cow_pages* c = vm_cow_pages_first_child(n); c; c = vm_cow_pages_next_child(n, c)) {
    vm_cow_pages_assert_held(c);
    uint64_t z;
    if (vm_cow_pages_in_window(c, y, &z)) count += count_readers_locked(c, z, false);
  }
  return count;
}

uint64_t vm_cow_pages_sharers_locked(struct vm_cow_pages* owner, uint64_t offset) {
  vm_cow_pages_assert_held(owner);
  return count_readers_locked(owner, offset, true);
}

static void attribute_page(struct vm_attribution_counts* out, uint64_t sharers) {
  out->uncompressed_bytes += PAGE_SIZE;
  if (sharers <= 1) out->private_uncompressed_bytes += PAGE_SIZE;
  uint64_t n = sharers == 0 ? 1 : sharers;
  struct fractional_bytes share = {PAGE_SIZE / n,
                                   (uint64_t)(((unsigned __int128)(PAGE_SIZE % n) << 63) / n)};
  out->scaled_uncompressed_bytes = fractional_bytes_add(out->scaled_uncompressed_bytes, share);
}

// Attributes the pages |a| owns in [start, end) of |a| (|delta| = a's offset minus cow's) that
// |cow| actually reads (not shadowed by a nearer page).
static void attribute_level_locked(struct vm_cow_pages* cow, struct vm_cow_pages* a, uint64_t start,
                                   uint64_t end, uint64_t delta, struct vm_attribution_counts* out)
    REQUIRES(&cow->hierarchy->lock) {
  vm_cow_pages_assert_held(a);
  uint64_t off = start, x;
  struct vm_page* page;
  while (off < end && (page = vm_page_list_next_page(&a->page_list, off, &x)) != NULL && x < end) {
    struct vm_cow_pages* owner;
    if (a == cow || vm_cow_pages_peek_locked(cow, x - delta, &owner) == page) {
      attribute_page(out, vm_cow_pages_sharers_locked(a, x));
    }
    if (!add_u64(x, PAGE_SIZE, &off)) break;
  }
}

void vm_cow_pages_attributed_memory_locked(struct vm_cow_pages* cow, uint64_t offset, uint64_t len,
                                           struct vm_attribution_counts* out) {
  vm_cow_pages_assert_held(cow);
  *out = (struct vm_attribution_counts){0};
  if (len == 0 || offset >= cow->size) return;
  uint64_t end;
  if (!add_u64(offset, len, &end) || end > cow->size) end = cow->size;
  uint64_t start = ROUNDDOWN_PAGE(offset);
  if (!roundup_page_u64(end, &end)) end = cow->size;
  struct vm_cow_pages* a = cow;
  uint64_t delta = 0;
  // Zircon's rule (RFC-0254 attribution): a node is attributed its own pages and its share of
  // the hidden ancestors' pages it reads; a visible ancestor's pages (a pager root's, or those of
  // a node up a unidirectional chain) stay with that ancestor alone.
  for (;;) {
    vm_cow_pages_assert_held(a);
    attribute_level_locked(cow, a, start, end, delta, out);
    if (a->parent == NULL || !a->parent->hidden) break;
    end = min_u64(end, a->parent_limit);
    if (start >= end) break;
    start += a->parent_offset;
    end += a->parent_offset;
    delta += a->parent_offset;
    a = a->parent;
  }
}
