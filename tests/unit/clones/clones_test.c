// Copy-on-write clones in the VM core (vm_object_paged_create_child over vm_cow_pages): snapshot
// isolation at every page, chains and trees closed in every order with the pmm counters back at
// baseline, hidden-node merges keeping walks short, slices and references, child argument rules,
// decommit/zero/resize/pin rules, attribution of shared pages, and a randomized model test over a
// forest of clones. The full checker runs after every step; randomized tests print their seed.
#include <string.h>

#include "test_util.h"
// The library headers after the test harness.
#include "base/checked_math.h"
#include "base/prng.h"
#include "pmm/pmm.h"
#include "vm/vm_object_paged.h"

#define P PAGE_SIZE

static uint64_t baseline_free;

static int setup(void** state) {
  (void)state;
  assert_ok(pmm_init(64u << 20));
  struct pmm_counts c;
  pmm_get_counts(&c);
  baseline_free = c.free_pages;
  return 0;
}

static uint64_t used_pages(void) {
  struct pmm_counts c;
  pmm_get_counts(&c);
  return baseline_free - c.free_pages;
}

static int teardown(void** state) {
  (void)state;
  if (used_pages() != 0) {
    print_error("test left %" PRIu64 " pages allocated\n", used_pages());
    return -1;
  }
  pmm_check();
  pmm_shutdown();
  return 0;
}

static struct vm_object_paged* mk(uint64_t size, uint32_t options) {
  struct vm_object_paged* vmo;
  assert_ok(vm_object_paged_create(options, size, &vmo));
  return vmo;
}

static struct vm_object_paged* child(struct vm_object_paged* parent, uint32_t options,
                                     uint64_t offset, uint64_t size) {
  struct vm_object_paged* c;
  assert_ok(vm_object_paged_create_child(parent, options, offset, size, &c));
  vm_object_paged_check(c);
  vm_object_paged_check(parent);
  return c;
}

static void fill_page(struct vm_object_paged* vmo, uint64_t page, uint8_t v) {
  uint8_t buf[P];
  memset(buf, v, P);
  assert_ok(vm_object_paged_write(vmo, buf, page * P, P));
}

static uint8_t byte_at(struct vm_object_paged* vmo, uint64_t offset) {
  uint8_t b;
  assert_ok(vm_object_paged_read(vmo, &b, offset, 1));
  return b;
}

// Nodes between the VMO's node and the root (0 for a root).
static unsigned depth(struct vm_object_paged* vmo) {
  vm_object_lock(&vmo->base);
  unsigned d = 0;
  for (struct vm_cow_pages* n = vmo->cow; n->parent; n = n->parent) d++;
  vm_object_unlock(&vmo->base);
  return d;
}

// ---- isolation ----------------------------------------------------------------------------------

static void clones_snapshot_isolated_both_ways_at_every_page(void** state) {
  enum { N = 8 };
  for (uint32_t type = 0; type < 3; type++) {
    uint32_t opt = type == 0   ? VM_CHILD_SNAPSHOT
                   : type == 1 ? VM_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE
                               : VM_CHILD_SNAPSHOT_MODIFIED;
    for (uint64_t i = 0; i < N; i++) {
      struct vm_object_paged* a = mk(N * P, 0);
      for (uint64_t p = 0; p < N; p++) fill_page(a, p, (uint8_t)(p + 1));
      uint64_t before = used_pages();
      struct vm_object_paged* b = child(a, opt, 0, N * P);
      assert_int_equal(before, used_pages());  // O(1): nothing copied
      assert_true(vm_object_paged_is_cow_clone(b));
      fill_page(a, i, 0xa0);            // parent writes page i
      fill_page(b, (i + 1) % N, 0xb0);  // child writes another page
      for (uint64_t p = 0; p < N; p++) {
        uint8_t orig = (uint8_t)(p + 1);
        assert_int_equal(byte_at(a, p * P + 7), p == i ? 0xa0 : orig);
        assert_int_equal(byte_at(b, p * P + 7), p == (i + 1) % N ? 0xb0 : orig);
      }
      // Two forked pages: one copy for the parent's write, one for the child's.
      assert_int_equal(before + 2, used_pages());
      vm_object_paged_check(a);
      vm_object_paged_check(b);
      vm_object_paged_release(b);
      vm_object_paged_check(a);
      assert_int_equal(0, depth(a));  // merged back into a root
      assert_int_equal(before, used_pages());
      vm_object_paged_release(a);
    }
  }
}

