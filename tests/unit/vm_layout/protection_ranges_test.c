// Unit tests for struct mapping_protection_ranges (src/vm/mapping_protection_ranges.h): every case
// of the update algorithm with the exact old runs its callback reports, allocation failure,
// merge/split/discard, the checker, a mapping at the top of the address space, and a randomized
// comparison against a per-page flags model.
#include <string.h>

#include "test_util.h"
// zxvm headers after cmocka.
#include "base/alloc_fail.h"
#include "base/platform.h"
#include "base/prng.h"
#include "vm/mapping_protection_ranges.h"

#define PG PAGE_SIZE
#define B ((vaddr_t)0x40000000)  // mapping base used by most tests

// Permission-style flags, all with cache bits 0 (cached) as in ARCH_MMU_FLAG_*.
enum {
  F_U = 0x04,
  F_R = 0x08 | F_U,
  F_RW = 0x18 | F_U,
  F_RX = 0x28 | F_U,
  F_RWX = 0x38 | F_U,
  F_NONE = F_U,
};

// A run as pages relative to a mapping base.
struct run {
  uint64_t page;
  uint64_t pages;
  uint32_t flags;
};

#define MAX_RUNS 128

struct runs {
  size_t n;
  struct run r[MAX_RUNS];
  vaddr_t base;
};

static zx_status_t collect_run(void* ctx, vaddr_t base, size_t len, uint32_t flags) {
  struct runs* rs = ctx;
  assert_true(rs->n < MAX_RUNS);
  assert_int_equal(0, (base - rs->base) % PG);
  assert_int_equal(0, len % PG);
  rs->r[rs->n++] = (struct run){(base - rs->base) / PG, len / PG, flags};
  return ZX_ERR_NEXT;
}

static void record_update(void* ctx, vaddr_t base, size_t len, uint32_t old_flags) {
  (void)collect_run(ctx, base, len, old_flags);
}

// Asserts that the runs of the mapping [base, base + pages * PG) are exactly |expect| and that
// the object is valid, with one node per run after the first.
static void expect_runs(const struct mapping_protection_ranges* mpr, vaddr_t base, uint64_t pages,
                        const struct run* expect, size_t n) {
  assert_null(mpr_check_msg(mpr, base, pages * PG));
  struct runs got = {.base = base};
  assert_ok(mpr_enumerate(mpr, base, pages * PG, base, pages * PG, collect_run, &got));
  assert_int_equal(n, got.n);
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(expect[i].page, got.r[i].page);
    assert_int_equal(expect[i].pages, got.r[i].pages);
    assert_int_equal(expect[i].flags, got.r[i].flags);
  }
  assert_int_equal(n - 1, mpr_node_count(mpr));
  assert_int_equal(n == 1, mpr_is_single_region(mpr));
  assert_int_equal(expect[0].flags, mpr_first_region_flags(mpr));
}

#define EXPECT_RUNS(mpr, base, pages, ...)                \
  do {                                                    \
    const struct run e_[] = {__VA_ARGS__};                \
    expect_runs((mpr), (base), (pages), e_, countof(e_)); \
  } while (0)

static void expect_reported(const struct runs* got, const struct run* expect, size_t n) {
  assert_int_equal(n, got->n);
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(expect[i].page, got->r[i].page);
    assert_int_equal(expect[i].pages, got->r[i].pages);
    assert_int_equal(expect[i].flags, got->r[i].flags);
  }
}

#define EXPECT_REPORTED(got, ...)            \
  do {                                       \
    const struct run e_[] = {__VA_ARGS__};   \
    expect_reported((got), e_, countof(e_)); \
  } while (0)

// Updates pages [page, page + pages) of the 16-page mapping at B, expecting success.
static void update_ok(struct mapping_protection_ranges* mpr, uint64_t page, uint64_t pages,
                      uint32_t flags, struct runs* reported) {
  reported->n = 0;
  reported->base = B;
  assert_ok(mpr_update(mpr, B, 16 * PG, B + page * PG, pages * PG, flags, record_update, reported));
}

// Builds A[0,4) B[4,8) C[8,12) D[12,16) on a 16-page mapping.
static void make_four_runs(struct mapping_protection_ranges* mpr) {
  struct runs rep;
  mpr_init(mpr, F_R);
  update_ok(mpr, 4, 4, F_RW, &rep);
  update_ok(mpr, 8, 4, F_RX, &rep);
  update_ok(mpr, 12, 4, F_NONE, &rep);
  EXPECT_RUNS(mpr, B, 16, {0, 4, F_R}, {4, 4, F_RW}, {8, 4, F_RX}, {12, 4, F_NONE});
}

