// Unit tests for struct vm_region_list (src/vm/vm_region_list.h): the lookup helpers (including
// ranges at the top of the 64-bit address space), first-fit and randomized spot allocation
// (Zircon aspace tests 41-46, rewritten), the checker, and a randomized comparison of the
// augmented free-spot search against a brute-force enumeration.
#include <string.h>

#include "test_util.h"
// zxvm headers after cmocka.
#include "base/prng.h"
#include "vm/vm_region_list.h"

#define PG PAGE_SIZE
#define TOP ((vaddr_t)0)  // 2^64, as an exclusive end, modulo 2^64

static struct vm_region_node* add(struct vm_region_list* list, struct vm_region_node* node,
                                  vaddr_t base, size_t size) {
  assert_true(vm_region_list_is_range_available(list, base, size));
  vm_region_node_init(node, base, size);
  vm_region_list_insert(list, node);
  assert_null(vm_region_list_check_msg(list));
  return node;
}

static void del(struct vm_region_list* list, struct vm_region_node* node) {
  vm_region_list_remove(list, node);
  assert_null(vm_region_list_check_msg(list));
}

static vaddr_t alloc_first_fit(const struct vm_region_list* list, unsigned align, size_t size,
                               vaddr_t pbase, size_t psize, vaddr_t limit) {
  vaddr_t spot = 0xdead;
  assert_ok(vm_region_list_get_alloc_spot(list, align, size, pbase, psize, limit, 0, NULL, &spot));
  return spot;
}

// Zircon 41: first fit with no entropy, reuse of a freed gap, allocation of the whole tail.
static void region_list_get_alloc_spot_first_fit(void** state) {
  struct vm_region_list list;
  vm_region_list_init(&list);
  const vaddr_t pbase = 0x10000000;
  const size_t psize = 64 * PG;
  struct vm_region_node nodes[8];
  for (int i = 0; i < 8; i++) {
    vaddr_t spot = alloc_first_fit(&list, 12, 4 * PG, pbase, psize, UINTPTR_MAX);
    assert_int_equal(pbase + (uint64_t)i * 4 * PG, spot);
    add(&list, &nodes[i], spot, 4 * PG);
  }
  assert_int_equal(8, vm_region_list_count(&list));
  // Free a middle child: the next fitting allocation reuses exactly its hole.
  del(&list, &nodes[3]);
  assert_int_equal(pbase + 12 * PG, alloc_first_fit(&list, 12, 4 * PG, pbase, psize, UINTPTR_MAX));
  // A larger one does not fit there and goes to the tail.
  assert_int_equal(pbase + 32 * PG, alloc_first_fit(&list, 12, 5 * PG, pbase, psize, UINTPTR_MAX));
  // Smaller ones fill the hole first.
  assert_int_equal(pbase + 12 * PG, alloc_first_fit(&list, 12, PG, pbase, psize, UINTPTR_MAX));
  add(&list, &nodes[3], pbase + 12 * PG, 4 * PG);
  // The whole remaining tail, exactly.
  vaddr_t spot = alloc_first_fit(&list, 12, 32 * PG, pbase, psize, UINTPTR_MAX);
  assert_int_equal(pbase + 32 * PG, spot);
  struct vm_region_node tail;
  add(&list, &tail, spot, 32 * PG);
  assert_status(ZX_ERR_NO_RESOURCES, vm_region_list_get_alloc_spot(&list, 12, PG, pbase, psize,
                                                                   UINTPTR_MAX, 0, NULL, &spot));
  // The gap before the first child counts too.
  del(&list, &nodes[0]);
  assert_int_equal(pbase, alloc_first_fit(&list, 12, 2 * PG, pbase, psize, UINTPTR_MAX));
}

