// Unit tests for the intrusive augmented WAVL tree (src/base/wavl.c): table tests of every
// lookup and iteration at every position, balance bounds, a randomized test against a
// sorted-array model, the two augmentations zxvm uses (a VMAR's gap tree and a VMO's mapping
// tree, each checked against brute force) and death tests showing wavl_check catches corruption.
#include "test_util.h"
// System headers for the death tests (fork a child, expect it to abort).
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
// zxvm headers after cmocka.
#include "base/assert.h"
#include "base/prng.h"
#include "base/wavl.h"

// ---- plain elements: a uint64_t key ----

struct elem {
  uint64_t key;
  struct wavl_node node;
};

static uint64_t elem_key(const struct wavl_node* n) {
  return wavl_entry(n, const struct elem, node)->key;
}

static int elem_compare(const struct wavl_node* a, const struct wavl_node* b) {
  uint64_t ka = elem_key(a), kb = elem_key(b);
  return (ka > kb) - (ka < kb);
}

static int elem_compare_key(const void* key, const struct wavl_node* n) {
  uint64_t k = *(const uint64_t*)key, kn = elem_key(n);
  return (k > kn) - (k < kn);
}

static const struct wavl_ops elem_ops = {
    .compare = elem_compare, .compare_key = elem_compare_key, .augment = NULL};

static struct elem* elems_alloc(size_t n) {
  struct elem* e = calloc(n ? n : 1, sizeof(*e));
  assert_non_null(e);
  for (size_t i = 0; i < n; i++) {
    e[i].key = i;
    wavl_node_init(&e[i].node);
  }
  return e;
}

// Height in edges of the deepest node; -1 for an empty tree.
static int tree_height(const struct wavl_tree* t) {
  int height = -1;
  for (struct wavl_node* n = wavl_first(t); n != NULL; n = wavl_next(n)) {
    if (n->left != NULL || n->right != NULL) continue;  // the deepest node is a leaf
    int d = 0;
    for (const struct wavl_node* a = n; a->parent != NULL; a = a->parent) d++;
    if (d > height) height = d;
  }
  return height;
}

// WAVL bound: height <= 2 log2(n + 1), i.e. 2^height <= (n + 1)^2.
static void assert_height_bound(const struct wavl_tree* t) {
  int h = tree_height(t);
  uint64_t n1 = wavl_count(t) + 1;
  if (h < 0) return;
  assert_true(h < 64);
  if ((1ull << h) > n1 * n1) {
    fail_msg("height %d exceeds 2 log2(%llu)", h, (unsigned long long)n1);
  }
}

// A WAVL tree built by insertions only is an AVL tree, so its height is at most the AVL bound:
// an AVL tree of height h holds at least N(h) = N(h-1) + N(h-2) + 1 nodes.
static void assert_avl_height(const struct wavl_tree* t) {
  int h = tree_height(t);
  uint64_t min_nodes[64] = {1, 2};
  for (int i = 2; i < 64; i++) min_nodes[i] = min_nodes[i - 1] + min_nodes[i - 2] + 1;
  if (h < 0) return;
  assert_true(h < 64);
  if (wavl_count(t) < min_nodes[h]) {
    fail_msg("insert-only height %d needs >= %llu nodes, have %zu", h,
             (unsigned long long)min_nodes[h], wavl_count(t));
  }
}

// The tree's keys, forwards and backwards, equal |keys[0..n)|.
static void assert_keys(const struct wavl_tree* t, const uint64_t* keys, size_t n) {
  assert_int_equal(n, wavl_count(t));
  size_t i = 0;
  for (struct wavl_node* x = wavl_first(t); x != NULL; x = wavl_next(x)) {
    assert_true(i < n);
    assert_int_equal(keys[i], elem_key(x));
    i++;
  }
  assert_int_equal(n, i);
  for (struct wavl_node* x = wavl_last(t); x != NULL; x = wavl_prev(x)) {
    assert_true(i > 0);
    i--;
    assert_int_equal(keys[i], elem_key(x));
  }
  assert_int_equal(0, i);
}

// Inserts |node|, checking the rotation bound (at most two per insert).
static void insert_counted(struct wavl_tree* t, struct wavl_node* node) {
  uint64_t before = wavl_debug_rotation_count();
  wavl_insert(t, node);
  assert_true(wavl_debug_rotation_count() - before <= 2);
}

// Erases |node|, checking the rotation bound (at most two per erase).
static void erase_counted(struct wavl_tree* t, struct wavl_node* node) {
  uint64_t before = wavl_debug_rotation_count();
  wavl_erase(t, node);
  assert_true(wavl_debug_rotation_count() - before <= 2);
}

// ---- table tests ----