static void mpr_init_single_region(void** state) {
  struct mapping_protection_ranges mpr;
  mpr_init(&mpr, F_RW);
  EXPECT_RUNS(&mpr, B, 16, {0, 16, F_RW});
  struct flags_range fr = mpr_flags_range_at_addr(&mpr, B, 16 * PG, B + 5 * PG);
  assert_int_equal(F_RW, fr.mmu_flags);
  assert_int_equal(B + 16 * PG, fr.region_top);
  mpr_set_first_region_flags(&mpr, F_R | 1);
  assert_int_equal(F_R | 1, mpr_first_region_flags(&mpr));
  mpr_clear(&mpr);
}

static void mpr_update_at_start(void** state) {
  struct mapping_protection_ranges mpr;
  struct runs rep;
  mpr_init(&mpr, F_RW);
  update_ok(&mpr, 0, 4, F_R, &rep);
  EXPECT_REPORTED(&rep, {0, 4, F_RW});
  EXPECT_RUNS(&mpr, B, 16, {0, 4, F_R}, {4, 12, F_RW});
  mpr_clear(&mpr);
}

static void mpr_update_at_end(void** state) {
  struct mapping_protection_ranges mpr;
  struct runs rep;
  mpr_init(&mpr, F_RW);
  update_ok(&mpr, 12, 4, F_R, &rep);
  EXPECT_REPORTED(&rep, {12, 4, F_RW});
  EXPECT_RUNS(&mpr, B, 16, {0, 12, F_RW}, {12, 4, F_R});
  struct flags_range fr = mpr_flags_range_at_addr(&mpr, B, 16 * PG, B + 11 * PG);
  assert_int_equal(F_RW, fr.mmu_flags);
  assert_int_equal(B + 12 * PG, fr.region_top);
  fr = mpr_flags_range_at_addr(&mpr, B, 16 * PG, B + 12 * PG);
  assert_int_equal(F_R, fr.mmu_flags);
  assert_int_equal(B + 16 * PG, fr.region_top);
  mpr_clear(&mpr);
  assert_int_equal(0, mpr_node_count(&mpr));
}

static void mpr_update_middle(void** state) {
  struct mapping_protection_ranges mpr;
  struct runs rep;
  mpr_init(&mpr, F_RW);
  update_ok(&mpr, 4, 4, F_R, &rep);
  EXPECT_REPORTED(&rep, {4, 4, F_RW});
  EXPECT_RUNS(&mpr, B, 16, {0, 4, F_RW}, {4, 4, F_R}, {8, 8, F_RW});
  // A nested middle update splits the middle run again.
  update_ok(&mpr, 5, 1, F_RX, &rep);
  EXPECT_REPORTED(&rep, {5, 1, F_R});
  EXPECT_RUNS(&mpr, B, 16, {0, 4, F_RW}, {4, 1, F_R}, {5, 1, F_RX}, {6, 2, F_R}, {8, 8, F_RW});
  mpr_clear(&mpr);
}

static void mpr_update_whole_reports_every_old_run(void** state) {
  struct mapping_protection_ranges mpr;
  struct runs rep;
  make_four_runs(&mpr);  // R RW RX NONE
  update_ok(&mpr, 0, 16, F_R, &rep);
  // The R run is unchanged and not reported; each other run is, with its own old flags.
  EXPECT_REPORTED(&rep, {4, 4, F_RW}, {8, 4, F_RX}, {12, 4, F_NONE});
  EXPECT_RUNS(&mpr, B, 16, {0, 16, F_R});
  // Whole-mapping update to new cache bits is allowed (mapping-wide policy change).
  update_ok(&mpr, 0, 16, F_R | 2, &rep);
  EXPECT_REPORTED(&rep, {0, 16, F_R});
  EXPECT_RUNS(&mpr, B, 16, {0, 16, F_R | 2});
}

static void mpr_update_spanning_runs_reuses_nodes(void** state) {
  struct mapping_protection_ranges mpr;
  struct runs rep;
  make_four_runs(&mpr);
  // Two nodes are needed (at 2 and 14) and three erased: no allocation at all.
  alloc_fail_arm(1);
  update_ok(&mpr, 2, 12, F_RWX, &rep);
  assert_false(alloc_fail_fired());
  alloc_fail_arm(0);
  EXPECT_REPORTED(&rep, {2, 2, F_R}, {4, 4, F_RW}, {8, 4, F_RX}, {12, 2, F_NONE});
  EXPECT_RUNS(&mpr, B, 16, {0, 2, F_R}, {2, 12, F_RWX}, {14, 2, F_NONE});
  mpr_clear(&mpr);
}

