// Copy-on-write clones in pager-backed trees at the VM level, as Zircon builds them: which child
// kind each request gets (unidirectional from the root and along unidirectional chains,
// bidirectional under a hidden node or for a snapshot-modified child of a non-root node, nothing
// through a slice that would need a bidirectional child), where a unidirectional child hangs
// (above intermediates that own nothing in its window), forks from a visible owner copied straight
// into the writer, and attribution (a visible node's pages are its own alone; a hidden node's are
// shared by the visible nodes that read them), and a randomized forest (seed printed, replayed
// with ZXVM_TEST_SEED). Every page is supplied up front, so no access blocks; the full checker
// runs after each step in the testing build.
#include <string.h>

#include "test_util.h"
// The library headers after the test harness.
#include "base/prng.h"
#include "pmm/pmm.h"
#include "unit/pager/pager_test_util.h"
#include "vm/vm_object_paged.h"
#include "vm/vm_pager.h"

#define P PAGE_SIZE
#define SM VM_CHILD_SNAPSHOT_MODIFIED
#define ALOW VM_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE

static struct packet_queue q;
static struct page_source* src;
static uint64_t baseline_free;

static uint64_t free_pages(void) {
  struct pmm_counts c;
  pmm_get_counts(&c);
  return c.free_pages;
}

static int setup(void** state) {
  (void)state;
  assert_ok(pmm_init(64u << 20));
  baseline_free = free_pages();
  packet_queue_init(&q);
  assert_ok(page_source_create(0, 1, packet_queue_send, &q, &src));
  return 0;
}

static int teardown(void** state) {
  (void)state;
  page_source_release(src);
  packet_queue_destroy(&q);
  // After a failed assertion the test's VMOs are still alive: report instead of shutting down
  // under them (pmm_shutdown panics on allocated pages).
  uint64_t leaked = baseline_free - free_pages();
  if (leaked != 0) {
    print_error("test left %" PRIu64 " pages allocated\n", leaked);
    return -1;
  }
  pmm_shutdown();
  return 0;
}

// A pager VMO of |pages| pages, all supplied, page i starting with word i + 1.
static struct vm_object_paged* root_vmo(uint64_t pages) {
  struct vm_object_paged* vmo;
  assert_ok(vm_pager_create_vmo(0, pages * P, src, &vmo));
  struct vm_object_paged* aux;
  assert_ok(vm_object_paged_create(0, pages * P, &aux));
  for (uint64_t i = 0; i < pages; i++) {
    uint64_t w = i + 1;
    assert_ok(vm_object_paged_write(aux, &w, i * P, sizeof(w)));
  }
  assert_ok(vm_pager_supply_pages(vmo, 0, pages * P, aux, 0));
  vm_object_paged_release(aux);
  return vmo;
}

static struct vm_object_paged* child(struct vm_object_paged* parent, uint32_t options,
                                     uint64_t offset, uint64_t size) {
  struct vm_object_paged* c = NULL;
  assert_ok(vm_object_paged_create_child(parent, options, offset, size, &c));
  vm_object_paged_check(c);
  return c;
}

static uint64_t word(struct vm_object_paged* v, uint64_t page) {
  uint64_t w;
  assert_ok(vm_object_paged_read(v, &w, page * P, sizeof(w)));
  return w;
}

static void put(struct vm_object_paged* v, uint64_t page, uint64_t w) {
  assert_ok(vm_object_paged_write(v, &w, page * P, sizeof(w)));
  vm_object_paged_check(v);
}

static uint64_t scaled(struct vm_object_paged* v) {
  return vm_object_get_attributed_memory(&v->base).scaled_uncompressed_bytes.integral;
}

static uint64_t populated(struct vm_object_paged* v) {
  return vm_object_get_attributed_memory(&v->base).uncompressed_bytes;
}

// Fuchsia's AtLeastOnWriteAfterSnapshotModified: under a hidden node the at-least-on-write child
// is upgraded to a snapshot, so the snapshot's later write does not show in it.
static void clones_pager_alow_under_hidden_node_is_a_snapshot(void** state) {
  (void)state;
  struct vm_object_paged* v = root_vmo(1);
  struct vm_object_paged* clone = child(v, SM, 0, P);
  put(clone, 0, 0xa);
  struct vm_object_paged* snap = child(clone, SM, 0, P);
  put(clone, 0, 0xb);
  struct vm_object_paged* alow = child(snap, ALOW, 0, P);
  assert_int_equal(0xa, word(alow, 0));
  put(snap, 0, 0xc);
  assert_int_equal(0xc, word(snap, 0));
  assert_int_equal(0xa, word(alow, 0));
  assert_int_equal(0xb, word(clone, 0));
  assert_int_equal(1, word(v, 0));
  vm_object_paged_release(snap);
  vm_object_paged_release(alow);
  vm_object_paged_release(clone);
  vm_object_paged_release(v);
}