static void wavl_empty_tree_lookups_return_null(void** state) {
  struct wavl_tree t;
  wavl_init(&t, &elem_ops);
  wavl_check(&t);
  assert_true(wavl_is_empty(&t));
  assert_int_equal(0, wavl_count(&t));
  uint64_t k = 5;
  assert_null(wavl_first(&t));
  assert_null(wavl_last(&t));
  assert_null(wavl_find(&t, &k));
  assert_null(wavl_lower_bound(&t, &k));
  assert_null(wavl_upper_bound(&t, &k));
  assert_int_equal(-1, tree_height(&t));
}

static void wavl_node_init_marks_unlinked(void** state) {
  struct elem zeroed;
  memset(&zeroed, 0, sizeof(zeroed));
  assert_false(wavl_node_in_tree(&zeroed.node));  // an all-zero node is a valid unlinked node

  struct elem e = {.key = 1};
  memset(&e.node, 0xa5, sizeof(e.node));
  wavl_node_init(&e.node);
  assert_false(wavl_node_in_tree(&e.node));

  struct wavl_tree t;
  wavl_init(&t, &elem_ops);
  wavl_insert(&t, &e.node);
  assert_true(wavl_node_in_tree(&e.node));
  wavl_erase(&t, &e.node);
  assert_false(wavl_node_in_tree(&e.node));
  // A node erased from the middle of a tree is unlinked too, and may be reinserted.
  struct elem* es = elems_alloc(7);
  for (int i = 0; i < 7; i++) wavl_insert(&t, &es[i].node);
  wavl_erase(&t, &es[3].node);  // an inner node with two children
  assert_false(wavl_node_in_tree(&es[3].node));
  for (int i = 0; i < 7; i++) assert_int_equal(i != 3, wavl_node_in_tree(&es[i].node));
  wavl_insert(&t, &es[3].node);
  assert_true(wavl_node_in_tree(&es[3].node));
  wavl_check(&t);
  free(es);
}

static void wavl_single_node_lookups_find_it(void** state) {
  struct wavl_tree t;
  wavl_init(&t, &elem_ops);
  struct elem e = {.key = 10};
  wavl_node_init(&e.node);
  wavl_insert(&t, &e.node);
  wavl_check(&t);
  assert_int_equal(1, wavl_count(&t));
  assert_false(wavl_is_empty(&t));
  assert_ptr_equal(&e.node, wavl_first(&t));
  assert_ptr_equal(&e.node, wavl_last(&t));
  assert_null(wavl_next(&e.node));
  assert_null(wavl_prev(&e.node));
  uint64_t k9 = 9, k10 = 10, k11 = 11;
  assert_null(wavl_find(&t, &k9));
  assert_ptr_equal(&e.node, wavl_find(&t, &k10));
  assert_null(wavl_find(&t, &k11));
  assert_ptr_equal(&e.node, wavl_lower_bound(&t, &k9));
  assert_ptr_equal(&e.node, wavl_lower_bound(&t, &k10));
  assert_null(wavl_lower_bound(&t, &k11));
  assert_ptr_equal(&e.node, wavl_upper_bound(&t, &k9));
  assert_null(wavl_upper_bound(&t, &k10));
  assert_null(wavl_upper_bound(&t, &k11));
  wavl_erase(&t, &e.node);
  wavl_check(&t);
  assert_true(wavl_is_empty(&t));
  assert_null(wavl_first(&t));
}

static void insert_sequence_keeps_balance(bool ascending) {
  enum { N = 1000 };
  struct elem* es = elems_alloc(N + 1);
  uint64_t keys[N];
  struct wavl_tree t;
  wavl_init(&t, &elem_ops);
  for (size_t i = 1; i <= N; i++) {
    size_t k = ascending ? i : N + 1 - i;
    insert_counted(&t, &es[k].node);
    wavl_check(&t);
    assert_int_equal(i, wavl_count(&t));
    assert_avl_height(&t);
    assert_height_bound(&t);
    assert_ptr_equal(&es[ascending ? 1 : k].node, wavl_first(&t));
    assert_ptr_equal(&es[ascending ? k : N].node, wavl_last(&t));
  }
  for (size_t i = 0; i < N; i++) keys[i] = i + 1;
  assert_keys(&t, keys, N);
  // 1000 nodes: the AVL bound is height <= 13 (N(13) = 986 <= 1000 < N(14)).
  assert_true(tree_height(&t) <= 13);
  free(es);
}

static void wavl_insert_ascending_keeps_balance(void** state) {
  insert_sequence_keeps_balance(true);
}

static void wavl_insert_descending_keeps_balance(void** state) {
  insert_sequence_keeps_balance(false);
}