static void mpr_update_exact_runs(void** state) {
  struct mapping_protection_ranges mpr;
  struct runs rep;
  make_four_runs(&mpr);
  // Exactly covering runs B and C: the node at 4 is reused, the one at 12 stays.
  update_ok(&mpr, 4, 8, F_RWX, &rep);
  EXPECT_REPORTED(&rep, {4, 4, F_RW}, {8, 4, F_RX});
  EXPECT_RUNS(&mpr, B, 16, {0, 4, F_R}, {4, 8, F_RWX}, {12, 4, F_NONE});
  mpr_clear(&mpr);
}

static void mpr_update_coalesces_with_neighbours(void** state) {
  struct mapping_protection_ranges mpr;
  struct runs rep;
  // Joins the left neighbour: the run boundary moves right.
  mpr_init(&mpr, F_RW);
  update_ok(&mpr, 4, 12, F_R, &rep);
  update_ok(&mpr, 4, 4, F_RW, &rep);
  EXPECT_REPORTED(&rep, {4, 4, F_R});
  EXPECT_RUNS(&mpr, B, 16, {0, 8, F_RW}, {8, 8, F_R});
  // Joins the right neighbour: the boundary moves left.
  update_ok(&mpr, 6, 2, F_R, &rep);
  EXPECT_REPORTED(&rep, {6, 2, F_RW});
  EXPECT_RUNS(&mpr, B, 16, {0, 6, F_RW}, {6, 10, F_R});
  // Joins both: back to a single region.
  update_ok(&mpr, 0, 4, F_R, &rep);
  update_ok(&mpr, 4, 2, F_R, &rep);
  EXPECT_REPORTED(&rep, {4, 2, F_RW});
  EXPECT_RUNS(&mpr, B, 16, {0, 16, F_R});
  // Hole filled at the start: [0,4) RW [4,16) R -> R.
  update_ok(&mpr, 0, 4, F_RW, &rep);
  update_ok(&mpr, 0, 4, F_R, &rep);
  EXPECT_RUNS(&mpr, B, 16, {0, 16, F_R});
  // A middle hole whose update ends exactly at the next node with equal flags.
  update_ok(&mpr, 4, 4, F_RW, &rep);
  update_ok(&mpr, 2, 6, F_R, &rep);
  EXPECT_REPORTED(&rep, {4, 4, F_RW});
  EXPECT_RUNS(&mpr, B, 16, {0, 16, F_R});
  // Ending at the next node whose flags differ keeps that node.
  make_four_runs(&mpr);
  update_ok(&mpr, 6, 2, F_R, &rep);
  EXPECT_RUNS(&mpr, B, 16, {0, 4, F_R}, {4, 2, F_RW}, {6, 2, F_R}, {8, 4, F_RX}, {12, 4, F_NONE});
  mpr_clear(&mpr);
}

static void mpr_update_same_flags_changes_nothing(void** state) {
  struct mapping_protection_ranges mpr;
  struct runs rep;
  mpr_init(&mpr, F_RW);
  alloc_fail_arm(1);
  update_ok(&mpr, 4, 4, F_RW, &rep);
  update_ok(&mpr, 0, 16, F_RW, &rep);
  assert_false(alloc_fail_fired());
  alloc_fail_arm(0);
  assert_int_equal(0, rep.n);
  EXPECT_RUNS(&mpr, B, 16, {0, 16, F_RW});
  make_four_runs(&mpr);
  alloc_fail_arm(1);
  update_ok(&mpr, 4, 4, F_RW, &rep);  // exactly an existing run
  update_ok(&mpr, 5, 2, F_RW, &rep);  // inside it
  assert_false(alloc_fail_fired());
  alloc_fail_arm(0);
  assert_int_equal(0, rep.n);
  EXPECT_RUNS(&mpr, B, 16, {0, 4, F_R}, {4, 4, F_RW}, {8, 4, F_RX}, {12, 4, F_NONE});
  mpr_clear(&mpr);
}

static void mpr_update_alloc_failure_leaves_object_unchanged(void** state) {
  struct mapping_protection_ranges mpr;
  struct runs rep;
  mpr_init(&mpr, F_RW);
  // A middle update needs two nodes: fail the first, then the second allocation.
  for (uint64_t n = 1;; n++) {
    alloc_fail_arm(n);
    rep = (struct runs){.base = B};
    zx_status_t st = mpr_update(&mpr, B, 16 * PG, B + 4 * PG, 4 * PG, F_R, record_update, &rep);
    bool fired = alloc_fail_fired();
    alloc_fail_arm(0);
    if (!fired) {
      assert_ok(st);
      assert_int_equal(3, n);
      break;
    }
    assert_status(ZX_ERR_NO_MEMORY, st);
    assert_int_equal(0, rep.n);
    EXPECT_RUNS(&mpr, B, 16, {0, 16, F_RW});
  }
  EXPECT_RUNS(&mpr, B, 16, {0, 4, F_RW}, {4, 4, F_R}, {8, 8, F_RW});
  // [10,12) -> RX inside the last run needs two fresh nodes; failing the first changes nothing.
  alloc_fail_arm(1);
  rep.n = 0;
  zx_status_t st = mpr_update(&mpr, B, 16 * PG, B + 10 * PG, 2 * PG, F_RX, record_update, &rep);
  alloc_fail_arm(0);
  assert_status(ZX_ERR_NO_MEMORY, st);
  assert_int_equal(0, rep.n);
  EXPECT_RUNS(&mpr, B, 16, {0, 4, F_RW}, {4, 4, F_R}, {8, 8, F_RW});
  mpr_clear(&mpr);
}