// Zircon 42: a gap smaller than the request is not used.
static void region_list_get_alloc_spot_no_memory(void** state) {
  struct vm_region_list list;
  vm_region_list_init(&list);
  const vaddr_t pbase = 0x10000000;
  const size_t psize = 16 * PG;
  struct vm_region_node nodes[8];
  for (int i = 0; i < 8; i++) add(&list, &nodes[i], pbase + (uint64_t)i * 2 * PG + PG, PG);
  // One-page gaps everywhere (before each child); none of two pages.
  vaddr_t spot = 0;
  assert_status(ZX_ERR_NO_RESOURCES, vm_region_list_get_alloc_spot(&list, 12, 2 * PG, pbase, psize,
                                                                   UINTPTR_MAX, 0, NULL, &spot));
  assert_int_equal(0, spot);  // untouched on failure
  assert_int_equal(pbase, alloc_first_fit(&list, 12, PG, pbase, psize, UINTPTR_MAX));
  uint64_t candidates = 0;
  assert_false(vm_region_list_find_spot_at_index(&list, 8, 12, PG, pbase, psize, UINTPTR_MAX, &spot,
                                                 &candidates));
  assert_int_equal(8, candidates);
  // Byte granularity: a one-byte gap at the end of the parent is a spot for one byte.
  struct vm_region_list bytes;
  vm_region_list_init(&bytes);
  struct vm_region_node almost;
  add(&bytes, &almost, 0x1000, 0xfff);
  assert_int_equal(0x1fff, alloc_first_fit(&bytes, 0, 1, 0x1000, 0x1000, UINTPTR_MAX));
  assert_status(ZX_ERR_NO_RESOURCES, vm_region_list_get_alloc_spot(&bytes, 0, 2, 0x1000, 0x1000,
                                                                   UINTPTR_MAX, 0, NULL, &spot));
  // Invalid arguments.
  assert_status(ZX_ERR_INVALID_ARGS, vm_region_list_get_alloc_spot(&list, 12, 0, pbase, psize,
                                                                   UINTPTR_MAX, 0, NULL, &spot));
  assert_status(ZX_ERR_INVALID_ARGS, vm_region_list_get_alloc_spot(&list, 64, PG, pbase, psize,
                                                                   UINTPTR_MAX, 0, NULL, &spot));
  assert_status(ZX_ERR_INVALID_ARGS, vm_region_list_get_alloc_spot(&list, 12, PG, pbase, 0,
                                                                   UINTPTR_MAX, 0, NULL, &spot));
  assert_status(ZX_ERR_INVALID_ARGS, vm_region_list_get_alloc_spot(&list, 12, PG, UINT64_MAX, 2,
                                                                   UINTPTR_MAX, 0, NULL, &spot));
}

// Alignments 2^10 .. 2^32 from an unaligned parent base, with a child in the way.
static void region_list_get_alloc_spot_alignment(void** state) {
  const vaddr_t pbase = 0x123456789000;
  const size_t psize = (size_t)1 << 40;
  for (unsigned align = 10; align <= 32; align++) {
    struct vm_region_list list;
    vm_region_list_init(&list);
    const uint64_t a = (uint64_t)1 << align;
    vaddr_t first_aligned = (pbase + a - 1) & ~(a - 1);
    // A child covering the first aligned start pushes the spot to the next one.
    struct vm_region_node child;
    add(&list, &child, first_aligned, PG);
    vaddr_t spot = alloc_first_fit(&list, align, PG, pbase, psize, UINTPTR_MAX);
    assert_int_equal(0, spot % a);
    assert_int_equal(first_aligned + (a > PG ? a : PG), spot);  // the next aligned start past it
    // Empty list: the first aligned address.
    del(&list, &child);
    assert_int_equal(first_aligned, alloc_first_fit(&list, align, PG, pbase, psize, UINTPTR_MAX));
  }
}