// Builds keys 0..n-1 in a scrambled order (a stride coprime with n), so trees of every shape
// appear, not only the ones ascending inserts produce.
static void build_scrambled(struct wavl_tree* t, struct elem* es, size_t n, size_t stride) {
  wavl_init(t, &elem_ops);
  for (size_t i = 0; i < n; i++) {
    wavl_node_init(&es[i].node);
  }
  for (size_t i = 0; i < n; i++) wavl_insert(t, &es[(i * stride) % n].node);
}

static size_t coprime_stride(size_t n) {
  size_t s = n / 2 + 1;
  for (;;) {
    size_t a = s, b = n;
    while (b) {
      size_t r = a % b;
      a = b;
      b = r;
    }
    if (a == 1) return s;
    s++;
  }
}

static void wavl_erase_every_position_keeps_order(void** state) {
  static const size_t sizes[] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,  12,  13,
                                 14, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 1000};
  struct elem* es = elems_alloc(1000);
  uint64_t* keys = calloc(1000, sizeof(*keys));
  assert_non_null(keys);
  for (size_t si = 0; si < countof(sizes); si++) {
    size_t n = sizes[si];
    for (size_t stride_kind = 0; stride_kind < 2; stride_kind++) {
      size_t stride = stride_kind ? coprime_stride(n) : 1;
      for (size_t pos = 0; pos < n; pos++) {
        struct wavl_tree t;
        build_scrambled(&t, es, n, stride);
        erase_counted(&t, &es[pos].node);
        wavl_check(&t);
        assert_height_bound(&t);
        assert_false(wavl_node_in_tree(&es[pos].node));
        uint64_t k = pos;
        assert_null(wavl_find(&t, &k));
        // The erased key's neighbours are now adjacent.
        struct wavl_node* lb = wavl_lower_bound(&t, &k);
        if (pos + 1 < n) {
          assert_ptr_equal(&es[pos + 1].node, lb);
          assert_ptr_equal(pos > 0 ? &es[pos - 1].node : NULL, wavl_prev(lb));
        } else {
          assert_null(lb);
        }
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
          if (i != pos) keys[m++] = i;
        }
        assert_keys(&t, keys, m);
      }
    }
  }
  free(keys);
  free(es);
}

// Erases every node of a 1000-node tree in several orders, validating after each erase.
static void wavl_erase_all_orders_keeps_balance(void** state) {
  enum { N = 1000 };
  struct elem* es = elems_alloc(N);
  size_t order[N];
  struct prng rng;
  prng_seed(&rng, test_seed("wavl_erase_all_orders_keeps_balance"));
  for (int kind = 0; kind < 4; kind++) {
    for (size_t i = 0; i < N; i++) {
      switch (kind) {
        case 0:  // ascending
          order[i] = i;
          break;
        case 1:  // descending
          order[i] = N - 1 - i;
          break;
        case 2:  // middle outwards
          order[i] = (i & 1) ? N / 2 + i / 2 : N / 2 - 1 - i / 2;
          break;
        default:
          order[i] = i;
      }
    }
    if (kind == 3) {  // random permutation
      for (size_t i = N - 1; i > 0; i--) {
        size_t j = prng_uniform(&rng, i + 1);
        size_t tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
      }
    }
    struct wavl_tree t;
    build_scrambled(&t, es, N, kind == 3 ? 1 : coprime_stride(N));
    wavl_check(&t);
    for (size_t i = 0; i < N; i++) {
      erase_counted(&t, &es[order[i]].node);
      wavl_check(&t);
      assert_int_equal(N - 1 - i, wavl_count(&t));
      assert_height_bound(&t);
    }
    assert_true(wavl_is_empty(&t));
  }
  free(es);
}

// Keys 10, 20, ..., 10n; every query from 0 to 10n + 11 hits a key or falls between keys.
static void wavl_bounds_at_every_key_and_gap_match(void** state) {
  static const size_t sizes[] = {0, 1, 2, 3, 7, 8, 100};
  struct elem* es = elems_alloc(101);
  for (size_t si = 0; si < countof(sizes); si++) {
    size_t n = sizes[si];
    struct wavl_tree t;
    wavl_init(&t, &elem_ops);
    for (size_t i = 0; i < n; i++) {
      es[i].key = 10 * (i + 1);
      wavl_node_init(&es[i].node);
    }
    for (size_t i = 0; i < n; i++) wavl_insert(&t, &es[(i * coprime_stride(n)) % n].node);
    wavl_check(&t);
    for (uint64_t q = 0; q <= 10 * n + 11; q++) {
      // Index of the first key >= q and the first key > q (n when none).
      size_t lb = (q + 9) / 10;  // key 10(i+1) >= q  <=>  i >= ceil(q/10) - 1
      lb = lb == 0 ? 0 : lb - 1;
      size_t ub = q / 10;  // key 10(i+1) > q  <=>  i >= floor(q/10)
      if (lb > n) lb = n;
      if (ub > n) ub = n;
      assert_ptr_equal(lb < n ? &es[lb].node : NULL, wavl_lower_bound(&t, &q));
      assert_ptr_equal(ub < n ? &es[ub].node : NULL, wavl_upper_bound(&t, &q));
      bool hit = q % 10 == 0 && q >= 10 && q <= 10 * n;
      assert_ptr_equal(hit ? &es[q / 10 - 1].node : NULL, wavl_find(&t, &q));
    }
  }
  free(es);
}