static void clones_snapshot_beyond_parent_reads_zero(void** state) {
  struct vm_object_paged* a = mk(2 * P, 0);
  fill_page(a, 0, 1);
  fill_page(a, 1, 2);
  struct vm_object_paged* b = child(a, VM_CHILD_SNAPSHOT, P, 4 * P);
  assert_int_equal(4 * P, vm_object_paged_get_size(b));
  assert_int_equal(2, byte_at(b, 0));
  assert_int_equal(0, byte_at(b, P));
  assert_int_equal(0, byte_at(b, 3 * P + 5));
  fill_page(b, 3, 9);
  assert_int_equal(9, byte_at(b, 3 * P));
  struct vm_object_paged* c = child(a, VM_CHILD_SNAPSHOT, 8 * P, P);  // entirely beyond
  assert_int_equal(0, byte_at(c, 0));
  vm_object_paged_release(c);
  vm_object_paged_release(b);
  vm_object_paged_release(a);
}

// ---- chains and trees ---------------------------------------------------------------------------

static void clones_chain_depth_12_closed_front_to_back_merges(void** state) {
  enum { D = 12 };
  struct vm_object_paged* v[D + 1];
  v[0] = mk(4 * P, 0);
  fill_page(v[0], 0, 100);
  for (int i = 1; i <= D; i++) {
    v[i] = child(v[i - 1], VM_CHILD_SNAPSHOT, 0, 4 * P);
    fill_page(v[i], (uint64_t)(i % 4), (uint8_t)i);
  }
  assert_true(depth(v[D]) >= D);
  for (int i = 0; i < D; i++) {
    vm_object_paged_release(v[i]);
    vm_object_paged_check(v[D]);
  }
  // Every hidden node merged away: the survivor is a root again, with its contents.
  assert_int_equal(0, depth(v[D]));
  assert_int_equal(D, byte_at(v[D], (D % 4) * P));
  assert_int_equal(D - 1, byte_at(v[D], ((D - 1) % 4) * P));
  assert_true(used_pages() <= 4);
  vm_object_paged_release(v[D]);
}

// Closes |n| VMOs in the order given by permutation index |perm|, checking the rest each time.
static void close_in_order(struct vm_object_paged** v, int n, int perm, const uint8_t* expect) {
  int order[4] = {0, 1, 2, 3}, k = perm;
  for (int i = n; i > 1; i--) {  // factorial number system
    int j = k % i;
    k /= i;
    int t = order[i - 1];
    order[i - 1] = order[j];
    order[j] = t;
  }
  bool alive[4] = {true, true, true, true};
  for (int s = 0; s < n; s++) {
    vm_object_paged_release(v[order[s]]);
    alive[order[s]] = false;
    for (int i = 0; i < n; i++) {
      if (!alive[i]) continue;
      vm_object_paged_check(v[i]);
      for (uint64_t p = 0; p < 4; p++) assert_int_equal(expect[i * 4 + p], byte_at(v[i], p * P));
    }
  }
}

static void clones_tree_closes_in_every_order_return_to_baseline(void** state) {
  for (int shape = 0; shape < 3; shape++) {
    for (int perm = 0; perm < 24; perm++) {
      uint8_t expect[16];
      struct vm_object_paged* v[4];
      v[0] = mk(4 * P, 0);
      for (uint64_t p = 0; p < 4; p++) fill_page(v[0], p, (uint8_t)(10 + p));
      for (int i = 1; i < 4; i++) {
        // shape 0: chain; 1: star on v0; 2: v1 from v0, v2 and v3 from v1.
        int from = shape == 0 ? i - 1 : shape == 1 ? 0 : (i == 1 ? 0 : 1);
        v[i] = child(v[from], i == 2 ? VM_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE : VM_CHILD_SNAPSHOT, 0,
                     4 * P);
      }
      for (int i = 0; i < 4; i++) {
        fill_page(v[i], (uint64_t)i, (uint8_t)(50 + i));
        for (uint64_t p = 0; p < 4; p++) expect[i * 4 + p] = byte_at(v[i], p * P);
      }
      close_in_order(v, 4, perm, expect);
      assert_int_equal(0, used_pages());
    }
  }
}