// Fuchsia's SnapshotSlice, SnapshotSliceAtLeastOnWrite and AlowSlice: a slice takes only
// unidirectional children, which exist from the root and along unidirectional chains.
static void clones_pager_slice_children_statuses(void** state) {
  (void)state;
  struct vm_object_paged* v = root_vmo(2);
  struct vm_object_paged* rslice = child(v, VM_CHILD_SLICE, 0, P);
  struct vm_object_paged* a = child(rslice, ALOW, 0, P);
  struct vm_object_paged* s = child(rslice, SM, 0, P);
  struct vm_object_paged* clone = child(v, SM, 0, 2 * P);
  struct vm_object_paged* cslice = child(clone, VM_CHILD_SLICE, P, P);
  // |clone| is a unidirectional child of the root: at-least-on-write through its slice works,
  // snapshot-modified would be bidirectional.
  struct vm_object_paged* ca = child(cslice, ALOW, 0, P);
  struct vm_object_paged* bad = NULL;
  assert_status(ZX_ERR_NOT_SUPPORTED, vm_object_paged_create_child(cslice, SM, 0, P, &bad));
  struct vm_object_paged* snap = child(clone, SM, 0, 2 * P);
  struct vm_object_paged* sslice = child(snap, VM_CHILD_SLICE, 0, P);
  assert_status(ZX_ERR_NOT_SUPPORTED, vm_object_paged_create_child(sslice, SM, 0, P, &bad));
  assert_status(ZX_ERR_NOT_SUPPORTED, vm_object_paged_create_child(sslice, ALOW, 0, P, &bad));
  assert_status(ZX_ERR_NOT_SUPPORTED,
                vm_object_paged_create_child(sslice, VM_CHILD_SNAPSHOT, 0, P, &bad));
  assert_null(bad);
  struct vm_object_paged* all[] = {sslice, snap, ca, cslice, clone, s, a, rslice, v};
  for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) vm_object_paged_release(all[i]);
}

// Fuchsia's Snapshot.ObjMemAccounting and Smoke: the root's pages are the root's alone, a write
// under a hidden node copies the root's page straight into the writer (the hidden node gets no
// copy), and a hidden node's page is split between the visible nodes reading it.
static void clones_pager_root_pages_attributed_to_root(void** state) {
  (void)state;
  struct vm_object_paged* v = root_vmo(2);
  struct vm_object_paged* clone = child(v, SM, 0, 2 * P);
  assert_int_equal(2 * P, populated(v));
  assert_int_equal(2 * P, scaled(v));
  assert_int_equal(0, populated(clone));
  put(clone, 0, 0xa);
  struct vm_object_paged* snap = child(clone, SM, 0, 2 * P);
  assert_int_equal(2 * P, scaled(v));
  assert_int_equal(P / 2, scaled(clone));
  assert_int_equal(P / 2, scaled(snap));
  assert_int_equal(P, populated(snap));
  assert_int_equal(0, vm_object_get_attributed_memory(&snap->base).private_uncompressed_bytes);
  put(clone, 1, 0xb);  // root page 1 copied into clone only: snap still reads the root's
  assert_int_equal(3 * P / 2, scaled(clone));
  assert_int_equal(P / 2, scaled(snap));
  assert_int_equal(2, word(snap, 1));
  put(snap, 0, 0xc);  // the hidden page is now snap-free: clone's alone
  assert_int_equal(2 * P, scaled(clone));
  assert_int_equal(P, scaled(snap));
  put(snap, 1, 0xd);
  assert_int_equal(2 * P, scaled(snap));
  assert_int_equal(2 * P, scaled(v));
  assert_int_equal(0xa, word(clone, 0));
  assert_int_equal(0xb, word(clone, 1));
  assert_int_equal(1, word(v, 0));
  vm_object_paged_release(clone);
  vm_object_paged_release(snap);
  assert_int_equal(2 * P, scaled(v));
  vm_object_paged_release(v);
}