static void wavl_iterate_both_directions_visits_all(void** state) {
  enum { N = 257 };
  struct elem* es = elems_alloc(N);
  struct wavl_tree t;
  build_scrambled(&t, es, N, coprime_stride(N));
  size_t i = 0;
  for (struct wavl_node* x = wavl_first(&t); x != NULL; x = wavl_next(x), i++) {
    assert_ptr_equal(&es[i].node, x);
    assert_ptr_equal(i > 0 ? &es[i - 1].node : NULL, wavl_prev(x));
  }
  assert_int_equal(N, i);
  for (struct wavl_node* x = wavl_last(&t); x != NULL; x = wavl_prev(x)) {
    i--;
    assert_ptr_equal(&es[i].node, x);
    assert_ptr_equal(i + 1 < N ? &es[i + 1].node : NULL, wavl_next(x));
  }
  assert_int_equal(0, i);
  free(es);
}

// ---- randomized test against a sorted-array model ----

struct model {
  uint64_t* keys;  // sorted, unique
  size_t n;
};

// Index of the first model key >= k.
static size_t model_lower(const struct model* m, uint64_t k) {
  size_t lo = 0, hi = m->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (m->keys[mid] < k) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

static bool model_contains(const struct model* m, uint64_t k) {
  size_t i = model_lower(m, k);
  return i < m->n && m->keys[i] == k;
}

static void model_insert(struct model* m, uint64_t k) {
  size_t i = model_lower(m, k);
  memmove(&m->keys[i + 1], &m->keys[i], (m->n - i) * sizeof(uint64_t));
  m->keys[i] = k;
  m->n++;
}

static void model_erase(struct model* m, uint64_t k) {
  size_t i = model_lower(m, k);
  memmove(&m->keys[i], &m->keys[i + 1], (m->n - i - 1) * sizeof(uint64_t));
  m->n--;
}

static void wavl_random_ops_match_sorted_model(void** state) {
  enum { KEYS = 1024, OPS = 200000, FULL_CHECK_OPS = 20000 };
  struct prng rng;
  prng_seed(&rng, test_seed("wavl_random_ops_match_sorted_model"));
  struct elem* es = elems_alloc(KEYS);
  struct model m = {.keys = calloc(KEYS, sizeof(uint64_t)), .n = 0};
  assert_non_null(m.keys);
  struct wavl_tree t;
  wavl_init(&t, &elem_ops);
  size_t max_n = 0;
  for (int op = 0; op < OPS; op++) {
    // Alternate growth and shrink phases so the size sweeps from empty to nearly full.
    unsigned insert_pct = ((op / 15000) & 1) ? 25 : 75;
    uint64_t r = prng_uniform(&rng, 100);
    uint64_t k = prng_uniform(&rng, KEYS);
    uint64_t q = prng_uniform(&rng, KEYS + 2);  // queries also fall past the largest key
    if (r < insert_pct * 7 / 10) {
      if (model_contains(&m, k)) {
        assert_true(wavl_node_in_tree(&es[k].node));
        assert_ptr_equal(&es[k].node, wavl_find(&t, &k));
      } else {
        assert_false(wavl_node_in_tree(&es[k].node));
        insert_counted(&t, &es[k].node);
        model_insert(&m, k);
      }
    } else if (r < 70) {
      // Erase: half by random key (may miss), half a random present element (always hits).
      if ((r & 1) && m.n > 0) k = m.keys[prng_uniform(&rng, m.n)];
      if (model_contains(&m, k)) {
        erase_counted(&t, &es[k].node);
        model_erase(&m, k);
        assert_false(wavl_node_in_tree(&es[k].node));
      } else {
        assert_null(wavl_find(&t, &k));
      }
    } else if (r < 80) {
      assert_ptr_equal(model_contains(&m, q) ? &es[q].node : NULL, wavl_find(&t, &q));
    } else if (r < 90) {
      size_t i = model_lower(&m, q);
      assert_ptr_equal(i < m.n ? &es[m.keys[i]].node : NULL, wavl_lower_bound(&t, &q));
    } else {
      size_t i = model_lower(&m, q + 1);
      assert_ptr_equal(i < m.n ? &es[m.keys[i]].node : NULL, wavl_upper_bound(&t, &q));
    }
    assert_int_equal(m.n, wavl_count(&t));
    if (m.n > max_n) max_n = m.n;
    if (op < FULL_CHECK_OPS || op % 64 == 0) wavl_check(&t);
    if (op % 1000 == 0) {
      assert_keys(&t, m.keys, m.n);
      assert_height_bound(&t);
    }
  }
  wavl_check(&t);
  assert_keys(&t, m.keys, m.n);
  // The phases really did reach a large tree (else the test would not test much).
  assert_true(max_n > KEYS / 2);
  free(m.keys);
  free(es);
}

// ---- augmentation 1: a VMAR-like tree of disjoint intervals with gap summaries ----

struct ival {
  uint64_t start;
  uint64_t len;  // > 0
  // Summary of the subtree: first byte, last byte, largest free run between adjacent intervals.
  uint64_t min_first;
  uint64_t max_last;
  uint64_t max_gap;
  struct wavl_node node;
};

static struct ival* to_ival(const struct wavl_node* n) { return wavl_entry(n, struct ival, node); }

static int ival_compare(const struct wavl_node* a, const struct wavl_node* b) {
  uint64_t sa = to_ival(a)->start, sb = to_ival(b)->start;
  return (sa > sb) - (sa < sb);
}

static int ival_compare_key(const void* key, const struct wavl_node* n) {
  uint64_t k = *(const uint64_t*)key, s = to_ival(n)->start;
  return (k > s) - (k < s);
}

static uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }

static bool ival_augment(struct wavl_node* n) {
  struct ival* v = to_ival(n);
  uint64_t last = v->start + v->len - 1;
  uint64_t min_first = v->start, max_last = last, gap = 0;
  if (n->left != NULL) {
    const struct ival* l = to_ival(n->left);
    min_first = l->min_first;
    gap = max_u64(l->max_gap, v->start - l->max_last - 1);
  }
  if (n->right != NULL) {
    const struct ival* r = to_ival(n->right);
    max_last = r->max_last;
    gap = max_u64(gap, max_u64(r->max_gap, r->min_first - last - 1));
  }
  bool changed = min_first != v->min_first || max_last != v->max_last || gap != v->max_gap;
  v->min_first = min_first;
  v->max_last = max_last;
  v->max_gap = gap;
  return changed;
}

static const struct wavl_ops ival_ops = {
    .compare = ival_compare, .compare_key = ival_compare_key, .augment = ival_augment};

// First free run of at least |want| bytes strictly between two intervals, found through the
// summaries alone (as a VMAR's allocator would); returns its first byte or UINT64_MAX.
static uint64_t ival_first_fit(const struct wavl_tree* t, uint64_t want) {
  const struct wavl_node* n = t->root;
  while (n != NULL) {
    const struct ival* v = to_ival(n);
    if (n->left != NULL) {
      const struct ival* l = to_ival(n->left);
      if (l->max_gap >= want) {
        n = n->left;
        continue;
      }
      if (v->start - l->max_last - 1 >= want) return l->max_last + 1;
    }
    if (n->right == NULL) return UINT64_MAX;
    const struct ival* r = to_ival(n->right);
    uint64_t last = v->start + v->len - 1;
    if (r->min_first - last - 1 >= want) return last + 1;
    if (r->max_gap < want) return UINT64_MAX;
    n = n->right;
  }
  return UINT64_MAX;
}

enum { IVAL_SLOTS = 256, IVAL_SLOT_BYTES = 64 };

// Random interval inside slot |s|, so intervals of different slots never overlap but may touch.
static void ival_randomize(struct prng* rng, struct ival* v, uint64_t s) {
  uint64_t off = prng_uniform(rng, IVAL_SLOT_BYTES);
  v->start = s * IVAL_SLOT_BYTES + off;
  v->len = 1 + prng_uniform(rng, IVAL_SLOT_BYTES - off);
}