// ---- slices and references ----------------------------------------------------------------------

static void clones_slice_is_a_window_sharing_pages(void** state) {
  struct vm_object_paged* a = mk(8 * P, 0);
  fill_page(a, 3, 33);
  struct vm_object_paged* s = child(a, VM_CHILD_SLICE, 2 * P, 4 * P);
  assert_false(vm_object_paged_is_cow_clone(s));
  assert_int_equal(4 * P, vm_object_paged_get_size(s));
  assert_int_equal(33, byte_at(s, P));
  fill_page(s, 2, 44);  // parent page 4
  assert_int_equal(44, byte_at(a, 4 * P));
  fill_page(a, 5, 55);
  assert_int_equal(55, byte_at(s, 3 * P));
  assert_status(ZX_ERR_UNAVAILABLE, vm_object_paged_set_size(s, P));
  // A slice of a slice composes offsets; a slice out of range is refused.
  struct vm_object_paged* ss = child(s, VM_CHILD_SLICE, P, 2 * P);
  assert_int_equal(33, byte_at(ss, 0));
  struct vm_object_paged* bad;
  assert_status(ZX_ERR_INVALID_ARGS,
                vm_object_paged_create_child(s, VM_CHILD_SLICE, 3 * P, 2 * P, &bad));
  // Decommit through the slice frees the parent's pages (a plain root).
  assert_ok(vm_object_paged_decommit_range(s, P, P));
  assert_int_equal(0, byte_at(a, 3 * P));
  // A snapshot of a slice sees only the slice's window.
  struct vm_object_paged* snap = child(s, VM_CHILD_SNAPSHOT, 2 * P, 4 * P);
  assert_int_equal(44, byte_at(snap, 0));
  assert_int_equal(55, byte_at(snap, P));
  assert_int_equal(0, byte_at(snap, 2 * P));  // beyond the slice
  fill_page(a, 4, 1);
  assert_int_equal(44, byte_at(snap, 0));
  assert_int_equal(1, byte_at(s, 2 * P));
  vm_object_paged_release(snap);
  vm_object_paged_release(ss);
  vm_object_paged_release(s);
  vm_object_paged_release(a);
}

static void clones_reference_sees_and_causes_resizes(void** state) {
  struct vm_object_paged* a = mk(4 * P, VM_OBJECT_PAGED_RESIZABLE);
  fill_page(a, 1, 11);
  struct vm_object_paged* r = child(a, VM_CHILD_REFERENCE | VM_CHILD_RESIZABLE, 0, 0);
  assert_true(vm_object_paged_is_reference(r));
  assert_int_equal(11, byte_at(r, P));
  assert_ok(vm_object_paged_set_size(r, 2 * P));
  assert_int_equal(2 * P, vm_object_paged_get_size(a));
  assert_ok(vm_object_paged_set_size(a, 8 * P));
  assert_int_equal(8 * P, vm_object_paged_get_size(r));
  fill_page(r, 7, 77);
  assert_int_equal(77, byte_at(a, 7 * P));
  // A snapshot of the parent moves both views to the new visible node.
  struct vm_object_paged* c = child(a, VM_CHILD_SNAPSHOT, 0, 8 * P);
  fill_page(r, 1, 12);
  assert_int_equal(12, byte_at(a, P));
  assert_int_equal(11, byte_at(c, P));
  struct vm_object_paged* bad;
  struct vm_object_paged* fixed = mk(P, 0);
  assert_status(
      ZX_ERR_NOT_SUPPORTED,
      vm_object_paged_create_child(fixed, VM_CHILD_REFERENCE | VM_CHILD_RESIZABLE, 0, 0, &bad));
  struct vm_object_paged* r2 = child(fixed, VM_CHILD_REFERENCE, 0, 0);
  assert_status(ZX_ERR_UNAVAILABLE, vm_object_paged_set_size(r2, 2 * P));
  vm_object_paged_release(r2);
  vm_object_paged_release(fixed);
  vm_object_paged_release(c);
  vm_object_paged_release(r);
  vm_object_paged_release(a);
}

// ---- argument rules -----------------------------------------------------------------------------