// Fuchsia's CloneChainCommitTest: committing the clone of an unidirectional clone copies every
// page into the committing clone and none into the intermediate.
static void clones_pager_chain_commit_fills_the_leaf_only(void** state) {
  (void)state;
  enum { kPages = 8 };
  struct vm_object_paged* v = root_vmo(kPages);
  struct vm_object_paged* mid = child(v, ALOW, 0, kPages * P);
  put(mid, 3, 0x33);  // an intermediate that owns a page keeps the leaf below it
  struct vm_object_paged* leaf = child(mid, ALOW, 0, kPages * P);
  assert_ok(vm_object_paged_commit_range(leaf, 0, kPages * P));
  vm_object_paged_check(leaf);
  assert_int_equal(kPages * P, populated(leaf));
  assert_int_equal(P, populated(mid));
  assert_int_equal(kPages * P, populated(v));
  assert_int_equal(0x33, word(leaf, 3));
  assert_int_equal(5, word(leaf, 4));
  vm_object_paged_release(leaf);
  vm_object_paged_release(mid);
  vm_object_paged_release(v);
}

// Fuchsia's CloneMightSeeIntermediateForks: a unidirectional child hangs above an intermediate
// that owns nothing in its window, so the intermediate's later forks do not show in it; a child
// whose window holds an intermediate's page hangs off that intermediate and sees its later forks.
static void clones_pager_child_hangs_above_empty_intermediate(void** state) {
  (void)state;
  struct vm_object_paged* v = root_vmo(16);
  struct vm_object_paged* c = child(v, ALOW, 0, 16 * P);
  put(c, 8, 0x100);
  struct vm_object_paged* empty = child(c, ALOW, 0, 8 * P);
  struct vm_object_paged* forked = child(c, ALOW, 8 * P, 8 * P);
  assert_int_equal(1, word(empty, 0));
  assert_int_equal(0x100, word(forked, 0));
  put(empty, 0, 2);
  put(forked, 1, 3);
  put(c, 0, 4);
  put(c, 1, 6);
  put(c, 10, 7);
  assert_int_equal(2, word(empty, 0));
  assert_int_equal(3, word(forked, 1));
  assert_int_equal(2, word(empty, 1));  // the root's page, not c's later 6
  assert_int_equal(7, word(forked, 2));
  // The empty child outlives the intermediate it was created from.
  vm_object_paged_release(c);
  assert_int_equal(2, word(empty, 1));
  assert_int_equal(0x100, word(forked, 0));
  vm_object_paged_release(forked);
  vm_object_paged_release(empty);
  vm_object_paged_release(v);
}

// A hung-high child's window is clipped by each intermediate's window it skipped (Fuchsia's
// CloneSeesCorrectParentPages): past the intermediate's limit it reads zeros, not the root.
static void clones_pager_hung_child_window_clipped_by_skipped_nodes(void** state) {
  (void)state;
  struct vm_object_paged* v = root_vmo(16);
  struct vm_object_paged* c1 = child(v, ALOW, P, 4 * P);   // root pages 1..4
  struct vm_object_paged* c2 = child(c1, ALOW, P, 8 * P);  // c1 pages 1..3, zeros after
  assert_int_equal(3, word(c2, 0));
  assert_int_equal(5, word(c2, 2));
  for (uint64_t i = 3; i < 8; i++) assert_int_equal(0, word(c2, i));
  put(c1, 1, 0x11);  // c2 hung off the root: c1's later fork does not show
  assert_int_equal(3, word(c2, 0));
  vm_object_paged_release(c1);
  for (uint64_t i = 3; i < 8; i++) assert_int_equal(0, word(c2, i));
  vm_object_paged_release(c2);
  vm_object_paged_release(v);
}

// ---- randomized forest ----------------------------------------------------------------------

enum { kRandPages = 8, kRandVmos = 10 };

struct rvmo {
  struct vm_object_paged* vmo;
  uint64_t pages;
  uint64_t own[kRandPages];  // the last word this VMO wrote at each page (0: none)
};

