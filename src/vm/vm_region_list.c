// VMAR children tree with gap augmentation and the free-spot search. See vm_region_list.h for the
// invariants. Every range is handled as [first byte, last byte] so a child or parent ending at
// 2^64 needs no special case. Every function runs under the owning aspace lock (the caller's).
#include "vm/vm_region_list.h"

#include "base/assert.h"
#include "base/checked_math.h"

static struct vm_region_node* region_of(const struct wavl_node* n) {
  return n ? wavl_entry(n, struct vm_region_node, node) : NULL;
}

static vaddr_t region_last(const struct vm_region_node* r) { return r->base + (r->size - 1); }

// Free bytes strictly between a range ending at |left_last| and one starting at |right_first|.
static size_t gap_between(vaddr_t left_last, vaddr_t right_first) {
  return right_first - left_last - 1;
}

static int region_compare(const struct wavl_node* a, const struct wavl_node* b) {
  vaddr_t ka = region_of(a)->base, kb = region_of(b)->base;
  return ka < kb ? -1 : ka > kb;
}

static int region_compare_key(const void* key, const struct wavl_node* n) {
  vaddr_t k = *(const vaddr_t*)key, kn = region_of(n)->base;
  return k < kn ? -1 : k > kn;
}

// Recomputes |wn|'s subtree summary from itself and its (correct) children.
static bool region_augment(struct wavl_node* wn) {
  struct vm_region_node* n = region_of(wn);
  const struct vm_region_node* l = region_of(wn->left);
  const struct vm_region_node* r = region_of(wn->right);
  vaddr_t last = region_last(n);
  vaddr_t min_first = l ? l->subtree_min_first_byte : n->base;
  vaddr_t max_last = r ? r->subtree_max_last_byte : last;
  size_t max_gap = 0;
  if (l) {
    max_gap = max_u64(l->subtree_max_gap, gap_between(l->subtree_max_last_byte, n->base));
  }
  if (r) {
    max_gap = max_u64(max_gap, r->subtree_max_gap);
    max_gap = max_u64(max_gap, gap_between(last, r->subtree_min_first_byte));
  }
  bool changed = n->subtree_min_first_byte != min_first || n->subtree_max_last_byte != max_last ||
                 n->subtree_max_gap != max_gap;
  n->subtree_min_first_byte = min_first;
  n->subtree_max_last_byte = max_last;
  n->subtree_max_gap = max_gap;
  return changed;
}

static const struct wavl_ops region_ops = {
    .compare = region_compare,
    .compare_key = region_compare_key,
    .augment = region_augment,
};

void vm_region_list_init(struct vm_region_list* list) { wavl_init(&list->tree, &region_ops); }

static void region_reset_summary(struct vm_region_node* node) {
  node->subtree_min_first_byte = node->base;
  node->subtree_max_last_byte = region_last(node);
  node->subtree_max_gap = 0;
}

void vm_region_node_init(struct vm_region_node* node, vaddr_t base, size_t size) {
  vaddr_t last;
  ZX_ASSERT_MSG(size != 0 && !__builtin_add_overflow(base, size - 1, &last), "base %#lx size %#lx",
                (unsigned long)base, (unsigned long)size);
  wavl_node_init(&node->node);
  node->base = base;
  node->size = size;
  region_reset_summary(node);
}

void vm_region_list_insert(struct vm_region_list* list, struct vm_region_node* node) {
  ZX_DEBUG_ASSERT_MSG(vm_region_list_is_range_available(list, node->base, node->size),
                      "base %#lx size %#lx overlaps a child", (unsigned long)node->base,
                      (unsigned long)node->size);
  region_reset_summary(node);  // a leaf's summary; the tree fixes the ancestors
  wavl_insert(&list->tree, &node->node);
  VM_VALIDATE(vm_region_list_check, list);
}

void vm_region_list_remove(struct vm_region_list* list, struct vm_region_node* node) {
  wavl_erase(&list->tree, &node->node);
  VM_VALIDATE(vm_region_list_check, list);
}

struct vm_region_node* vm_region_list_first(const struct vm_region_list* list) {
  return region_of(wavl_first(&list->tree));
}

struct vm_region_node* vm_region_list_last(const struct vm_region_list* list) {
  return region_of(wavl_last(&list->tree));
}

struct vm_region_node* vm_region_list_next(const struct vm_region_node* node) {
  return region_of(wavl_next(&node->node));
}

struct vm_region_node* vm_region_list_prev(const struct vm_region_node* node) {
  return region_of(wavl_prev(&node->node));
}

struct vm_region_node* vm_region_list_upper_bound(const struct vm_region_list* list, vaddr_t addr) {
  return region_of(wavl_upper_bound(&list->tree, &addr));
}

// The last child whose base is <= |addr|, or NULL.
static struct vm_region_node* region_at_or_below(const struct vm_region_list* list, vaddr_t addr) {
  struct wavl_node* above = wavl_upper_bound(&list->tree, &addr);
  return region_of(above ? wavl_prev(above) : wavl_last(&list->tree));
}