static void mpr_update_rejects_bad_ranges(void** state) {
  struct mapping_protection_ranges mpr;
  mpr_init(&mpr, F_RW);
  const size_t sz = 16 * PG;
  assert_status(ZX_ERR_INVALID_ARGS, mpr_update(&mpr, B, sz, B, 0, F_R, NULL, NULL));
  assert_status(ZX_ERR_INVALID_ARGS, mpr_update(&mpr, B, sz, B - PG, 2 * PG, F_R, NULL, NULL));
  assert_status(ZX_ERR_INVALID_ARGS, mpr_update(&mpr, B, sz, B + 15 * PG, 2 * PG, F_R, NULL, NULL));
  assert_status(ZX_ERR_INVALID_ARGS, mpr_update(&mpr, B, sz, B + PG, UINT64_MAX, F_R, NULL, NULL));
  assert_status(ZX_ERR_INVALID_ARGS, mpr_update(&mpr, B, 0, B, PG, F_R, NULL, NULL));
  // A partial update must keep the mapping's cache bits.
  assert_status(ZX_ERR_INVALID_ARGS, mpr_update(&mpr, B, sz, B + PG, PG, F_R | 1, NULL, NULL));
  EXPECT_RUNS(&mpr, B, 16, {0, 16, F_RW});
  // NULL callback is allowed.
  assert_ok(mpr_update(&mpr, B, sz, B + PG, PG, F_R, NULL, NULL));
  EXPECT_RUNS(&mpr, B, 16, {0, 1, F_RW}, {1, 1, F_R}, {2, 14, F_RW});
  mpr_clear(&mpr);
}

struct stop_ctx {
  int calls;
  zx_status_t ret;
};

static zx_status_t stop_after_one(void* ctx, vaddr_t base, size_t len, uint32_t flags) {
  struct stop_ctx* s = ctx;
  s->calls++;
  return s->ret;
}

static void mpr_enumerate_clips_and_stops(void** state) {
  struct mapping_protection_ranges mpr;
  make_four_runs(&mpr);
  struct runs got = {.base = B};
  assert_ok(mpr_enumerate(&mpr, B, 16 * PG, B + 6 * PG, 7 * PG, collect_run, &got));
  EXPECT_REPORTED(&got, {6, 2, F_RW}, {8, 4, F_RX}, {12, 1, F_NONE});
  got.n = 0;
  assert_ok(mpr_enumerate(&mpr, B, 16 * PG, B + 9 * PG, PG, collect_run, &got));
  EXPECT_REPORTED(&got, {9, 1, F_RX});
  struct stop_ctx s = {0, ZX_ERR_STOP};
  assert_ok(mpr_enumerate(&mpr, B, 16 * PG, B, 16 * PG, stop_after_one, &s));
  assert_int_equal(1, s.calls);
  s = (struct stop_ctx){0, ZX_ERR_BAD_STATE};
  assert_status(ZX_ERR_BAD_STATE, mpr_enumerate(&mpr, B, 16 * PG, B, 16 * PG, stop_after_one, &s));
  assert_int_equal(1, s.calls);
  assert_status(ZX_ERR_INVALID_ARGS,
                mpr_enumerate(&mpr, B, 16 * PG, B + 15 * PG, 2 * PG, collect_run, &got));
  assert_status(ZX_ERR_INVALID_ARGS, mpr_enumerate(&mpr, B, 16 * PG, B, 0, collect_run, &got));
  // Point lookups at every run boundary.
  const struct {
    uint64_t page;
    uint32_t flags;
    uint64_t top;
  } cases[] = {{0, F_R, 4},    {3, F_R, 4},      {4, F_RW, 8},
               {11, F_RX, 12}, {12, F_NONE, 16}, {15, F_NONE, 16}};
  for (size_t i = 0; i < countof(cases); i++) {
    struct flags_range fr = mpr_flags_range_at_addr(&mpr, B, 16 * PG, B + cases[i].page * PG + 7);
    assert_int_equal(cases[i].flags, fr.mmu_flags);
    assert_int_equal(B + cases[i].top * PG, fr.region_top);
  }
  mpr_clear(&mpr);
}