// The scaled shares of the live VMOs add up to the tree's pmm pages (each split may round a byte
// away) while every node still has its VMO. Once a VMO has closed, the pages of its node (kept
// for the unidirectional children hanging off it) are nobody's, as in Zircon, which never
// attributes a visible node's pages to its children: then the shares only stay below the pages.
static void check_attribution_adds_up(struct rvmo* r, bool closed) {
  uint64_t sum = 0, frac = 0;
  for (int i = 0; i < kRandVmos; i++) {
    if (r[i].vmo == NULL) continue;
    struct vm_attribution_counts c = vm_object_get_attributed_memory(&r[i].vmo->base);
    sum += c.scaled_uncompressed_bytes.integral;
    frac += c.scaled_uncompressed_bytes.fraction > 0;
  }
  uint64_t used = (baseline_free - free_pages()) * P;
  assert_true(sum <= used);
  if (!closed) assert_true(used - sum <= frac);
}

static void rand_step(struct prng* rng, struct rvmo* r, uint64_t* next_word, bool* closed) {
  int i = (int)prng_uniform(rng, kRandVmos);
  struct rvmo* v = &r[i];
  if (v->vmo == NULL) return;
  uint64_t what = prng_uniform(rng, 10);
  if (what < 3) {
    int slot = -1;
    for (int k = 0; k < kRandVmos; k++) {
      if (r[k].vmo == NULL) slot = k;
    }
    if (slot < 0) return;
    uint64_t off = prng_uniform(rng, v->pages), len = 1 + prng_uniform(rng, kRandPages - off);
    uint32_t type = prng_uniform(rng, 2) ? SM : ALOW;
    struct vm_object_paged* c = NULL;
    zx_status_t st = vm_object_paged_create_child(v->vmo, type, off * P, len * P, &c);
    // A bidirectional child needs a node without unidirectional children of its own.
    if (st == ZX_ERR_NOT_SUPPORTED) return;
    assert_ok(st);
    // What it inherits may still change (an at-least-on-write child sees its parent's later
    // writes; any child sees the root's): only its own writes are tracked.
    r[slot] = (struct rvmo){.vmo = c, .pages = len};
  } else if (what == 3 && i != 0) {
    vm_object_paged_release(v->vmo);
    memset(v, 0, sizeof(*v));
    *closed = true;
  } else if (what < 8) {
    uint64_t p = prng_uniform(rng, v->pages), w = (*next_word)++;
    assert_ok(vm_object_paged_write(v->vmo, &w, p * P, sizeof(w)));
    v->own[p] = w;
  } else {
    uint64_t p = prng_uniform(rng, v->pages);
    assert_ok(vm_object_paged_commit_range(v->vmo, p * P, (v->pages - p) * P));
  }
}

// Random snapshot-modified and at-least-on-write children, writes, commits and closes over a
// pager root: the checker holds after every step, every page a VMO wrote still reads the word it
// wrote last, and attribution adds up.
static void clones_pager_random_forest(void** state) {
  (void)state;
  struct prng rng;
  prng_seed(&rng, test_seed("clones_pager_random_forest"));
  uint64_t next_word = 0x1000;
  for (int round = 0; round < 20; round++) {
    if (round > 0) {  // a page source backs one VMO for its life: each round gets a new one
      page_source_release(src);
      assert_ok(page_source_create(0, 1, packet_queue_send, &q, &src));
    }
    struct rvmo r[kRandVmos];
    memset(r, 0, sizeof(r));
    r[0] = (struct rvmo){.vmo = root_vmo(kRandPages), .pages = kRandPages};
    bool closed = false;
    for (int step = 0; step < 150; step++) {
      rand_step(&rng, r, &next_word, &closed);
      for (int i = 0; i < kRandVmos; i++) {
        if (r[i].vmo == NULL) continue;
        vm_object_paged_check(r[i].vmo);
        for (uint64_t p = 0; p < r[i].pages; p++) {
          if (r[i].own[p] != 0) assert_int_equal(r[i].own[p], word(r[i].vmo, p));
        }
      }
      check_attribution_adds_up(r, closed);
    }
    for (int i = kRandVmos - 1; i >= 0; i--) {
      if (r[i].vmo != NULL) vm_object_paged_release(r[i].vmo);
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
      T(clones_pager_alow_under_hidden_node_is_a_snapshot),
      T(clones_pager_slice_children_statuses),
      T(clones_pager_root_pages_attributed_to_root),
      T(clones_pager_chain_commit_fills_the_leaf_only),
      T(clones_pager_child_hangs_above_empty_intermediate),
      T(clones_pager_hung_child_window_clipped_by_skipped_nodes),
      T(clones_pager_random_forest),
#undef T
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