static void region_list_get_alloc_spot_upper_limit(void** state) {
  struct vm_region_list list;
  vm_region_list_init(&list);
  const vaddr_t pbase = 0x10000000;
  const size_t psize = 64 * PG;
  struct vm_region_node a, b;
  add(&list, &a, pbase + 4 * PG, 4 * PG);  // gaps: [0,4) [8,16) [24,64)
  add(&list, &b, pbase + 16 * PG, 8 * PG);
  // A spot may end exactly at the limit.
  assert_int_equal(pbase, alloc_first_fit(&list, 12, 4 * PG, pbase, psize, pbase + 4 * PG));
  vaddr_t spot;
  assert_status(ZX_ERR_NO_RESOURCES,
                vm_region_list_get_alloc_spot(&list, 12, 4 * PG, pbase, psize, pbase + 4 * PG - 1,
                                              0, NULL, &spot));
  // Gaps are clamped by the limit: 8 pages at [8,16) but limit at 14 -> 6 pages fit, 7 do not.
  assert_int_equal(pbase + 8 * PG,
                   alloc_first_fit(&list, 12, 6 * PG, pbase, psize, pbase + 14 * PG));
  assert_status(ZX_ERR_NO_RESOURCES,
                vm_region_list_get_alloc_spot(&list, 12, 7 * PG, pbase, psize, pbase + 14 * PG, 0,
                                              NULL, &spot));
  // Candidate counts honour the limit: with 1-page spots and limit 30, [0,4)+[8,16)+[24,30) = 18.
  uint64_t n;
  assert_false(vm_region_list_find_spot_at_index(&list, 1000, 12, PG, pbase, psize, pbase + 30 * PG,
                                                 &spot, &n));
  assert_int_equal(18, n);
  assert_true(vm_region_list_find_spot_at_index(&list, 17, 12, PG, pbase, psize, pbase + 30 * PG,
                                                &spot, &n));
  assert_int_equal(pbase + 29 * PG, spot);
  // A limit below the parent allows nothing.
  assert_status(ZX_ERR_NO_RESOURCES,
                vm_region_list_get_alloc_spot(&list, 12, PG, pbase, psize, pbase, 0, NULL, &spot));
}

// Three children, one of them at the very top of the address space.
struct three {
  struct vm_region_list list;
  struct vm_region_node a, b, top;
};

static void make_three(struct three* t) {
  vm_region_list_init(&t->list);
  add(&t->list, &t->a, 0x1000, 0x1000);          // [0x1000, 0x2000)
  add(&t->list, &t->b, 0x3000, 0x2000);          // [0x3000, 0x5000)
  add(&t->list, &t->top, TOP - 0x1000, 0x1000);  // [2^64 - 0x1000, 2^64)
}

static void region_list_find_region(void** state) {
  struct three t;
  make_three(&t);
  assert_null(vm_region_list_find_region(&t.list, 0));
  assert_null(vm_region_list_find_region(&t.list, 0xfff));
  assert_ptr_equal(&t.a, vm_region_list_find_region(&t.list, 0x1000));
  assert_ptr_equal(&t.a, vm_region_list_find_region(&t.list, 0x1fff));
  assert_null(vm_region_list_find_region(&t.list, 0x2000));
  assert_ptr_equal(&t.b, vm_region_list_find_region(&t.list, 0x3000));
  assert_ptr_equal(&t.b, vm_region_list_find_region(&t.list, 0x4fff));
  assert_null(vm_region_list_find_region(&t.list, 0x5000));
  assert_null(vm_region_list_find_region(&t.list, TOP - 0x1001));
  assert_ptr_equal(&t.top, vm_region_list_find_region(&t.list, TOP - 0x1000));
  assert_ptr_equal(&t.top, vm_region_list_find_region(&t.list, UINT64_MAX));
  struct vm_region_list empty;
  vm_region_list_init(&empty);
  assert_null(vm_region_list_find_region(&empty, 0x1000));
}

static void region_list_include_or_higher(void** state) {
  struct three t;
  make_three(&t);
  assert_ptr_equal(&t.a, vm_region_list_include_or_higher(&t.list, 0));
  assert_ptr_equal(&t.a, vm_region_list_include_or_higher(&t.list, 0x1000));
  assert_ptr_equal(&t.a, vm_region_list_include_or_higher(&t.list, 0x1800));
  assert_ptr_equal(&t.b, vm_region_list_include_or_higher(&t.list, 0x2000));
  assert_ptr_equal(&t.b, vm_region_list_include_or_higher(&t.list, 0x4fff));
  assert_ptr_equal(&t.top, vm_region_list_include_or_higher(&t.list, 0x5000));
  assert_ptr_equal(&t.top, vm_region_list_include_or_higher(&t.list, UINT64_MAX));
  vm_region_list_remove(&t.list, &t.top);
  assert_null(vm_region_list_include_or_higher(&t.list, 0x5000));
}