static void mpr_merge_right_neighbor_cases(void** state) {
  struct mapping_protection_ranges left, right;
  struct runs rep;
  const vaddr_t rb = B + 16 * PG;
  // Left ends in R, right starts in R and has more runs: no node needed, right's nodes move over.
  mpr_init(&left, F_RW);
  update_ok(&left, 8, 8, F_R, &rep);
  mpr_init(&right, F_R);
  assert_ok(mpr_update(&right, rb, 8 * PG, rb + 2 * PG, 2 * PG, F_RX, NULL, NULL));
  alloc_fail_arm(1);
  assert_ok(mpr_merge_right_neighbor(&left, B, 16 * PG, &right, rb, 8 * PG));
  assert_false(alloc_fail_fired());
  alloc_fail_arm(0);
  assert_true(mpr_is_single_region(&right));
  EXPECT_RUNS(&left, B, 24, {0, 8, F_RW}, {8, 10, F_R}, {18, 2, F_RX}, {20, 4, F_R});
  mpr_clear(&left);

  // Different flags at the seam: a node is needed; failing to get it changes nothing.
  mpr_init(&left, F_R);
  mpr_init(&right, F_RW);
  assert_ok(mpr_update(&right, rb, 8 * PG, rb + 4 * PG, 4 * PG, F_RX, NULL, NULL));
  alloc_fail_arm(1);
  assert_status(ZX_ERR_NO_MEMORY, mpr_merge_right_neighbor(&left, B, 16 * PG, &right, rb, 8 * PG));
  alloc_fail_arm(0);
  EXPECT_RUNS(&left, B, 16, {0, 16, F_R});
  EXPECT_RUNS(&right, rb, 8, {0, 4, F_RW}, {4, 4, F_RX});
  assert_ok(mpr_merge_right_neighbor(&left, B, 16 * PG, &right, rb, 8 * PG));
  EXPECT_RUNS(&left, B, 24, {0, 16, F_R}, {16, 4, F_RW}, {20, 4, F_RX});
  assert_int_equal(0, mpr_node_count(&right));

  // Not adjacent, or different cache bits: rejected.
  mpr_init(&right, F_R);
  assert_status(ZX_ERR_INVALID_ARGS,
                mpr_merge_right_neighbor(&left, B, 24 * PG, &right, rb + 9 * PG, PG));
  assert_status(ZX_ERR_INVALID_ARGS,
                mpr_merge_right_neighbor(&left, B, 24 * PG, &right, rb + 7 * PG, PG));
  mpr_init(&right, F_RX | 3);
  assert_status(ZX_ERR_INVALID_ARGS,
                mpr_merge_right_neighbor(&left, B, 24 * PG, &right, rb + 8 * PG, PG));
  EXPECT_RUNS(&left, B, 24, {0, 16, F_R}, {16, 4, F_RW}, {20, 4, F_RX});
  mpr_clear(&left);
}

static void mpr_split_at_cases(void** state) {
  struct mapping_protection_ranges mpr, right;
  // Inside a run: both sides keep part of it.
  make_four_runs(&mpr);
  assert_ok(mpr_split_at(&mpr, B, 16 * PG, B + 6 * PG, &right));
  EXPECT_RUNS(&mpr, B, 6, {0, 4, F_R}, {4, 2, F_RW});
  EXPECT_RUNS(&right, B + 6 * PG, 10, {0, 2, F_RW}, {2, 4, F_RX}, {6, 4, F_NONE});
  mpr_clear(&mpr);
  mpr_clear(&right);
  // At a run boundary: the node there is dropped, its flags become the right's first flags.
  make_four_runs(&mpr);
  assert_ok(mpr_split_at(&mpr, B, 16 * PG, B + 8 * PG, &right));
  EXPECT_RUNS(&mpr, B, 8, {0, 4, F_R}, {4, 4, F_RW});
  EXPECT_RUNS(&right, B + 8 * PG, 8, {0, 4, F_RX}, {4, 4, F_NONE});
  mpr_clear(&right);
  // Single region; last page; invalid split points.
  struct mapping_protection_ranges single;
  mpr_init(&single, F_RW);
  assert_ok(mpr_split_at(&single, B, 16 * PG, B + 15 * PG, &right));
  EXPECT_RUNS(&single, B, 15, {0, 15, F_RW});
  EXPECT_RUNS(&right, B + 15 * PG, 1, {0, 1, F_RW});
  assert_status(ZX_ERR_INVALID_ARGS, mpr_split_at(&mpr, B, 8 * PG, B, &right));
  assert_status(ZX_ERR_INVALID_ARGS, mpr_split_at(&mpr, B, 8 * PG, B + 8 * PG, &right));
  EXPECT_RUNS(&mpr, B, 8, {0, 4, F_R}, {4, 4, F_RW});
  mpr_clear(&mpr);
}