struct vm_region_node* vm_region_list_find_region(const struct vm_region_list* list, vaddr_t addr) {
  struct vm_region_node* r = region_at_or_below(list, addr);
  return (r && addr <= region_last(r)) ? r : NULL;
}

struct vm_region_node* vm_region_list_include_or_higher(const struct vm_region_list* list,
                                                        vaddr_t base) {
  struct vm_region_node* r = vm_region_list_find_region(list, base);
  return r ? r : vm_region_list_upper_bound(list, base);
}

struct vm_region_node* vm_region_list_left_of(const struct vm_region_list* list,
                                              const struct vm_region_node* node) {
  ZX_DEBUG_ASSERT(wavl_node_in_tree(&node->node));
  return vm_region_list_prev(node);
}

struct vm_region_node* vm_region_list_right_of(const struct vm_region_list* list,
                                               const struct vm_region_node* node) {
  ZX_DEBUG_ASSERT(wavl_node_in_tree(&node->node));
  return vm_region_list_next(node);
}

bool vm_region_list_is_range_available(const struct vm_region_list* list, vaddr_t base,
                                       size_t size) {
  vaddr_t last;
  if (size == 0 || __builtin_add_overflow(base, size - 1, &last)) return false;
  struct wavl_node* succ = wavl_lower_bound(&list->tree, &base);
  if (succ && region_of(succ)->base <= last) return false;
  struct vm_region_node* pred = region_of(succ ? wavl_prev(succ) : wavl_last(&list->tree));
  return !(pred && region_last(pred) >= base);
}

// --- free-spot search ---

#ifdef ZXVM_TESTING
#include <stdatomic.h>

static _Atomic uint64_t spot_visits;

uint64_t vm_region_list_debug_spot_visits(void) { return atomic_load(&spot_visits); }

static void count_spot_visit(void) {
  atomic_fetch_add_explicit(&spot_visits, 1, memory_order_relaxed);
}
#else
static void count_spot_visit(void) {}
#endif

struct spot_search {
  uint64_t target;
  unsigned align_pow2;
  size_t size;
  vaddr_t parent_first;
  vaddr_t bound_last;  // highest last byte a spot may have: min(parent last, upper_limit - 1)
  uint64_t seen;       // candidates in the gaps visited so far (saturating)
  bool done;
  bool found;
  vaddr_t result;
};

// Counts the aligned spots in the free range [gap_first, gap_last] (clamped to the parent and the
// limit) and picks the target if it falls inside. Gaps must be visited in increasing order.
static void spot_visit_gap(struct spot_search* s, vaddr_t gap_first, vaddr_t gap_last) {
  if (s->done) return;
  if (gap_first < s->parent_first) gap_first = s->parent_first;
  if (gap_last > s->bound_last) gap_last = s->bound_last;
  uint64_t a;
  if (!roundup_pow2_u64(gap_first, s->align_pow2, &a) || a > s->bound_last) {
    s->done = true;  // every later gap starts higher still
    return;
  }
  if (a > gap_last || gap_last - a < s->size - 1) return;
  uint64_t extra = (gap_last - a - (s->size - 1)) >> s->align_pow2;  // spots in this gap - 1
  if (s->target - s->seen <= extra) {
    s->result = a + ((s->target - s->seen) << s->align_pow2);
    s->found = s->done = true;
    return;
  }
  uint64_t spots = extra + 1;  // cannot wrap: a gap of 2^64 bytes has no room for target - seen
  s->seen = __builtin_add_overflow(s->seen, spots, &s->seen) ? UINT64_MAX : s->seen;
}

static void spot_visit_between(struct spot_search* s, vaddr_t left_last, vaddr_t right_first) {
  if (gap_between(left_last, right_first) >= s->size) {
    spot_visit_gap(s, left_last + 1, right_first - 1);
  }
}

// Visits, in order, the gaps between adjacent nodes of the subtree at |wn|, entering only subtrees
// whose max gap can hold the size. Recursion depth is the tree height (<= 2 log2 n).
static void spot_walk(struct spot_search* s, const struct wavl_node* wn) {
  const struct vm_region_node* n = region_of(wn);
  if (n == NULL || s->done) return;
  count_spot_visit();
  if (n->subtree_max_gap < s->size) return;
  if (n->subtree_min_first_byte > s->bound_last) {
    s->done = true;  // every gap from here on starts above the bound
    return;
  }
  if (wn->left) {
    spot_walk(s, wn->left);
    spot_visit_between(s, region_of(wn->left)->subtree_max_last_byte, n->base);
  }
  if (wn->right && !s->done) {
    spot_visit_between(s, region_last(n), region_of(wn->right)->subtree_min_first_byte);
    spot_walk(s, wn->right);
  }
}