static void region_list_upper_bound(void** state) {
  struct three t;
  make_three(&t);
  assert_ptr_equal(&t.a, vm_region_list_upper_bound(&t.list, 0));
  assert_ptr_equal(&t.a, vm_region_list_upper_bound(&t.list, 0xfff));
  assert_ptr_equal(&t.b, vm_region_list_upper_bound(&t.list, 0x1000));  // strictly above
  assert_ptr_equal(&t.b, vm_region_list_upper_bound(&t.list, 0x2fff));
  assert_ptr_equal(&t.top, vm_region_list_upper_bound(&t.list, 0x3000));
  assert_null(vm_region_list_upper_bound(&t.list, TOP - 0x1000));
  assert_null(vm_region_list_upper_bound(&t.list, UINT64_MAX));
}

static void region_list_is_range_available(void** state) {
  struct three t;
  make_three(&t);
  struct vm_region_list* l = &t.list;
  assert_true(vm_region_list_is_range_available(l, 0, 0x1000));
  assert_false(vm_region_list_is_range_available(l, 0, 0x1001));
  assert_true(vm_region_list_is_range_available(l, 0x2000, 0x1000));  // exactly the hole
  assert_false(vm_region_list_is_range_available(l, 0x1fff, 0x1000));
  assert_false(vm_region_list_is_range_available(l, 0x2000, 0x1001));
  assert_false(vm_region_list_is_range_available(l, 0x2000, 0x10000));  // spans b
  assert_false(vm_region_list_is_range_available(l, 0x1800, 0x10));     // inside a
  assert_false(vm_region_list_is_range_available(l, 0x2000, 0));
  assert_true(vm_region_list_is_range_available(l, 0x5000, TOP - 0x1000 - 0x5000));
  assert_false(vm_region_list_is_range_available(l, 0x5000, TOP - 0x1000 - 0x5000 + 1));
  // Overflow: a range wrapping past 2^64 is never available.
  assert_false(vm_region_list_is_range_available(l, UINT64_MAX - 0xfff, 0x2000));
  assert_false(vm_region_list_is_range_available(l, 0x6000, UINT64_MAX));
  // The top of the address space is a legal place once free.
  assert_false(vm_region_list_is_range_available(l, TOP - 0x1000, 0x1000));
  assert_false(vm_region_list_is_range_available(l, UINT64_MAX, 1));
  vm_region_list_remove(l, &t.top);
  assert_true(vm_region_list_is_range_available(l, TOP - 0x1000, 0x1000));
  assert_true(vm_region_list_is_range_available(l, UINT64_MAX, 1));
  assert_false(vm_region_list_is_range_available(l, UINT64_MAX, 2));
  // Find a spot at the top: a parent ending at 2^64 with no limit except the last byte.
  vaddr_t spot;
  uint64_t n;
  assert_true(vm_region_list_find_spot_at_index(l, 0, 12, 0x1000, TOP - 0x4000, 0x4000, UINTPTR_MAX,
                                                &spot, &n));
  assert_int_equal(TOP - 0x4000, spot);
  // Spots are [2^64-0x4000, -0x3000, -0x2000]; the one ending at 2^64 exceeds UINTPTR_MAX.
  assert_false(vm_region_list_find_spot_at_index(l, 100, 12, 0x1000, TOP - 0x4000, 0x4000,
                                                 UINTPTR_MAX, &spot, &n));
  assert_int_equal(3, n);
}

static void region_list_iteration_and_neighbours(void** state) {
  struct three t;
  make_three(&t);
  assert_int_equal(3, vm_region_list_count(&t.list));
  assert_ptr_equal(&t.a, vm_region_list_first(&t.list));
  assert_ptr_equal(&t.top, vm_region_list_last(&t.list));
  assert_ptr_equal(&t.b, vm_region_list_next(&t.a));
  assert_ptr_equal(&t.a, vm_region_list_prev(&t.b));
  assert_null(vm_region_list_next(&t.top));
  assert_null(vm_region_list_left_of(&t.list, &t.a));
  assert_ptr_equal(&t.top, vm_region_list_right_of(&t.list, &t.b));
  assert_ptr_equal(&t.b, vm_region_list_left_of(&t.list, &t.top));
  assert_null(vm_region_list_right_of(&t.list, &t.top));
  // Augmentation at the root covers everything, max gap is the hole below the top child.
  const struct vm_region_node* root = wavl_entry(t.list.tree.root, struct vm_region_node, node);
  assert_int_equal(0x1000, root->subtree_min_first_byte);
  assert_int_equal(UINT64_MAX, root->subtree_max_last_byte);
  assert_int_equal(TOP - 0x1000 - 0x5000, root->subtree_max_gap);
}