static void mpr_discard_below_and_above(void** state) {
  struct mapping_protection_ranges mpr;
  make_four_runs(&mpr);
  // New base inside run B (at page 5): the node at 4 is adopted as the first region.
  mpr_discard_below(&mpr, B + 5 * PG);
  EXPECT_RUNS(&mpr, B + 5 * PG, 11, {0, 3, F_RW}, {3, 4, F_RX}, {7, 4, F_NONE});
  // New base exactly at a node (page 12): nodes at 8 and 12 are popped, NONE becomes first.
  mpr_discard_below(&mpr, B + 12 * PG);
  EXPECT_RUNS(&mpr, B + 12 * PG, 4, {0, 4, F_NONE});
  mpr_clear(&mpr);

  make_four_runs(&mpr);
  mpr_discard_above(&mpr, B + 13 * PG);  // node at 12 stays (it is below the new end)
  EXPECT_RUNS(&mpr, B, 13, {0, 4, F_R}, {4, 4, F_RW}, {8, 4, F_RX}, {12, 1, F_NONE});
  mpr_discard_above(&mpr, B + 8 * PG);  // nodes at 8 and 12 go
  EXPECT_RUNS(&mpr, B, 8, {0, 4, F_R}, {4, 4, F_RW});
  mpr_discard_above(&mpr, B + PG);
  EXPECT_RUNS(&mpr, B, 1, {0, 1, F_R});
  mpr_clear(&mpr);
}

static void add_raw_node(struct mapping_protection_ranges* mpr, vaddr_t start, uint32_t flags) {
  struct mpr_node* n = heap_alloc(sizeof(*n));
  assert_non_null(n);
  wavl_node_init(&n->node);
  n->region_start = start;
  n->arch_mmu_flags = flags;
  wavl_insert(&mpr->tree, &n->node);
}

static void mpr_check_detects_each_violation(void** state) {
  struct mapping_protection_ranges mpr;
  const size_t sz = 16 * PG;
  mpr_init(&mpr, F_RW);
  add_raw_node(&mpr, B, F_R);
  assert_non_null(mpr_check_msg(&mpr, B, sz));  // node at base
  mpr_clear(&mpr);
  add_raw_node(&mpr, B + sz, F_R);
  assert_non_null(mpr_check_msg(&mpr, B, sz));  // node at the end
  mpr_clear(&mpr);
  add_raw_node(&mpr, B + PG, F_RW);
  assert_non_null(mpr_check_msg(&mpr, B, sz));  // first node repeats first flags
  mpr_clear(&mpr);
  add_raw_node(&mpr, B + PG, F_R);
  add_raw_node(&mpr, B + 2 * PG, F_R);
  assert_non_null(mpr_check_msg(&mpr, B, sz));  // equal adjacent nodes
  mpr_clear(&mpr);
  add_raw_node(&mpr, B + PG, F_R | 1);
  assert_non_null(mpr_check_msg(&mpr, B, sz));  // cache bits differ
  mpr_clear(&mpr);
  add_raw_node(&mpr, B + PG, F_R);
  add_raw_node(&mpr, B + 2 * PG, F_RW);
  assert_null(mpr_check_msg(&mpr, B, sz));
  assert_non_null(mpr_check_msg(&mpr, B, 0));
  mpr_clear(&mpr);
}

static void mpr_mapping_at_top_of_address_space(void** state) {
  const vaddr_t top = (vaddr_t)0 - 16 * PG;  // mapping [top, 2^64)
  const size_t sz = 16 * PG;
  struct mapping_protection_ranges mpr, right;
  mpr_init(&mpr, F_RW);
  assert_ok(mpr_update(&mpr, top, sz, top + 12 * PG, 4 * PG, F_R, NULL, NULL));
  EXPECT_RUNS(&mpr, top, 16, {0, 12, F_RW}, {12, 4, F_R});
  struct flags_range fr = mpr_flags_range_at_addr(&mpr, top, sz, UINT64_MAX);
  assert_int_equal(F_R, fr.mmu_flags);
  assert_int_equal(0, fr.region_top);  // 2^64 modulo 2^64, as documented
  assert_ok(mpr_update(&mpr, top, sz, top + 4 * PG, 12 * PG, F_RX, NULL, NULL));
  EXPECT_RUNS(&mpr, top, 16, {0, 4, F_RW}, {4, 12, F_RX});
  assert_ok(mpr_split_at(&mpr, top, sz, top + 8 * PG, &right));
  EXPECT_RUNS(&right, top + 8 * PG, 8, {0, 8, F_RX});
  assert_ok(mpr_update(&right, top + 8 * PG, 8 * PG, top + 15 * PG, PG, F_R, NULL, NULL));
  assert_ok(mpr_merge_right_neighbor(&mpr, top, 8 * PG, &right, top + 8 * PG, 8 * PG));
  EXPECT_RUNS(&mpr, top, 16, {0, 4, F_RW}, {4, 11, F_RX}, {15, 1, F_R});
  // A left mapping ending at 2^64 has no right neighbour.
  mpr_init(&right, F_R);
  assert_status(ZX_ERR_INVALID_ARGS, mpr_merge_right_neighbor(&mpr, top, sz, &right, 0, PG));
  mpr_clear(&mpr);
}