static void clones_create_child_statuses(void** state) {
  struct vm_object_paged* a = mk(2 * P, 0);
  struct vm_object_paged* rs = mk(2 * P, VM_OBJECT_PAGED_RESIZABLE);
  struct vm_object_paged* c;
  static const struct {
    uint32_t options;
    uint64_t offset, size;
    zx_status_t status;
  } cases[] = {
      {0, 0, P, ZX_ERR_INVALID_ARGS},
      {VM_CHILD_SNAPSHOT | VM_CHILD_SLICE, 0, P, ZX_ERR_INVALID_ARGS},
      {VM_CHILD_SNAPSHOT | (1u << 1), 0, P, ZX_ERR_INVALID_ARGS},
      {VM_CHILD_SNAPSHOT, 1, P, ZX_ERR_INVALID_ARGS},
      {VM_CHILD_SLICE | VM_CHILD_RESIZABLE, 0, P, ZX_ERR_INVALID_ARGS},
      {VM_CHILD_SNAPSHOT | VM_CHILD_NO_WRITE | VM_CHILD_RESIZABLE, 0, P, ZX_ERR_INVALID_ARGS},
      {VM_CHILD_SLICE, 0, 3 * P, ZX_ERR_INVALID_ARGS},
      {VM_CHILD_SLICE, P, 2 * P, ZX_ERR_INVALID_ARGS},
      {VM_CHILD_SLICE, 2 * P, P, ZX_ERR_INVALID_ARGS},
      {VM_CHILD_SLICE, UINT64_MAX - P + 1, P, ZX_ERR_INVALID_ARGS},
      {VM_CHILD_SNAPSHOT, 0, UINT64_MAX, ZX_ERR_OUT_OF_RANGE},
      {VM_CHILD_SNAPSHOT, 0, UINT64_MAX - P + 1, ZX_ERR_OUT_OF_RANGE},
      {VM_CHILD_SNAPSHOT, 128 * P, UINT64_MAX - 64 * P + 1, ZX_ERR_OUT_OF_RANGE},
  };
  for (size_t i = 0; i < countof(cases); i++) {
    assert_status(cases[i].status, vm_object_paged_create_child(
                                       a, cases[i].options, cases[i].offset, cases[i].size, &c));
  }
  assert_status(ZX_ERR_NOT_SUPPORTED, vm_object_paged_create_child(rs, VM_CHILD_SLICE, 0, P, &c));
  // NO_WRITE snapshot, not resizable: immutable. Name inherited.
  vm_object_set_name(&a->base, "parent", 6);
  c = child(a, VM_CHILD_SNAPSHOT | VM_CHILD_NO_WRITE, 0, P);
  assert_true(vm_object_paged_is_immutable(c));
  char name[ZX_MAX_NAME_LEN];
  vm_object_get_name(&c->base, name);
  assert_string_equal("parent", name);
  vm_object_paged_release(c);
  // Pinned pages refuse copy-on-write children; a non-CACHED parent refuses snapshots.
  assert_ok(vm_object_paged_pin_range(a, 0, P));
  assert_status(ZX_ERR_BAD_STATE, vm_object_paged_create_child(a, VM_CHILD_SNAPSHOT, 0, P, &c));
  vm_object_paged_unpin_range(a, 0, P);
  struct vm_object_paged* u = mk(P, 0);
  assert_ok(vm_object_set_cache_policy(&u->base, ZX_CACHE_POLICY_UNCACHED));
  assert_status(ZX_ERR_BAD_STATE, vm_object_paged_create_child(u, VM_CHILD_SNAPSHOT, 0, P, &c));
  vm_object_paged_release(u);
  // Accumulated overflow on resize of a child created far out.
  struct vm_object_paged* far =
      child(a, VM_CHILD_SNAPSHOT | VM_CHILD_RESIZABLE, UINT64_MAX - 128 * P + 1, P);
  assert_status(ZX_ERR_INVALID_ARGS, vm_object_paged_set_size(far, 256 * P));
  vm_object_paged_release(far);
  vm_object_paged_release(rs);
  vm_object_paged_release(a);
}