bool vm_region_list_find_spot_at_index(const struct vm_region_list* list, uint64_t target_index,
                                       unsigned align_pow2, size_t size, vaddr_t parent_base,
                                       size_t parent_size, vaddr_t upper_limit, vaddr_t* out_base,
                                       uint64_t* out_candidates) {
  vaddr_t parent_last;
  if (size == 0 || align_pow2 >= 64 || parent_size == 0 || upper_limit == 0 ||
      __builtin_add_overflow(parent_base, parent_size - 1, &parent_last)) {
    *out_candidates = 0;
    return false;
  }
  struct spot_search s = {
      .target = target_index,
      .align_pow2 = align_pow2,
      .size = size,
      .parent_first = parent_base,
      .bound_last = min_u64(parent_last, upper_limit - 1),
  };
  const struct vm_region_node* root = region_of(list->tree.root);
  if (root == NULL) {
    spot_visit_gap(&s, parent_base, parent_last);
  } else {
    if (root->subtree_min_first_byte > parent_base) {
      spot_visit_gap(&s, parent_base, root->subtree_min_first_byte - 1);
    }
    spot_walk(&s, &root->node);
    if (root->subtree_max_last_byte < parent_last) {
      spot_visit_gap(&s, root->subtree_max_last_byte + 1, parent_last);
    }
  }
  if (s.found) {
    *out_base = s.result;
    *out_candidates = target_index + 1;
    return true;
  }
  *out_candidates = s.seen;
  return false;
}

zx_status_t vm_region_list_get_alloc_spot(const struct vm_region_list* list, unsigned align_pow2,
                                          size_t size, vaddr_t parent_base, size_t parent_size,
                                          vaddr_t upper_limit, unsigned entropy_bits,
                                          struct prng* prng, vaddr_t* out_base) {
  vaddr_t parent_last;
  if (size == 0 || align_pow2 >= 64 || parent_size == 0 ||
      __builtin_add_overflow(parent_base, parent_size - 1, &parent_last)) {
    return ZX_ERR_INVALID_ARGS;
  }
  uint64_t index = 0;
  if (prng) {
    index = entropy_bits >= 64 ? prng_next(prng) : prng_uniform(prng, (uint64_t)1 << entropy_bits);
  }
  vaddr_t spot;
  uint64_t candidates;
  if (!vm_region_list_find_spot_at_index(list, index, align_pow2, size, parent_base, parent_size,
                                         upper_limit, &spot, &candidates)) {
    if (candidates == 0) return ZX_ERR_NO_RESOURCES;
    // Fewer spots than the random index: choose uniformly among those that exist.
    index = prng ? prng_uniform(prng, candidates) : 0;
    bool found = vm_region_list_find_spot_at_index(list, index, align_pow2, size, parent_base,
                                                   parent_size, upper_limit, &spot, &candidates);
    ZX_ASSERT_MSG(found, "index %lu of %lu candidates vanished", (unsigned long)index,
                  (unsigned long)candidates);
  }
  *out_base = spot;
  return ZX_OK;
}

// --- checker ---

struct summary {
  vaddr_t min_first;
  vaddr_t max_last;
  size_t max_gap;
};

// Recomputes the summary of the subtree at |wn| from scratch and compares it with every stored
// one below. Returns the first violation or NULL.
static const char* check_subtree(const struct wavl_node* wn, struct summary* out) {
  const struct vm_region_node* n = region_of(wn);
  struct summary l, r;
  const char* msg;
  *out = (struct summary){n->base, region_last(n), 0};
  if (wn->left) {
    if ((msg = check_subtree(wn->left, &l)) != NULL) return msg;
    out->min_first = l.min_first;
    out->max_gap = max_u64(l.max_gap, gap_between(l.max_last, n->base));
  }
  if (wn->right) {
    if ((msg = check_subtree(wn->right, &r)) != NULL) return msg;
    out->max_last = r.max_last;
    out->max_gap =
        max_u64(out->max_gap, max_u64(r.max_gap, gap_between(region_last(n), r.min_first)));
  }
  if (n->subtree_min_first_byte != out->min_first) return "stale subtree_min_first_byte";
  if (n->subtree_max_last_byte != out->max_last) return "stale subtree_max_last_byte";
  if (n->subtree_max_gap != out->max_gap) return "stale subtree_max_gap";
  return NULL;
}

const char* vm_region_list_check_msg(const struct vm_region_list* list) {
  const struct vm_region_node* prev = NULL;
  for (const struct vm_region_node* r = vm_region_list_first(list); r; r = vm_region_list_next(r)) {
    vaddr_t last;
    if (r->size == 0 || __builtin_add_overflow(r->base, r->size - 1, &last)) {
      return "child is empty or wraps";
    }
    if (prev && region_last(prev) >= r->base) return "children overlap";
    prev = r;
  }
  // Our own recomputation first: wavl_check would panic on a stale summary before we could name it.
  struct summary s;
  const char* msg = list->tree.root ? check_subtree(list->tree.root, &s) : NULL;
  if (msg != NULL) return msg;
  wavl_check(&list->tree);
  return NULL;
}

void vm_region_list_check(const struct vm_region_list* list) {
  const char* msg = vm_region_list_check_msg(list);
  if (msg != NULL) {
    ZX_PANIC("region list %p (%zu children): %s", (const void*)list, vm_region_list_count(list),
             msg);
  }
}