// --- randomized comparison with a per-page model ---

#define MODEL_PAGES 64
#define MAX_MAPPINGS MODEL_PAGES

struct model_mapping {
  bool live;
  uint64_t page;   // first page
  uint64_t pages;  // page count
  struct mapping_protection_ranges mpr;
};

struct model {
  uint32_t flags[MODEL_PAGES];
  struct model_mapping m[MAX_MAPPINGS];
  struct prng prng;
};

static const uint32_t model_flags[] = {F_R, F_RW, F_RX, F_NONE};

static uint64_t rnd(struct model* md, uint64_t bound) { return prng_uniform(&md->prng, bound); }
static vaddr_t page_va(uint64_t page) { return B + page * PG; }

// Appends the run-length encoding of model pages [page, page + pages) to |out| (pages relative to
// |rel|), optionally only runs whose flags differ from |skip_flags|.
static void model_rle(const struct model* md, uint64_t page, uint64_t pages, uint64_t rel,
                      bool skip, uint32_t skip_flags, struct runs* out) {
  out->n = 0;
  for (uint64_t p = page; p < page + pages;) {
    uint64_t q = p;
    while (q < page + pages && md->flags[q] == md->flags[p]) q++;
    if (!skip || md->flags[p] != skip_flags) {
      out->r[out->n++] = (struct run){p - rel, q - p, md->flags[p]};
    }
    p = q;
  }
}

static void model_verify(const struct model* md) {
  for (size_t i = 0; i < MAX_MAPPINGS; i++) {
    const struct model_mapping* mm = &md->m[i];
    if (!mm->live) continue;
    struct runs expect;
    model_rle(md, mm->page, mm->pages, mm->page, false, 0, &expect);
    expect_runs(&mm->mpr, page_va(mm->page), mm->pages, expect.r, expect.n);
  }
}

static struct model_mapping* model_pick(struct model* md) {
  for (;;) {
    struct model_mapping* mm = &md->m[rnd(md, MAX_MAPPINGS)];
    if (mm->live) return mm;
  }
}

static struct model_mapping* model_free_slot(struct model* md) {
  for (size_t i = 0; i < MAX_MAPPINGS; i++) {
    if (!md->m[i].live) return &md->m[i];
  }
  fail_msg("no free mapping slot");
  return NULL;
}

static struct model_mapping* model_mapping_at(struct model* md, uint64_t page) {
  for (size_t i = 0; i < MAX_MAPPINGS; i++) {
    if (md->m[i].live && md->m[i].page == page) return &md->m[i];
  }
  return NULL;
}

static void model_step_update(struct model* md) {
  struct model_mapping* mm = model_pick(md);
  uint64_t first = rnd(md, mm->pages), pages = 1 + rnd(md, mm->pages - first);
  if (rnd(md, 8) == 0) {  // whole-mapping updates are common
    first = 0;
    pages = mm->pages;
  }
  uint32_t flags = model_flags[rnd(md, countof(model_flags))];
  struct runs expect, got = {.base = page_va(mm->page)};
  model_rle(md, mm->page + first, pages, mm->page, true, flags, &expect);
  bool inject = rnd(md, 4) == 0;
  if (inject) alloc_fail_arm(1);
  zx_status_t st = mpr_update(&mm->mpr, page_va(mm->page), mm->pages * PG,
                              page_va(mm->page + first), pages * PG, flags, record_update, &got);
  bool fired = inject && alloc_fail_fired();
  alloc_fail_arm(0);
  if (fired) {
    assert_status(ZX_ERR_NO_MEMORY, st);
    assert_int_equal(0, got.n);
    return;
  }
  assert_ok(st);
  expect_reported(&got, expect.r, expect.n);
  for (uint64_t p = 0; p < pages; p++) md->flags[mm->page + first + p] = flags;
}

static void model_step_split(struct model* md) {
  struct model_mapping* mm = model_pick(md);
  if (mm->pages < 2) return;
  uint64_t at = 1 + rnd(md, mm->pages - 1);
  struct model_mapping* nm = model_free_slot(md);
  assert_ok(
      mpr_split_at(&mm->mpr, page_va(mm->page), mm->pages * PG, page_va(mm->page + at), &nm->mpr));
  nm->live = true;
  nm->page = mm->page + at;
  nm->pages = mm->pages - at;
  mm->pages = at;
}