static void clones_decommit_zero_resize_rules(void** state) {
  struct vm_object_paged* a = mk(4 * P, VM_OBJECT_PAGED_RESIZABLE);
  for (uint64_t p = 0; p < 4; p++) fill_page(a, p, (uint8_t)(p + 1));
  struct vm_object_paged* b = child(a, VM_CHILD_SNAPSHOT | VM_CHILD_RESIZABLE, 0, 4 * P);
  assert_status(ZX_ERR_NOT_SUPPORTED, vm_object_paged_decommit_range(a, 0, P));
  assert_status(ZX_ERR_NOT_SUPPORTED, vm_object_paged_decommit_range(b, 0, P));
  // Zero on the clone gives it zero pages; the parent keeps its data.
  assert_ok(vm_object_paged_zero_range(b, 10, 2 * P));
  assert_int_equal(1, byte_at(b, 9));
  assert_int_equal(0, byte_at(b, 10));
  assert_int_equal(0, byte_at(b, 2 * P + 9));
  assert_int_equal(3, byte_at(b, 2 * P + 10));
  assert_int_equal(1, byte_at(a, 10));
  assert_int_equal(2, byte_at(a, P + 10));
  // Shrinking the parent does not expose stale data to anyone; regrowing shows zeros.
  assert_ok(vm_object_paged_set_size(a, P + 100));
  assert_int_equal(0, byte_at(a, P + 100));
  assert_ok(vm_object_paged_set_size(a, 4 * P));
  assert_int_equal(0, byte_at(a, 3 * P));
  assert_int_equal(4, byte_at(b, 3 * P));
  // Shrink and regrow the child: its window on the hidden node never comes back.
  assert_ok(vm_object_paged_set_size(b, P));
  assert_ok(vm_object_paged_set_size(b, 4 * P));
  assert_int_equal(0, byte_at(b, 3 * P));
  vm_object_paged_check(a);
  vm_object_paged_check(b);
  vm_object_paged_release(b);
  // Children gone: decommit works again. Pins block decommit and shrinking.
  assert_ok(vm_object_paged_decommit_range(a, 0, P));
  assert_ok(vm_object_paged_pin_range(a, 2 * P, P));
  assert_status(ZX_ERR_BAD_STATE, vm_object_paged_decommit_range(a, 2 * P, P));
  assert_status(ZX_ERR_BAD_STATE, vm_object_paged_set_size(a, P));
  assert_ok(vm_object_paged_zero_range(a, 2 * P, P));  // zero-filled in place
  vm_object_paged_unpin_range(a, 2 * P, P);
  assert_ok(vm_object_paged_set_size(a, P));
  vm_object_paged_release(a);
}

// ---- attribution and children count -------------------------------------------------------------

static void clones_attribution_splits_shared_pages(void** state) {
  struct vm_object_paged* a = mk(4 * P, 0);
  for (uint64_t p = 0; p < 4; p++) fill_page(a, p, 1);
  struct vm_object_paged* b = child(a, VM_CHILD_SNAPSHOT, 0, 4 * P);
  struct vm_attribution_counts ca = vm_object_get_attributed_memory(&a->base);
  assert_int_equal(4 * P, ca.uncompressed_bytes);
  assert_int_equal(0, ca.private_uncompressed_bytes);
  assert_int_equal(2 * P, ca.scaled_uncompressed_bytes.integral);
  assert_int_equal(0, ca.scaled_uncompressed_bytes.fraction);
  fill_page(b, 0, 2);  // b forks page 0: a's page 0 becomes private again (moved, not copied)
  ca = vm_object_get_attributed_memory(&a->base);
  struct vm_attribution_counts cb = vm_object_get_attributed_memory(&b->base);
  assert_int_equal(4 * P, ca.uncompressed_bytes);
  assert_int_equal(P, ca.private_uncompressed_bytes);
  assert_int_equal(P + 3 * P / 2, ca.scaled_uncompressed_bytes.integral);
  assert_int_equal(P, cb.private_uncompressed_bytes);
  // Three sharers: a third each, with a fractional part.
  struct vm_object_paged* c = child(b, VM_CHILD_SNAPSHOT, 0, 4 * P);
  struct vm_attribution_counts cc = vm_object_get_attributed_memory_in_range(&c->base, P, P);
  assert_int_equal(P, cc.uncompressed_bytes);
  assert_int_equal(P / 3, cc.scaled_uncompressed_bytes.integral);
  assert_true(cc.scaled_uncompressed_bytes.fraction > 0);
  struct vm_object_paged_stats st;
  vm_object_paged_get_stats(c, &st);
  assert_int_equal(0, st.committed_bytes);
  assert_int_equal(4 * P, st.populated_bytes);
  vm_object_paged_release(c);
  vm_object_paged_release(b);
  vm_object_paged_release(a);
}