static void ival_check_against_brute_force(const struct wavl_tree* t, const struct ival* vs,
                                           struct prng* rng) {
  uint64_t min_first = 0, max_last = 0, max_gap = 0, prev_last = 0;
  bool any = false;
  size_t count = 0;
  for (size_t s = 0; s < IVAL_SLOTS; s++) {
    if (!wavl_node_in_tree(&vs[s].node)) continue;
    uint64_t last = vs[s].start + vs[s].len - 1;
    if (!any) {
      min_first = vs[s].start;
    } else {
      max_gap = max_u64(max_gap, vs[s].start - prev_last - 1);
    }
    prev_last = last;
    max_last = last;
    any = true;
    count++;
  }
  assert_int_equal(count, wavl_count(t));
  if (!any) {
    assert_null(t->root);
    return;
  }
  const struct ival* root = to_ival(t->root);
  assert_int_equal(min_first, root->min_first);
  assert_int_equal(max_last, root->max_last);
  assert_int_equal(max_gap, root->max_gap);
  // A first-fit query through the summaries agrees with a linear scan.
  uint64_t want = 1 + prng_uniform(rng, 2 * IVAL_SLOT_BYTES);
  uint64_t expect = UINT64_MAX;
  bool have_prev = false;
  for (size_t s = 0; s < IVAL_SLOTS && expect == UINT64_MAX; s++) {
    if (!wavl_node_in_tree(&vs[s].node)) continue;
    if (have_prev && vs[s].start - prev_last - 1 >= want) expect = prev_last + 1;
    prev_last = vs[s].start + vs[s].len - 1;
    have_prev = true;
  }
  assert_int_equal(expect, ival_first_fit(t, want));
}

static void wavl_augment_gaps_match_brute_force(void** state) {
  enum { OPS = 60000 };
  struct prng rng;
  prng_seed(&rng, test_seed("wavl_augment_gaps_match_brute_force"));
  struct ival* vs = calloc(IVAL_SLOTS, sizeof(*vs));
  assert_non_null(vs);
  struct wavl_tree t;
  wavl_init(&t, &ival_ops);
  for (int op = 0; op < OPS; op++) {
    uint64_t s = prng_uniform(&rng, IVAL_SLOTS);
    uint64_t r = prng_uniform(&rng, 100);
    unsigned insert_pct = ((op / 5000) & 1) ? 25 : 65;
    struct ival* v = &vs[s];
    if (r < insert_pct) {
      if (!wavl_node_in_tree(&v->node)) {
        ival_randomize(&rng, v, s);
        insert_counted(&t, &v->node);
      }
    } else if (r < 80) {
      if (wavl_node_in_tree(&v->node)) erase_counted(&t, &v->node);
    } else if (wavl_node_in_tree(&v->node)) {
      // Move or resize in place (order is kept: it stays inside its slot).
      ival_randomize(&rng, v, s);
      wavl_augment_update(&t, &v->node);
    }
    if (op < 10000 || op % 16 == 0) wavl_check(&t);
    ival_check_against_brute_force(&t, vs, &rng);
  }
  free(vs);
}

// ---- augmentation 2: a VMO-like mapping tree keyed {offset, id}, max last offset ----

struct mapping {
  uint64_t offset;
  uint64_t len;       // > 0
  uint64_t id;        // unique; breaks ties between equal offsets
  uint64_t max_last;  // summary: largest offset + len - 1 in the subtree
  struct wavl_node node;
};

struct mapping_key {
  uint64_t offset;
  uint64_t id;
};

static struct mapping* to_mapping(const struct wavl_node* n) {
  return wavl_entry(n, struct mapping, node);
}

static int mapping_cmp(uint64_t oa, uint64_t ia, uint64_t ob, uint64_t ib) {
  if (oa != ob) return oa < ob ? -1 : 1;
  return (ia > ib) - (ia < ib);
}

static int mapping_compare(const struct wavl_node* a, const struct wavl_node* b) {
  const struct mapping *x = to_mapping(a), *y = to_mapping(b);
  return mapping_cmp(x->offset, x->id, y->offset, y->id);
}

static int mapping_compare_key(const void* key, const struct wavl_node* n) {
  const struct mapping_key* k = key;
  const struct mapping* y = to_mapping(n);
  return mapping_cmp(k->offset, k->id, y->offset, y->id);
}

static bool mapping_augment(struct wavl_node* n) {
  struct mapping* m = to_mapping(n);
  uint64_t max_last = m->offset + m->len - 1;
  if (n->left != NULL) max_last = max_u64(max_last, to_mapping(n->left)->max_last);
  if (n->right != NULL) max_last = max_u64(max_last, to_mapping(n->right)->max_last);
  bool changed = max_last != m->max_last;
  m->max_last = max_last;
  return changed;
}

static const struct wavl_ops mapping_ops = {
    .compare = mapping_compare, .compare_key = mapping_compare_key, .augment = mapping_augment};

enum { MAPPINGS = 512 };