static void region_list_check_detects_corruption(void** state) {
  struct three t;
  make_three(&t);
  assert_null(vm_region_list_check_msg(&t.list));
  struct vm_region_node* root = wavl_entry(t.list.tree.root, struct vm_region_node, node);
  size_t saved = root->subtree_max_gap;
  root->subtree_max_gap = saved + 1;
  assert_non_null(vm_region_list_check_msg(&t.list));
  root->subtree_max_gap = saved;
  vaddr_t saved_min = root->subtree_min_first_byte;
  root->subtree_min_first_byte = saved_min + 1;
  assert_non_null(vm_region_list_check_msg(&t.list));
  root->subtree_min_first_byte = saved_min;
  assert_null(vm_region_list_check_msg(&t.list));
  // Overlap: grow a child into its neighbour behind the list's back.
  t.a.size = 0x2001;
  assert_non_null(vm_region_list_check_msg(&t.list));
  t.a.size = 0x1000;
  assert_null(vm_region_list_check_msg(&t.list));
}

// --- randomized: augmented search vs brute force ---

#define R_PAGES 1024  // parent size in pages
#define R_MAX_CHILDREN 96

struct rand_list {
  struct vm_region_list list;
  struct vm_region_node nodes[R_MAX_CHILDREN];
  bool used[R_MAX_CHILDREN];
  bool occupied[R_PAGES];
  uint32_t prefix[R_PAGES + 1];  // occupied pages before each page
  vaddr_t pbase;
};

static void rand_recount(struct rand_list* r) {
  r->prefix[0] = 0;
  for (int p = 0; p < R_PAGES; p++) r->prefix[p + 1] = r->prefix[p] + r->occupied[p];
}

// Inserts a random range if it is free (and checks the list agrees when it is not).
static void rand_insert(struct rand_list* r, struct prng* prng) {
  int slot = -1;
  for (int i = 0; i < R_MAX_CHILDREN; i++) {
    if (!r->used[i]) slot = i;
  }
  if (slot < 0) return;
  uint64_t page = prng_uniform(prng, R_PAGES), pages = 1 + prng_uniform(prng, 24);
  if (page + pages > R_PAGES) pages = R_PAGES - page;
  if (r->prefix[page + pages] != r->prefix[page]) {
    assert_false(vm_region_list_is_range_available(&r->list, r->pbase + page * PG, pages * PG));
    return;
  }
  add(&r->list, &r->nodes[slot], r->pbase + page * PG, pages * PG);
  r->used[slot] = true;
  for (uint64_t p = page; p < page + pages; p++) r->occupied[p] = true;
  rand_recount(r);
}

static void rand_remove(struct rand_list* r, struct prng* prng) {
  int slot = (int)prng_uniform(prng, R_MAX_CHILDREN);
  if (!r->used[slot]) return;
  del(&r->list, &r->nodes[slot]);
  r->used[slot] = false;
  uint64_t page = (r->nodes[slot].base - r->pbase) / PG;
  for (uint64_t p = page; p < page + r->nodes[slot].size / PG; p++) r->occupied[p] = false;
  rand_recount(r);
}

// Brute force: the |index|-th aligned spot of |pages| free pages ending at or below |limit|.
static uint64_t brute_spots(const struct rand_list* r, unsigned align, uint64_t pages,
                            vaddr_t limit, uint64_t index, vaddr_t* out) {
  uint64_t a = (uint64_t)1 << align, count = 0;
  vaddr_t s = (r->pbase + a - 1) & ~(a - 1);
  for (; s - r->pbase + pages * PG <= R_PAGES * PG; s += a) {
    uint64_t page = (s - r->pbase) / PG;
    if (s + (pages * PG - 1) > limit - 1) break;
    if (r->prefix[page + pages] != r->prefix[page]) continue;
    if (count == index) *out = s;
    count++;
  }
  return count;
}