static int observed;
static void observer(struct vm_object_paged* vmo, void* ctx) {
  (void)ctx;
  observed = (int)vm_object_paged_child_count(vmo);
}

static void clones_child_count_is_transitive_and_observed(void** state) {
  struct vm_object_paged* a = mk(P, 0);
  vm_object_set_user_id(&a->base, 42);
  vm_object_paged_set_children_observer(a, observer, NULL);
  observed = -1;
  struct vm_object_paged* b = child(a, VM_CHILD_SNAPSHOT, 0, P);
  assert_int_equal(1, observed);
  assert_int_equal(42, vm_object_paged_parent_user_id(b));
  struct vm_object_paged* c = child(b, VM_CHILD_SLICE, 0, P);
  vm_object_paged_release(b);  // c keeps a "having children"
  assert_int_equal(1, vm_object_paged_child_count(a));
  observed = -1;
  vm_object_paged_release(c);
  assert_int_equal(0, observed);
  assert_int_equal(0, vm_object_paged_child_count(a));
  vm_object_paged_release(a);
}

// ---- randomized model ---------------------------------------------------------------------------

#define MAXV 8
#define MAXP 8
#define MAXS 64

struct store {
  uint8_t bytes[MAXP * P];
  uint64_t size;
};
struct mvmo {
  struct vm_object_paged* vmo;
  int store;
  uint64_t offset;
  uint64_t fixed;  // slice size, 0 = follows the store
  bool resizable;
};

static struct store stores[MAXS];
static struct mvmo vm[MAXV];
static int nstores;
static uint8_t buf[MAXP * P];

static uint64_t msize(const struct mvmo* m) {
  if (m->fixed) return m->fixed;
  uint64_t s = stores[m->store].size;
  return s > m->offset ? s - m->offset : 0;
}

static void check_all(void) {
  for (int i = 0; i < MAXV; i++) {
    if (!vm[i].vmo) continue;
    vm_object_paged_check(vm[i].vmo);
    uint64_t size = msize(&vm[i]);
    assert_int_equal(size, vm_object_paged_get_size(vm[i].vmo));
    assert_ok(vm_object_paged_read(vm[i].vmo, buf, 0, size));
    assert_memory_equal(buf, stores[vm[i].store].bytes + vm[i].offset, size);
  }
}

// True when a live VMO viewing store |s| in full (the VMO or a reference) is resizable.
static bool store_resizable(int s) {
  for (int i = 0; i < MAXV; i++) {
    if (vm[i].vmo && vm[i].store == s && vm[i].resizable && !vm[i].fixed) return true;
  }
  return false;
}

static void rand_child(struct prng* r, int from, int slot) {
  struct mvmo* f = &vm[from];
  uint64_t size = msize(f);
  static const uint32_t types[] = {VM_CHILD_SNAPSHOT, VM_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
                                   VM_CHILD_SNAPSHOT_MODIFIED, VM_CHILD_SLICE, VM_CHILD_REFERENCE};
  uint32_t type = types[prng_uniform(r, 5)];
  uint64_t off = prng_uniform(r, MAXP) * P, len = (1 + prng_uniform(r, MAXP)) * P;
  if (type != VM_CHILD_SLICE && type != VM_CHILD_REFERENCE && off + len > MAXP * P) {
    len = MAXP * P - off;
    if (len == 0) return;
  }
  bool resizable = type != VM_CHILD_SLICE && prng_uniform(r, 2) == 0;
  if (type == VM_CHILD_REFERENCE) resizable = f->resizable && prng_uniform(r, 2) == 0;
  uint32_t opts = type | (resizable ? VM_CHILD_RESIZABLE : 0);
  zx_status_t expect = ZX_OK;
  if (type == VM_CHILD_SLICE && off + len > size)
    expect = ZX_ERR_INVALID_ARGS;
  else if (type == VM_CHILD_SLICE && store_resizable(f->store))
    expect = ZX_ERR_NOT_SUPPORTED;  // some view could shrink the pages under the slice
  struct vm_object_paged* c = NULL;
  assert_status(expect, vm_object_paged_create_child(f->vmo, opts, off, len, &c));
  if (expect != ZX_OK) return;
  struct mvmo* m = &vm[slot];
  m->vmo = c;
  m->resizable = resizable;
  if (type == VM_CHILD_SLICE || type == VM_CHILD_REFERENCE) {
    m->store = f->store;
    m->offset = type == VM_CHILD_SLICE ? f->offset + off : f->offset;
    m->fixed = type == VM_CHILD_SLICE ? len : f->fixed;
    return;
  }
  assert_true(nstores < MAXS);
  struct store* s = &stores[nstores];
  memset(s->bytes, 0, sizeof(s->bytes));
  if (off < size)
    memcpy(s->bytes, stores[f->store].bytes + f->offset + off, min_u64(len, size - off));
  s->size = len;
  m->store = nstores++;
  m->offset = 0;
  m->fixed = 0;
}