// Ids of the mappings overlapping [first, last], in tree order, found through the summaries
// (prune subtrees whose max_last < first, and right subtrees of nodes starting past |last|).
static size_t mapping_overlaps(const struct wavl_tree* t, uint64_t first, uint64_t last,
                               uint64_t* out) {
  size_t n_out = 0;
  const struct wavl_node* stack[130];
  size_t depth = 0;
  const struct wavl_node* n = t->root;
  while (n != NULL || depth > 0) {
    // Go left as long as the left part may still hold an overlap.
    while (n != NULL && to_mapping(n)->max_last >= first) {
      assert_true(depth < countof(stack));
      stack[depth++] = n;
      n = n->left;
    }
    if (depth == 0) break;
    n = stack[--depth];
    const struct mapping* m = to_mapping(n);
    if (m->offset > last) break;  // it and everything after start past the range
    if (m->offset + m->len - 1 >= first) out[n_out++] = m->id;
    n = n->right;
  }
  return n_out;
}

static void mapping_check_against_brute_force(const struct wavl_tree* t, const struct mapping* ms,
                                              struct prng* rng) {
  // The tree's order, by iteration, is the model order here.
  uint64_t max_last = 0;
  size_t count = 0;
  for (size_t i = 0; i < MAPPINGS; i++) {
    if (!wavl_node_in_tree(&ms[i].node)) continue;
    max_last = max_u64(max_last, ms[i].offset + ms[i].len - 1);
    count++;
  }
  assert_int_equal(count, wavl_count(t));
  if (count == 0) return;
  assert_int_equal(max_last, to_mapping(t->root)->max_last);

  // Overlap query through the summaries == linear scan over the tree order.
  uint64_t first = prng_uniform(rng, 4096 + 8192);
  uint64_t last = first + prng_uniform(rng, 2048);
  uint64_t got[MAPPINGS], expect[MAPPINGS];
  size_t n_got = mapping_overlaps(t, first, last, got), n_expect = 0;
  for (struct wavl_node* x = wavl_first(t); x != NULL; x = wavl_next(x)) {
    const struct mapping* m = to_mapping(x);
    if (m->offset <= last && m->offset + m->len - 1 >= first) expect[n_expect++] = m->id;
  }
  assert_int_equal(n_expect, n_got);
  for (size_t i = 0; i < n_got; i++) assert_int_equal(expect[i], got[i]);

  // lower_bound({offset, 0}) is the first mapping at or after |offset|, whatever its id.
  struct mapping_key k = {.offset = first, .id = 0};
  const struct mapping* best = NULL;
  for (size_t i = 0; i < MAPPINGS; i++) {
    const struct mapping* m = &ms[i];
    if (!wavl_node_in_tree(&m->node) || m->offset < first) continue;
    if (best == NULL || mapping_cmp(m->offset, m->id, best->offset, best->id) < 0) best = m;
  }
  assert_ptr_equal(best ? &best->node : NULL, wavl_lower_bound(t, &k));
}

static void mapping_randomize(struct prng* rng, struct mapping* m) {
  m->offset = prng_uniform(rng, 64) * 128;  // 64 distinct offsets for 512 mappings: many ties
  m->len = 1 + prng_uniform(rng, 4096);
}

static void wavl_augment_max_last_match_brute_force(void** state) {
  enum { OPS = 60000 };
  struct prng rng;
  prng_seed(&rng, test_seed("wavl_augment_max_last_match_brute_force"));
  struct mapping* ms = calloc(MAPPINGS, sizeof(*ms));
  assert_non_null(ms);
  for (size_t i = 0; i < MAPPINGS; i++) ms[i].id = i;
  struct wavl_tree t;
  wavl_init(&t, &mapping_ops);
  for (int op = 0; op < OPS; op++) {
    struct mapping* m = &ms[prng_uniform(&rng, MAPPINGS)];
    uint64_t r = prng_uniform(&rng, 100);
    unsigned insert_pct = ((op / 5000) & 1) ? 25 : 65;
    if (r < insert_pct) {
      if (!wavl_node_in_tree(&m->node)) {
        mapping_randomize(&rng, m);
        insert_counted(&t, &m->node);
        struct mapping_key k = {m->offset, m->id};
        assert_ptr_equal(&m->node, wavl_find(&t, &k));
      }
    } else if (r < 80) {
      if (wavl_node_in_tree(&m->node)) {
        erase_counted(&t, &m->node);
        struct mapping_key k = {m->offset, m->id};
        assert_null(wavl_find(&t, &k));
      }
    } else if (wavl_node_in_tree(&m->node)) {
      m->len = 1 + prng_uniform(&rng, 8192);  // grow or shrink in place; the key is unchanged
      wavl_augment_update(&t, &m->node);
    }
    if (op < 10000 || op % 16 == 0) wavl_check(&t);
    mapping_check_against_brute_force(&t, ms, &rng);
  }
  free(ms);
}

// ---- wavl_check catches corruption (death tests) ----

// Runs |fn| in a child process with stderr silenced; returns true if the child aborted.
static bool dies(void (*fn)(void)) {
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    int fd = open("/dev/null", O_WRONLY);
    if (fd >= 0) dup2(fd, STDERR_FILENO);
    fn();
    _exit(0);
  }
  int status;
  assert_int_equal(pid, waitpid(pid, &status, 0));
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