static void rand_query(struct rand_list* r, struct prng* prng) {
  unsigned align = 12 + (unsigned)prng_uniform(prng, 5);
  uint64_t pages = 1 + prng_uniform(prng, 32);
  vaddr_t limit =
      prng_uniform(prng, 3) == 0 ? UINTPTR_MAX : r->pbase + prng_uniform(prng, R_PAGES + 1) * PG;
  if (limit == 0) limit = UINTPTR_MAX;  // parent at the top, random limit of 2^64
  vaddr_t none = 0;
  uint64_t total = brute_spots(r, align, pages, limit, UINT64_MAX, &none);
  uint64_t index = prng_uniform(prng, total + 2), n = 0;
  vaddr_t expect = 0, got = 0;
  brute_spots(r, align, pages, limit, index, &expect);
  bool found = vm_region_list_find_spot_at_index(&r->list, index, align, pages * PG, r->pbase,
                                                 R_PAGES * PG, limit, &got, &n);
  assert_int_equal(index < total, found);
  if (found) {
    assert_int_equal(expect, got);
  } else {
    assert_int_equal(total, n);
  }
}

static void region_list_randomized_spot_search_vs_brute_force(void** state) {
  struct prng prng;
  prng_seed(&prng, test_seed("region_list_randomized_spot_search_vs_brute_force"));
  static struct rand_list r;
  // One parent low in the address space, one ending exactly at 2^64.
  const vaddr_t parents[] = {0x7f0000000000 + 0x5000, TOP - (vaddr_t)R_PAGES * PG};
  for (size_t pi = 0; pi < countof(parents); pi++) {
    memset(&r, 0, sizeof(r));
    vm_region_list_init(&r.list);
    r.pbase = parents[pi];
    rand_recount(&r);
    for (int step = 0; step < 6000; step++) {
      uint64_t op = prng_uniform(&prng, 10);
      if (op < 3) {
        rand_insert(&r, &prng);
      } else if (op < 5) {
        rand_remove(&r, &prng);
      } else {
        rand_query(&r, &prng);
      }
    }
  }
}

// With entropy, the chosen spot is uniform over all candidates when 2^entropy covers them, and
// over the first 2^entropy candidates otherwise. Fixed seed: deterministic.
static void region_list_get_alloc_spot_random_is_uniform(void** state) {
  struct vm_region_list list;
  vm_region_list_init(&list);
  const vaddr_t pbase = 0x20000000;
  struct vm_region_node nodes[4];
  // 32 pages, children at 2-3, 9-14, 20, 27-31: free [0,2)[4,9)[15,20)[21,27) = 2+5+5+6 = 18 pages
  add(&list, &nodes[0], pbase + 2 * PG, 2 * PG);
  add(&list, &nodes[1], pbase + 9 * PG, 6 * PG);
  add(&list, &nodes[2], pbase + 20 * PG, PG);
  add(&list, &nodes[3], pbase + 27 * PG, 5 * PG);
  const size_t psize = 32 * PG;
  struct prng prng;
  prng_seed(&prng, 12345);
  enum { K = 18, N = 18000 };
  uint64_t hist[32] = {0};
  for (int i = 0; i < N; i++) {
    vaddr_t spot;
    assert_ok(
        vm_region_list_get_alloc_spot(&list, 12, PG, pbase, psize, UINTPTR_MAX, 8, &prng, &spot));
    assert_true(vm_region_list_is_range_available(&list, spot, PG));
    hist[(spot - pbase) / PG]++;
  }
  double chi2 = 0, e = (double)N / K;
  int seen = 0;
  for (int p = 0; p < 32; p++) {
    if (!vm_region_list_is_range_available(&list, pbase + p * PG, PG)) {
      assert_int_equal(0, hist[p]);
      continue;
    }
    seen++;
    chi2 += ((double)hist[p] - e) * ((double)hist[p] - e) / e;
  }
  assert_int_equal(K, seen);
  // 17 degrees of freedom: mean 17, p(chi2 > 60) is about 1e-6.
  assert_true(chi2 < 60.0);
  // Entropy 2 bits: only the first four candidates (pages 0, 1, 4, 5), each about a quarter.
  memset(hist, 0, sizeof(hist));
  for (int i = 0; i < 4000; i++) {
    vaddr_t spot;
    assert_ok(
        vm_region_list_get_alloc_spot(&list, 12, PG, pbase, psize, UINTPTR_MAX, 2, &prng, &spot));
    hist[(spot - pbase) / PG]++;
  }
  const int firsts[] = {0, 1, 4, 5};
  uint64_t total = 0;
  for (size_t i = 0; i < countof(firsts); i++) {
    assert_in_range(hist[firsts[i]], 850, 1150);
    total += hist[firsts[i]];
  }
  assert_int_equal(4000, total);
  // No prng: always the first fit regardless of entropy bits.
  vaddr_t spot;
  assert_ok(
      vm_region_list_get_alloc_spot(&list, 12, 5 * PG, pbase, psize, UINTPTR_MAX, 8, NULL, &spot));
  assert_int_equal(pbase + 4 * PG, spot);
  // Entropy of 64 bits is accepted.
  assert_ok(vm_region_list_get_alloc_spot(&list, 12, 6 * PG, pbase, psize, UINTPTR_MAX, 64, &prng,
                                          &spot));
  assert_int_equal(pbase + 21 * PG, spot);
}