static void model_step_merge(struct model* md) {
  struct model_mapping* mm = model_pick(md);
  struct model_mapping* right = model_mapping_at(md, mm->page + mm->pages);
  if (right == NULL) return;
  bool inject = rnd(md, 4) == 0;
  if (inject) alloc_fail_arm(1);
  zx_status_t st = mpr_merge_right_neighbor(&mm->mpr, page_va(mm->page), mm->pages * PG,
                                            &right->mpr, page_va(right->page), right->pages * PG);
  bool fired = inject && alloc_fail_fired();
  alloc_fail_arm(0);
  if (fired) {
    assert_status(ZX_ERR_NO_MEMORY, st);
    return;
  }
  assert_ok(st);
  assert_true(mpr_is_single_region(&right->mpr));
  right->live = false;
  mm->pages += right->pages;
}

// Unmaps a piece at the front or the back of a mapping; a hole may be remapped later.
static void model_step_trim(struct model* md) {
  struct model_mapping* mm = model_pick(md);
  if (mm->pages < 2) return;
  uint64_t cut = 1 + rnd(md, mm->pages - 1);
  if (rnd(md, 2)) {
    mpr_discard_below(&mm->mpr, page_va(mm->page + cut));
    mm->page += cut;
    mm->pages -= cut;
  } else {
    mpr_discard_above(&mm->mpr, page_va(mm->page + mm->pages - cut));
    mm->pages -= cut;
  }
}

// Maps a fresh single-run mapping over a maximal hole starting at a random unmapped page.
static void model_step_map(struct model* md) {
  bool mapped[MODEL_PAGES] = {false};
  for (size_t i = 0; i < MAX_MAPPINGS; i++) {
    if (!md->m[i].live) continue;
    for (uint64_t p = 0; p < md->m[i].pages; p++) mapped[md->m[i].page + p] = true;
  }
  uint64_t start = rnd(md, MODEL_PAGES);
  if (mapped[start]) return;
  uint64_t end = start;
  while (end < MODEL_PAGES && !mapped[end]) end++;
  struct model_mapping* nm = model_free_slot(md);
  uint32_t flags = model_flags[rnd(md, countof(model_flags))];
  mpr_init(&nm->mpr, flags);
  nm->live = true;
  nm->page = start;
  nm->pages = end - start;
  for (uint64_t p = start; p < end; p++) md->flags[p] = flags;
}

static void mpr_randomized_against_page_model(void** state) {
  static struct model md;
  memset(&md, 0, sizeof(md));
  prng_seed(&md.prng, test_seed("mpr_randomized_against_page_model"));
  md.m[0].live = true;
  md.m[0].pages = MODEL_PAGES;
  mpr_init(&md.m[0].mpr, F_RW);
  for (uint64_t p = 0; p < MODEL_PAGES; p++) md.flags[p] = F_RW;
  for (int step = 0; step < 20000; step++) {
    uint64_t op = rnd(&md, 16);
    if (op < 9) {
      model_step_update(&md);
    } else if (op < 11) {
      model_step_split(&md);
    } else if (op < 14) {
      model_step_merge(&md);
    } else if (op < 15) {
      model_step_trim(&md);
    } else {
      model_step_map(&md);
    }
    model_verify(&md);
  }
  for (size_t i = 0; i < MAX_MAPPINGS; i++) {
    if (md.m[i].live) mpr_clear(&md.m[i].mpr);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(mpr_init_single_region),
      cmocka_unit_test(mpr_update_at_start),
      cmocka_unit_test(mpr_update_at_end),
      cmocka_unit_test(mpr_update_middle),
      cmocka_unit_test(mpr_update_whole_reports_every_old_run),
      cmocka_unit_test(mpr_update_spanning_runs_reuses_nodes),
      cmocka_unit_test(mpr_update_exact_runs),
      cmocka_unit_test(mpr_update_coalesces_with_neighbours),
      cmocka_unit_test(mpr_update_same_flags_changes_nothing),
      cmocka_unit_test(mpr_update_alloc_failure_leaves_object_unchanged),
      cmocka_unit_test(mpr_update_rejects_bad_ranges),
      cmocka_unit_test(mpr_enumerate_clips_and_stops),
      cmocka_unit_test(mpr_merge_right_neighbor_cases),
      cmocka_unit_test(mpr_split_at_cases),
      cmocka_unit_test(mpr_discard_below_and_above),
      cmocka_unit_test(mpr_check_detects_each_violation),
      cmocka_unit_test(mpr_mapping_at_top_of_address_space),
      cmocka_unit_test(mpr_randomized_against_page_model),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