// A valid 15-node tree of gap intervals for the corruption cases to break.
static struct ival corrupt_vs[15];
static struct wavl_tree corrupt_tree;

static void corrupt_build(void) {
  memset(corrupt_vs, 0, sizeof(corrupt_vs));
  wavl_init(&corrupt_tree, &ival_ops);
  for (uint64_t i = 0; i < countof(corrupt_vs); i++) {
    corrupt_vs[i].start = i * 10;
    corrupt_vs[i].len = 1 + i % 5;
    wavl_insert(&corrupt_tree, &corrupt_vs[i].node);
  }
  wavl_check(&corrupt_tree);
}

static struct wavl_node* corrupt_some_leaf(void) {
  for (struct wavl_node* n = wavl_first(&corrupt_tree); n; n = wavl_next(n)) {
    if (n->left == NULL && n->right == NULL) return n;
  }
  return NULL;
}

static void corrupt_valid(void) { wavl_check(&corrupt_tree); }

static void corrupt_leaf_rank(void) {
  corrupt_some_leaf()->rank_parity ^= 1;  // a leaf of rank 1
  wavl_check(&corrupt_tree);
}

static void corrupt_inner_rank(void) {
  // An inner node one rank up: its parent would need a rank difference of 0 or 3 somewhere.
  corrupt_tree.root->left->rank_parity ^= 1;
  wavl_check(&corrupt_tree);
}

static void corrupt_order(void) {
  struct ival* v = to_ival(corrupt_tree.root);
  v->start = 1000;  // now larger than its right subtree
  ival_augment(&v->node);
  wavl_check(&corrupt_tree);
}

static void corrupt_parent(void) {
  struct wavl_node* leaf = corrupt_some_leaf();
  leaf->parent = corrupt_tree.root == leaf->parent ? leaf : corrupt_tree.root;
  wavl_check(&corrupt_tree);
}

static void corrupt_count(void) {
  corrupt_tree.count++;
  wavl_check(&corrupt_tree);
}

static void corrupt_summary(void) {
  to_ival(corrupt_some_leaf())->len += 3;  // summary not recomputed
  wavl_check(&corrupt_tree);
}

static void corrupt_duplicate_insert(void) {
  static struct ival dup;
  dup.start = corrupt_vs[7].start;
  dup.len = 1;
  wavl_insert(&corrupt_tree, &dup.node);
}

static void wavl_check_detects_corruption(void** state) {
  corrupt_build();
  assert_false(dies(corrupt_valid));  // the harness itself does not report a false death
  assert_true(dies(corrupt_leaf_rank));
  assert_true(dies(corrupt_inner_rank));
  assert_true(dies(corrupt_order));
  assert_true(dies(corrupt_parent));
  assert_true(dies(corrupt_count));
  assert_true(dies(corrupt_summary));
  if (ZXVM_DEBUG_ENABLED) assert_true(dies(corrupt_duplicate_insert));
}

static void wavl_rotation_counter_counts_in_testing_build(void** state) {
  // The rotation bounds above are only meaningful if the counter moves.
  if (!ZXVM_TESTING_ENABLED) skip();
  struct elem* es = elems_alloc(3);
  struct wavl_tree t;
  wavl_init(&t, &elem_ops);
  uint64_t before = wavl_debug_rotation_count();
  for (int i = 0; i < 3; i++) wavl_insert(&t, &es[i].node);  // 0,1,2 ascending: one rotation
  assert_int_equal(1, wavl_debug_rotation_count() - before);
  assert_ptr_equal(&es[1].node, t.root);
  free(es);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(wavl_empty_tree_lookups_return_null),
      cmocka_unit_test(wavl_node_init_marks_unlinked),
      cmocka_unit_test(wavl_single_node_lookups_find_it),
      cmocka_unit_test(wavl_insert_ascending_keeps_balance),
      cmocka_unit_test(wavl_insert_descending_keeps_balance),
      cmocka_unit_test(wavl_erase_every_position_keeps_order),
      cmocka_unit_test(wavl_erase_all_orders_keeps_balance),
      cmocka_unit_test(wavl_bounds_at_every_key_and_gap_match),
      cmocka_unit_test(wavl_iterate_both_directions_visits_all),
      cmocka_unit_test(wavl_random_ops_match_sorted_model),
      cmocka_unit_test(wavl_augment_gaps_match_brute_force),
      cmocka_unit_test(wavl_augment_max_last_match_brute_force),
      cmocka_unit_test(wavl_check_detects_corruption),
      cmocka_unit_test(wavl_rotation_counter_counts_in_testing_build),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