static void rand_op(struct prng* r, int i) {
  struct mvmo* m = &vm[i];
  uint64_t size = msize(m);
  uint64_t a = size ? prng_uniform(r, size) : 0, n = size ? prng_uniform(r, size - a + 1) : 0;
  uint8_t* base = stores[m->store].bytes + m->offset;
  switch (prng_uniform(r, 4)) {
    case 0:
      for (uint64_t k = 0; k < n; k++) buf[k] = (uint8_t)prng_next(r);
      assert_ok(vm_object_paged_write(m->vmo, buf, a, n));
      memcpy(base + a, buf, n);
      break;
    case 1:
      assert_ok(vm_object_paged_zero_range(m->vmo, a, n));
      memset(base + a, 0, n);
      break;
    case 2: {
      if (!m->resizable || m->fixed) break;
      uint64_t s = prng_uniform(r, MAXP * P - m->offset + 1);
      assert_ok(vm_object_paged_set_size(m->vmo, s));
      struct store* st = &stores[m->store];
      uint64_t rounded = ROUNDDOWN_PAGE(s + P - 1) + m->offset;
      memset(st->bytes + m->offset + s, 0, sizeof(st->bytes) - m->offset - s);
      st->size = rounded;
      break;
    }
    default:
      assert_ok(vm_object_paged_commit_range(m->vmo, a, n));
      break;
  }
}

static void clones_random_forest_matches_model(void** state) {
  struct prng r;
  prng_seed(&r, test_seed("clones_random_forest_matches_model"));
  for (int round = 0; round < 30; round++) {
    memset(vm, 0, sizeof(vm));
    nstores = 1;
    memset(&stores[0], 0, sizeof(stores[0]));
    stores[0].size = (1 + prng_uniform(&r, MAXP)) * P;
    vm[0].resizable = prng_uniform(&r, 2) == 0;
    vm[0].vmo = mk(stores[0].size, vm[0].resizable ? VM_OBJECT_PAGED_RESIZABLE : 0);
    for (int step = 0; step < 120 && nstores < MAXS - 1; step++) {
      int i = (int)prng_uniform(&r, MAXV);
      if (!vm[i].vmo) continue;
      uint64_t what = prng_uniform(&r, 10);
      if (what < 3) {
        int slot = -1;
        for (int k = 0; k < MAXV; k++)
          if (!vm[k].vmo) slot = k;
        if (slot >= 0) rand_child(&r, i, slot);
      } else if (what == 3) {
        vm_object_paged_release(vm[i].vmo);
        vm[i].vmo = NULL;
      } else {
        rand_op(&r, i);
      }
      check_all();
    }
    for (int i = 0; i < MAXV; i++) {
      if (vm[i].vmo) vm_object_paged_release(vm[i].vmo);
      vm[i].vmo = NULL;
      check_all();
    }
    assert_int_equal(0, used_pages());
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
      T(clones_snapshot_isolated_both_ways_at_every_page),
      T(clones_snapshot_beyond_parent_reads_zero),
      T(clones_chain_depth_12_closed_front_to_back_merges),
      T(clones_tree_closes_in_every_order_return_to_baseline),
      T(clones_slice_is_a_window_sharing_pages),
      T(clones_reference_sees_and_causes_resizes),
      T(clones_create_child_statuses),
      T(clones_decommit_zero_resize_rules),
      T(clones_attribution_splits_shared_pages),
      T(clones_child_count_is_transitive_and_observed),
      T(clones_random_forest_matches_model),
#undef T
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