// A large, densely packed list: a search enters O(log n) nodes, never every child (counted by the
// testing build's visit counter).
static void region_list_spot_search_scales(void** state) {
  enum { COUNT = 1 << 16 };
  static struct vm_region_node nodes[COUNT];
  struct vm_region_list list;
  vm_region_list_init(&list);
  const vaddr_t pbase = 0x100000000;
  for (uint64_t i = 0; i < COUNT; i++) {
    vm_region_node_init(&nodes[i], pbase + i * 2 * PG, i == COUNT / 2 ? PG : 2 * PG);
    wavl_insert(&list.tree, &nodes[i].node);  // skip per-insert validation for speed
  }
  assert_null(vm_region_list_check_msg(&list));
  // The only free page inside the children is right after the middle one; then the tail.
  const vaddr_t expect = pbase + (COUNT / 2) * 2 * PG + PG;
  const size_t psize = (size_t)COUNT * 4 * PG;
  enum { SEARCHES = 1000 };
  uint64_t visits0 = vm_region_list_debug_spot_visits();
  for (int i = 0; i < SEARCHES; i++) {
    vaddr_t spot;
    assert_ok(
        vm_region_list_get_alloc_spot(&list, 12, PG, pbase, psize, UINTPTR_MAX, 0, NULL, &spot));
    assert_int_equal(expect, spot);
  }
  // Tree height is at most 2 log2(n) = 32; the search enters one path down and the pruned
  // siblings beside it. A linear walk would enter ~32K nodes per search.
  uint64_t per_search = (vm_region_list_debug_spot_visits() - visits0) / SEARCHES;
  print_message("spot search over %d children entered %" PRIu64 " nodes\n", COUNT, per_search);
  assert_true(per_search <= 2 * 32 + 2);
  // Same for a search that has to count every candidate (index beyond the end): the tail gap
  // holds COUNT * 2 pages, the middle one 1.
  visits0 = vm_region_list_debug_spot_visits();
  vaddr_t spot;
  uint64_t n;
  assert_false(vm_region_list_find_spot_at_index(&list, UINT64_MAX, 12, PG, pbase, psize,
                                                 UINTPTR_MAX, &spot, &n));
  assert_int_equal(1 + (uint64_t)COUNT * 2, n);
  assert_true(vm_region_list_debug_spot_visits() - visits0 <= 2 * 32 + 2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(region_list_get_alloc_spot_first_fit),
      cmocka_unit_test(region_list_get_alloc_spot_no_memory),
      cmocka_unit_test(region_list_get_alloc_spot_alignment),
      cmocka_unit_test(region_list_get_alloc_spot_upper_limit),
      cmocka_unit_test(region_list_find_region),
      cmocka_unit_test(region_list_include_or_higher),
      cmocka_unit_test(region_list_upper_bound),
      cmocka_unit_test(region_list_is_range_available),
      cmocka_unit_test(region_list_iteration_and_neighbours),
      cmocka_unit_test(region_list_check_detects_corruption),
      cmocka_unit_test(region_list_randomized_spot_search_vs_brute_force),
      cmocka_unit_test(region_list_get_alloc_spot_random_is_uniform),
      cmocka_unit_test(region_list_spot_search_scales),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
