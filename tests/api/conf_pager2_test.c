// Fuchsia's pager core tests (zircon/system/utest/core/pager/pager.cc), second part, restated
// against zxvm: ZX_PAGER_OP_FAIL (exact, overlapping, redundant, after detach, early wake, every
// allowed code), deep and forked clone hierarchies, batched requests split by present pages,
// ALWAYS_NEED / DONT_NEED hints and COMMIT through VMOs and VMARs, handle races, early wake of
// long reads, and PREFETCH. See conf_pager_util.h for how threads and "blocked" are observed.
//
// Not restated: ResizeBlockedPin (BTI pinning); SuspendInKernelTest and
// SuspendInKernelCaptureFaultsTest (thread suspension, and syscalls whose user buffer is itself
// pager-backed simulated memory).
#include "conf_pager_util.h"

// ---- ZX_PAGER_OP_FAIL --------------------------------------------------------------------------

VMO_VMAR_TEST(fail_single_page) {
  struct uvmo* v = up_create_vmo(&P, 1);
  struct tthread t = {.fn = tf_check, .v = v, .n = 1, .vmar = vmar};
  tt_start(&t);
  EXPECT_READ(v, 0, 1);
  assert_ok(up_fail(&P, v, 0, 1, ZX_ERR_IO));
  zx_status_t st = tt_join(&t);
  if (vmar) {
    assert_status(ZX_ERR_IO, st);
  } else {
    assert_int_not_equal(ZX_OK, st);
  }
  EXPECT_NO_READ(v);
}

static void fail_exact_range(void** state) {
  (void)state;
  enum { kPages = 11 };
  struct uvmo* v = up_create_vmo(&P, kPages);
  struct tthread t = {.fn = tf_commit, .v = v, .n = kPages};
  tt_start(&t);
  EXPECT_READ(v, 0, kPages);
  assert_ok(up_fail(&P, v, 0, kPages, ZX_ERR_IO));
  assert_int_not_equal(ZX_OK, tt_join(&t));
  EXPECT_NO_READ(v);
}

static void fail_multiple_commits(void** state) {
  (void)state;
  enum { kPages = 11 };
  struct uvmo* v = up_create_vmo(&P, kPages);
  static struct tthread ts[kPages];
  for (uint64_t i = 0; i < kPages; i++) {
    ts[i] = (struct tthread){.fn = tf_commit, .v = v, .off = i, .n = 1};
    tt_start(&ts[i]);
  }
  for (uint64_t i = 0; i < kPages; i++) EXPECT_READ(v, i, 1);
  assert_ok(up_fail(&P, v, 0, kPages, ZX_ERR_IO));
  for (uint64_t i = 0; i < kPages; i++) assert_int_not_equal(ZX_OK, tt_join(&ts[i]));
  EXPECT_NO_READ(v);
  // Many threads on the same range share one request.
  for (uint64_t i = 0; i < kPages; i++) {
    ts[i] = (struct tthread){.fn = tf_commit, .v = v, .n = kPages};
    tt_start(&ts[i]);
  }
  EXPECT_READ(v, 0, kPages);
  for (uint64_t i = 0; i < kPages; i++) tt_assert_blocked(&ts[i]);
  EXPECT_NO_READ(v);
  assert_ok(up_fail(&P, v, 0, kPages, ZX_ERR_IO));
  EXPECT_NO_READ(v);
  for (uint64_t i = 0; i < kPages; i++) assert_int_not_equal(ZX_OK, tt_join(&ts[i]));
  EXPECT_NO_READ(v);
}

static void fail_multiple_vmos(void** state) {
  (void)state;
  struct uvmo* v1 = up_create_vmo(&P, 1);
  struct uvmo* v2 = up_create_vmo(&P, 1);
  struct tthread t1 = {.fn = tf_commit, .v = v1, .n = 1};
  struct tthread t2 = {.fn = tf_commit, .v = v2, .n = 1};
  tt_start(&t1);
  EXPECT_READ(v1, 0, 1);
  EXPECT_NO_READ(v2);
  tt_start(&t2);
  EXPECT_READ(v2, 0, 1);
  assert_ok(up_fail(&P, v1, 0, 1, ZX_ERR_IO));
  assert_int_not_equal(ZX_OK, tt_join(&t1));
  EXPECT_NO_READ(v1);
  assert_ok(up_fail(&P, v2, 0, 1, ZX_ERR_IO));
  assert_int_not_equal(ZX_OK, tt_join(&t2));
  EXPECT_NO_READ(v1);
  EXPECT_NO_READ(v2);
}

static zx_status_t tf_read_pages(struct tthread* t) {
  void* buf = malloc(t->n * PAGE);
  zx_status_t st = zx_vmo_read(t->v->vmo, buf, t->off * PAGE, t->n * PAGE);
  free(buf);
  return st;
}

// Three accesses whose requests overlap a failed range at its end, its start, and wholly.
static void fail_overlapping_range(bool commit) {
  enum { kPages = 11 };
  struct uvmo* v = up_create_vmo(&P, kPages);
  zx_status_t (*fn)(struct tthread*) = commit ? tf_commit : tf_read_pages;
  struct tthread t1 = {.fn = fn, .v = v, .off = 0, .n = 2};
  struct tthread t2 = {.fn = fn, .v = v, .off = 9, .n = 2};
  struct tthread t3 = {.fn = fn, .v = v, .off = 5, .n = 2};
  tt_start(&t1);
  EXPECT_READ(v, 0, 2);
  tt_start(&t2);
  EXPECT_READ(v, 9, 2);
  tt_start(&t3);
  EXPECT_READ(v, 5, 2);
  if (commit) {
    assert_ok(up_supply(&P, v, 0, 1));
    assert_ok(up_fail(&P, v, 1, 9, ZX_ERR_IO));
    assert_ok(up_supply(&P, v, 10, 1));
  } else {
    assert_ok(up_fail(&P, v, 1, 9, ZX_ERR_IO));
    assert_ok(up_supply(&P, v, 0, 1));
    assert_ok(up_supply(&P, v, 10, 1));
  }
  // One access asks for page 1 again; failing it again ends it.
  EXPECT_READ(v, 1, 1);
  assert_ok(up_fail(&P, v, 1, 9, ZX_ERR_IO));
  assert_int_not_equal(ZX_OK, tt_join(&t1));
  assert_int_not_equal(ZX_OK, tt_join(&t2));
  assert_int_not_equal(ZX_OK, tt_join(&t3));
  EXPECT_NO_READ(v);
}

static void fail_overlapping_range_commit(void** state) {
  (void)state;
  fail_overlapping_range(true);
}

static void fail_overlapping_range_read(void** state) {
  (void)state;
  fail_overlapping_range(false);
}

static void fail_redundant(void** state) {
  (void)state;
  enum { kPages = 11 };
  struct uvmo* v = up_create_vmo(&P, kPages);
  struct tthread t = {.fn = tf_commit, .v = v, .n = kPages};
  tt_start(&t);
  EXPECT_READ(v, 0, kPages);
  for (uint64_t i = 0; i < kPages; i++) assert_ok(up_fail(&P, v, i, 1, ZX_ERR_IO));
  assert_int_not_equal(ZX_OK, tt_join(&t));
  EXPECT_NO_READ(v);
}

static void fail_after_detach(void** state) {
  (void)state;
  enum { kPages = 11 };
  struct uvmo* v = up_create_vmo(&P, kPages);
  struct tthread t = {.fn = tf_commit, .v = v, .n = kPages};
  tt_start(&t);
  EXPECT_READ(v, 0, kPages);
  assert_ok(zx_pager_detach_vmo(P.pager, v->vmo));
  assert_int_not_equal(ZX_OK, tt_join(&t));
  EXPECT_NO_READ(v);
  assert_int_not_equal(ZX_OK, up_fail(&P, v, 0, kPages, ZX_ERR_IO));
  EXPECT_NO_READ(v);
}

// A supply wakes the reader early; failing the next page it needs ends its read.
static void fail_early_wake(void** state) {
  (void)state;
  struct uvmo* v = up_create_vmo(&P, 3);
  uvmo_set_supply_limit(v, 0);
  up_start_handler(&P);
  struct tthread t = {.fn = tf_check, .v = v, .n = 3};
  uint64_t mark = cp_requests_sent();
  tt_start(&t);
  cp_wait_requests_sent(mark, 1);
  uvmo_set_supply_limit(v, 1);
  assert_ok(up_supply(&P, v, 0, 1));
  tt_assert_blocked(&t);
  assert_ok(up_fail(&P, v, 1, 1, ZX_ERR_IO));
  assert_int_not_equal(ZX_OK, tt_join(&t));
}

static void fail_overlap_request(void** state) {
  (void)state;
  struct uvmo* v = up_create_vmo(&P, 4);
  struct tthread t1 = {.fn = tf_check, .v = v, .n = 4};
  tt_start(&t1);
  EXPECT_READ(v, 0, 4);
  struct tthread t2 = {.fn = tf_check, .v = v, .off = 1, .n = 1};
  tt_start(&t2);
  tt_assert_blocked(&t2);
  EXPECT_NO_READ(v);
  // The failure is recorded for the overlapping read, which wakes with the first one.
  assert_ok(up_fail(&P, v, 1, 1, ZX_ERR_IO));
  assert_ok(up_supply(&P, v, 0, 1));
  tt_assert_blocked(&t1);
  // zxvm wakes the overlapping read with its failure at once.
  FUCHSIA_ONLY(tt_assert_blocked(&t2));
  assert_ok(up_supply_at(&P, v, 2, 2, 2));
  assert_int_not_equal(ZX_OK, tt_join(&t2));
  uint64_t off = 0, len = 0;
  assert_true(up_get_request(&P, v, ZX_PAGER_VMO_READ, cp_deadline(), &off, &len));
  assert_int_equal(1, off);
  assert_true(len >= 1);
  assert_ok(up_supply_at(&P, v, 1, 3, 1));
  assert_ok(tt_join(&t1));
}

static void supply_after_detach(void** state) {
  (void)state;
  enum { kPages = 11 };
  struct uvmo* v = up_create_vmo(&P, kPages);
  assert_ok(zx_pager_detach_vmo(P.pager, v->vmo));
  EXPECT_NO_READ(v);
  assert_int_not_equal(ZX_OK, up_supply(&P, v, 0, kPages));
  EXPECT_NO_READ(v);
}

// A failure is not sticky.
static void supply_after_fail(void** state) {
  (void)state;
  enum { kPages = 11 };
  struct uvmo* v = up_create_vmo(&P, kPages);
  struct tthread t1 = {.fn = tf_commit, .v = v, .n = kPages};
  tt_start(&t1);
  EXPECT_READ(v, 0, kPages);
  assert_ok(up_fail(&P, v, 0, kPages, ZX_ERR_IO));
  assert_int_not_equal(ZX_OK, tt_join(&t1));
  EXPECT_NO_READ(v);
  struct tthread t2 = {.fn = tf_commit, .v = v, .n = kPages};
  tt_start(&t2);
  EXPECT_READ(v, 0, kPages);
  assert_ok(up_supply(&P, v, 0, kPages));
  assert_ok(tt_join(&t2));
  EXPECT_NO_READ(v);
}

// Each allowed code reaches both a blocked COMMIT and a blocked zx_vmo_read.
static void fail_error_code(void** state) {
  (void)state;
  static const zx_status_t codes[] = {ZX_ERR_IO, ZX_ERR_IO_DATA_INTEGRITY, ZX_ERR_BAD_STATE,
                                      ZX_ERR_NO_SPACE, ZX_ERR_BUFFER_TOO_SMALL};
  enum { kPages = 11 };
  for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
    up_fini(&P);
    up_init(&P);
    struct uvmo* v = up_create_vmo(&P, kPages);
    struct tthread tc = {.fn = tf_commit, .v = v, .n = kPages};
    struct tthread tr = {.fn = tf_read_pages, .v = v, .n = kPages};
    uint64_t mark = cp_requests_sent();
    tt_start(&tc);
    cp_wait_requests_sent(mark, 1);
    tt_start(&tr);
    tt_assert_blocked(&tr);
    EXPECT_READ(v, 0, kPages);
    assert_ok(up_fail(&P, v, 0, kPages, codes[i]));
    assert_status(codes[i], tt_join(&tc));
    assert_status(codes[i], tt_join(&tr));
    EXPECT_NO_READ(v);
  }
}

// ---- clone hierarchies ---------------------------------------------------------------------

static void deep_hierarchy(void** state) {
  (void)state;
  zx_handle_t vmo;
  assert_ok(zx_pager_create_vmo(P.pager, 0, P.port, 0, PAGE, &vmo));
  for (int i = 0; i < 1000; i++) {
    zx_handle_t child;
    assert_ok(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, 0, PAGE, &child));
    assert_ok(zx_handle_close(vmo));
    vmo = child;
  }
  assert_ok(zx_handle_close(vmo));
}

static uint64_t read_u64(const struct uvmo* v, uint64_t offset) {
  uint64_t x = 0;
  assert_ok(zx_vmo_read(v->vmo, &x, offset, sizeof(x)));
  return x;
}

static void write_u64(const struct uvmo* v, uint64_t offset, uint64_t x) {
  assert_ok(zx_vmo_write(v->vmo, &x, offset, sizeof(x)));
}

// Children see at least their parents' state at creation; later forks in an intermediate may
// or may not show (zxvm, like Zircon today, is deterministic about which).
static void clone_might_see_intermediate_forks(void** state) {
  (void)state;
  struct uvmo* root = up_create_vmo(&P, 16);
  up_start_handler(&P);
  struct uvmo* child = uvmo_clone_range(root, 0, 16 * PAGE, CP_ALOW);
  write_u64(child, 8 * PAGE, 1);
  struct uvmo* empty = uvmo_clone_range(child, 0, 8 * PAGE, CP_ALOW);
  struct uvmo* forked = uvmo_clone_range(child, 8 * PAGE, 8 * PAGE, CP_ALOW);
  assert_ok(uvmo_check(empty, 0, 8, false));
  assert_ok(uvmo_check(forked, 1, 7, false));
  assert_int_equal(1, read_u64(forked, 0));
  write_u64(empty, 0, 2);
  write_u64(forked, PAGE, 3);
  write_u64(child, 0, 4);
  write_u64(child, 9 * PAGE, 5);
  write_u64(child, PAGE, 6);
  write_u64(child, 10 * PAGE, 7);
  assert_int_equal(2, read_u64(empty, 0));
  assert_int_equal(3, read_u64(forked, PAGE));
  // |empty| hangs off the root (|child| owned nothing in its window): the original page.
  assert_ok(uvmo_check(empty, 1, 1, false));
  assert_int_equal(7, read_u64(forked, 2 * PAGE));
  uvmo_destroy(empty);
  uvmo_destroy(forked);
  uvmo_destroy(child);
}

// A clone sees forked pages of every intermediate, and no more of an ancestor than each
// intermediate's window allows.
static void clone_sees_correct_parent_pages(void** state) {
  (void)state;
  struct uvmo* root = up_create_vmo(&P, 16);
  up_start_handler(&P);
  struct uvmo* c1 = uvmo_clone_range(root, PAGE, 14 * PAGE, CP_ALOW);
  write_u64(c1, 0, 1);
  write_u64(c1, 4 * PAGE, 2);
  write_u64(c1, 8 * PAGE, 3);
  struct uvmo* c2 = uvmo_clone(c1, CP_ALOW);
  struct uvmo* c3 = uvmo_clone_range(c2, 0, 4 * PAGE, CP_ALOW);
  assert_int_equal(1, read_u64(c3, 0));
  assert_ok(uvmo_check(c3, 1, 3, false));
  struct uvmo* c4 = uvmo_clone_range(c3, PAGE, 4 * PAGE, CP_ALOW);
  assert_ok(uvmo_check(c4, 0, 3, false));
  assert_int_equal(0, read_u64(c4, 3 * PAGE));
  uvmo_destroy(c4);
  uvmo_destroy(c3);
  c3 = uvmo_clone_range(c2, PAGE, 7 * PAGE, CP_ALOW);
  assert_ok(uvmo_check(c3, 0, 2, false));
  assert_ok(uvmo_check(c3, 4, 3, false));
  assert_int_equal(2, read_u64(c3, 3 * PAGE));
  c4 = uvmo_clone_range(c3, 0, 6 * PAGE, CP_ALOW);
  write_u64(c4, 0, 4);
  struct uvmo* c5 = uvmo_clone_range(c4, 0, 10 * PAGE, CP_ALOW);
  struct uvmo* c6 = uvmo_clone_range(c5, PAGE, 7 * PAGE, CP_ALOW);
  assert_ok(uvmo_check(c6, 0, 2, false));
  assert_int_equal(2, read_u64(c6, 2 * PAGE));
  assert_ok(uvmo_check(c6, 3, 2, false));
  assert_int_equal(0, read_u64(c6, 5 * PAGE));
  assert_int_equal(0, read_u64(c6, 6 * PAGE));
  struct uvmo* all[] = {c6, c5, c4, c3, c2, c1};
  for (size_t i = 0; i < 6; i++) uvmo_destroy(all[i]);
}

// A commit of a clone asks for each run of pages absent from the parent.
static void clone_commit_batches(const uint64_t* present, size_t count, uint64_t pages) {
  struct uvmo* v = up_create_vmo(&P, pages);
  struct uvmo* clone = uvmo_clone(v, CP_ALOW);
  for (size_t i = 0; i < count; i++) assert_ok(up_supply(&P, v, present[i], 1));
  struct tthread t = {.fn = tf_commit, .v = clone, .n = pages};
  tt_start(&t);
  uint64_t prev = 0;
  for (size_t i = 0; i <= count; i++) {
    uint64_t end = i < count ? present[i] : pages;
    if (prev < end) {
      EXPECT_READ(v, prev, end - prev);
      assert_ok(up_supply(&P, v, prev, end - prev));
    }
    prev = end + 1;
  }
  assert_ok(tt_join(&t));
  assert_int_equal(pages * PAGE, uvmo_info(clone).populated_bytes);
  uvmo_destroy(clone);
}

static void clone_commit_single_batch(void** state) {
  (void)state;
  clone_commit_batches(NULL, 0, 4);
}

static void clone_commit_two_batches(void** state) {
  (void)state;
  static const uint64_t present[] = {2};
  clone_commit_batches(present, 1, 5);
}

static void clone_commit_multiple_batches(void** state) {
  (void)state;
  static const uint64_t present[] = {2, 5};
  clone_commit_batches(present, 2, 8);
}

static void clone_commit_random_batches(void** state) {
  (void)state;
  uint64_t seed = test_seed("clone_commit_random_batches");
  srand((unsigned)seed);
  uint64_t present[100];
  size_t count = 0;
  for (uint64_t i = 0; i < 100; i++) {
    if (rand() % 4 == 0) present[count++] = i;
  }
  // Supplied in runs between the present pages, whatever the request sizes were.
  struct uvmo* v = up_create_vmo(&P, 100);
  struct uvmo* clone = uvmo_clone(v, CP_ALOW);
  for (size_t i = 0; i < count; i++) assert_ok(up_supply(&P, v, present[i], 1));
  struct tthread t = {.fn = tf_commit, .v = clone, .n = 100};
  tt_start(&t);
  uint64_t prev = 0;
  for (size_t i = 0; i <= count; i++) {
    uint64_t end = i < count ? present[i] : 100;
    if (prev < end) assert_ok(up_supply(&P, v, prev, end - prev));
    prev = end + 1;
  }
  assert_ok(tt_join(&t));
  assert_int_equal(100 * PAGE, uvmo_info(clone).populated_bytes);
  uvmo_destroy(clone);
}

// ---- hints and VMAR ops --------------------------------------------------------------------

static void eviction_hint_always_need(void** state) {
  (void)state;
  struct uvmo* v = up_create_vmo(&P, 30);
  struct tthread t = {.fn = tf_op, .v = v, .op = ZX_VMO_OP_ALWAYS_NEED, .off = 10, .n = 5};
  tt_start(&t);
  EXPECT_READ(v, 10, 5);
  assert_ok(up_supply(&P, v, 10, 5));
  assert_ok(tt_join(&t));
}

static zx_status_t tf_op_bytes(struct tthread* t) {
  return zx_vmo_op_range(t->v->vmo, t->op, t->off, t->n, NULL, 0);
}

static void eviction_hints_op_range(void** state) {
  (void)state;
  enum { kPages = 20 };
  struct uvmo* v = up_create_vmo(&P, kPages);
  assert_ok(up_supply(&P, v, 0, 10));
  assert_ok(uvmo_op(v, ZX_VMO_OP_ALWAYS_NEED, 0, 10));
  assert_ok(uvmo_op(v, ZX_VMO_OP_DONT_NEED, 0, 20));
  // Unaligned ranges cover the pages they touch.
  struct tthread t = {
      .fn = tf_op_bytes, .v = v, .op = ZX_VMO_OP_ALWAYS_NEED, .off = 15 * PAGE - 8, .n = 16};
  tt_start(&t);
  EXPECT_READ(v, 14, 2);
  assert_ok(up_supply(&P, v, 14, 2));
  assert_ok(tt_join(&t));
  assert_ok(zx_vmo_op_range(v->vmo, ZX_VMO_OP_DONT_NEED, 32, 20 * PAGE - 64, NULL, 0));
  assert_status(ZX_ERR_OUT_OF_RANGE, uvmo_op(v, ZX_VMO_OP_ALWAYS_NEED, 15, 10));
  assert_status(ZX_ERR_OUT_OF_RANGE, uvmo_op(v, ZX_VMO_OP_DONT_NEED, kPages, 20));
  assert_status(ZX_ERR_OUT_OF_RANGE,
                zx_vmo_op_range(v->vmo, ZX_VMO_OP_ALWAYS_NEED, PAGE, UINT64_MAX, NULL, 0));
  assert_status(ZX_ERR_OUT_OF_RANGE,
                zx_vmo_op_range(v->vmo, ZX_VMO_OP_DONT_NEED, PAGE, UINT64_MAX, NULL, 0));
  // Hints on an ordinary VMO succeed and do nothing (Fuchsia's test sizes it 20 bytes).
  zx_handle_t plain = make_vmo(kPages, 0);
  // Not range-checked either: 20 pages of a one-page VMO.
  assert_ok(zx_vmo_op_range(plain, ZX_VMO_OP_ALWAYS_NEED, 0, kPages * PAGE, NULL, 0));
  assert_ok(zx_vmo_op_range(plain, ZX_VMO_OP_DONT_NEED, 0, kPages * PAGE, NULL, 0));
  assert_ok(zx_vmo_op_range(plain, ZX_VMO_OP_ALWAYS_NEED, 0, PAGE, NULL, 0));
  assert_ok(zx_vmo_op_range(plain, ZX_VMO_OP_DONT_NEED, 0, PAGE, NULL, 0));
  assert_ok(zx_handle_close(plain));
}

static void eviction_hints_with_clones(void** state) {
  (void)state;
  struct uvmo* v = up_create_vmo(&P, 40);
  struct uvmo* clone = uvmo_clone(v, CP_ALOW);
  assert_ok(up_supply(&P, v, 25, 1));
  uint8_t data = 0xc;
  assert_ok(zx_vmo_write(clone->vmo, &data, 25 * PAGE, 1));
  struct tthread t1 = {.fn = tf_op, .v = clone, .op = ZX_VMO_OP_ALWAYS_NEED, .off = 23, .n = 4};
  tt_start(&t1);
  EXPECT_READ(v, 23, 2);
  assert_ok(up_supply(&P, v, 23, 2));
  EXPECT_READ(v, 26, 1);
  assert_ok(up_supply(&P, v, 26, 1));
  assert_ok(tt_join(&t1));
  struct uvmo* clone2 = uvmo_clone(clone, CP_ALOW);
  assert_ok(up_supply(&P, v, 30, 1));
  assert_ok(zx_vmo_write(clone->vmo, &data, 30 * PAGE, 1));
  struct tthread t2 = {.fn = tf_op, .v = clone2, .op = ZX_VMO_OP_ALWAYS_NEED, .off = 29, .n = 3};
  tt_start(&t2);
  EXPECT_READ(v, 29, 1);
  assert_ok(up_supply(&P, v, 29, 1));
  EXPECT_READ(v, 31, 1);
  assert_ok(up_supply(&P, v, 31, 1));
  assert_ok(tt_join(&t2));
  assert_ok(uvmo_op(clone2, ZX_VMO_OP_DONT_NEED, 20, 8));
  assert_ok(uvmo_op(clone, ZX_VMO_OP_DONT_NEED, 28, 10));
  EXPECT_NO_READ(v);
  uvmo_destroy(clone2);
  uvmo_destroy(clone);
}

static void eviction_hints_with_resize(void** state) {
  (void)state;
  struct uvmo* v = up_create_vmo_ex(&P, 20, ZX_VMO_RESIZABLE);
  struct tthread t = {.fn = tf_op, .v = v, .op = ZX_VMO_OP_ALWAYS_NEED, .off = 10, .n = 10};
  tt_start(&t);
  EXPECT_READ(v, 10, 10);
  assert_ok(up_supply(&P, v, 10, 2));
  // The shrink cuts the hinted range short: the hint ends without asking for more.
  assert_ok(zx_vmo_set_size(v->vmo, 12 * PAGE));
  assert_ok(tt_join(&t));
  EXPECT_NO_READ(v);
}

static zx_status_t tf_vmar_op(struct tthread* t) {
  return zx_vmar_op_range(t->h, t->op, t->addr, t->value, NULL, 0);
}

static zx_handle_t make_sub_vmar(uint64_t size, zx_vaddr_t* base) {
  zx_handle_t vmar;
  assert_ok(zx_vmar_allocate(zx_vmar_root_self(),
                             ZX_VM_CAN_MAP_SPECIFIC | ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE, 0,
                             size, &vmar, base));
  return vmar;
}

static void map_at(zx_handle_t vmar, uint32_t perms, uint64_t offset, zx_handle_t vmo, uint64_t len,
                   zx_vaddr_t expected) {
  zx_vaddr_t addr;
  assert_ok(zx_vmar_map(vmar, ZX_VM_SPECIFIC | perms, offset, vmo, 0, len, &addr));
  assert_int_equal(expected, addr);
}

// Two pager VMOs and an ordinary one mapped back to back, one page of each pager VMO present:
// ALWAYS_NEED (or COMMIT) asks for the other two pages of each.
static void vmar_op_over_three_vmos(uint32_t op, uint32_t perms) {
  enum { kPages = 3 };
  const uint64_t kVmo = kPages * PAGE, kVmar = 15 * PAGE;
  zx_vaddr_t base;
  zx_handle_t vmar = make_sub_vmar(kVmar, &base);
  struct uvmo* v1 = up_create_vmo(&P, kPages);
  struct uvmo* v2 = up_create_vmo(&P, kPages);
  map_at(vmar, perms, 0, v1->vmo, kVmo, base);
  map_at(vmar, perms, kVmo, v2->vmo, kVmo, base + kVmo);
  assert_ok(up_supply(&P, v1, 1, 1));
  assert_ok(up_supply(&P, v2, 1, 1));
  zx_handle_t anon = make_vmo(kVmo, 0);
  map_at(vmar, perms, 2 * kVmo, anon, kVmo, base + 2 * kVmo);
  if (op == ZX_VMAR_OP_ALWAYS_NEED) {
    assert_ok(zx_vmar_op_range(vmar, ZX_VMAR_OP_DONT_NEED, base, 3 * kVmo, NULL, 0));
  }
  struct tthread t = {.fn = tf_vmar_op, .h = vmar, .op = op, .addr = base, .value = 3 * kVmo};
  tt_start(&t);
  // (Fuchsia allows the DONT_NEED page to have been evicted; zxvm keeps it here.)
  EXPECT_READ(v1, 0, 1);
  assert_ok(up_supply(&P, v1, 0, 1));
  EXPECT_READ(v1, 2, 1);
  assert_ok(up_supply(&P, v1, 2, 1));
  EXPECT_READ(v2, 0, 1);
  assert_ok(up_supply(&P, v2, 0, 1));
  EXPECT_READ(v2, 2, 1);
  assert_ok(up_supply(&P, v2, 2, 1));
  assert_ok(tt_join(&t));
  if (op == ZX_VMAR_OP_ALWAYS_NEED) {
    assert_ok(zx_vmar_op_range(vmar, ZX_VMAR_OP_ALWAYS_NEED, base, 3 * kVmo, NULL, 0));
    assert_ok(zx_vmar_op_range(vmar, ZX_VMAR_OP_DONT_NEED, base, 3 * kVmo, NULL, 0));
    assert_status(ZX_ERR_BAD_STATE,
                  zx_vmar_op_range(vmar, ZX_VMAR_OP_DONT_NEED, base, kVmar, NULL, 0));
  } else {
    assert_status(ZX_ERR_BAD_STATE,
                  zx_vmar_op_range(vmar, ZX_VMAR_OP_COMMIT, base, kVmar, NULL, 0));
  }
  assert_ok(zx_vmar_destroy(vmar));
  zx_handle_t list[] = {vmar, anon};
  assert_ok(zx_handle_close_many(list, 2));
}

static void eviction_hints_vmar(void** state) {
  (void)state;
  vmar_op_over_three_vmos(ZX_VMAR_OP_ALWAYS_NEED, ZX_VM_PERM_READ);
}

static void op_commit_vmar(void** state) {
  (void)state;
  vmar_op_over_three_vmos(ZX_VMAR_OP_COMMIT, CP_RW);
}

static void eviction_hints_nested_vmar(void** state) {
  (void)state;
  enum { kPages = 3 };
  const uint64_t kVmo = kPages * PAGE, kVmar = 10 * PAGE;
  zx_vaddr_t base, b1, b2;
  zx_handle_t vmar = make_sub_vmar(kVmar, &base);
  struct uvmo* v1 = up_create_vmo(&P, kPages);
  struct uvmo* v2 = up_create_vmo(&P, kPages);
  zx_handle_t s1, s2;
  const uint32_t sub =
      ZX_VM_CAN_MAP_SPECIFIC | ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_SPECIFIC;
  assert_ok(zx_vmar_allocate(vmar, sub, 0, kVmo, &s1, &b1));
  assert_int_equal(base, b1);
  assert_ok(zx_vmar_allocate(vmar, sub, kVmo, kVmo, &s2, &b2));
  assert_int_equal(base + kVmo, b2);
  map_at(s1, ZX_VM_PERM_READ, 0, v1->vmo, kVmo, b1);
  map_at(s2, ZX_VM_PERM_READ, 0, v2->vmo, kVmo, b2);
  assert_ok(up_supply(&P, v1, 1, 1));
  assert_ok(up_supply(&P, v2, 1, 1));
  assert_ok(zx_vmar_op_range(vmar, ZX_VMAR_OP_DONT_NEED, base, 2 * kVmo, NULL, 0));
  struct tthread t = {
      .fn = tf_vmar_op, .h = vmar, .op = ZX_VMAR_OP_ALWAYS_NEED, .addr = base, .value = 2 * kVmo};
  tt_start(&t);
  struct uvmo* vs[] = {v1, v2};
  for (int i = 0; i < 2; i++) {
    EXPECT_READ(vs[i], 0, 1);
    assert_ok(up_supply(&P, vs[i], 0, 1));
    uint64_t off = 0, len = 0;
    assert_true(up_get_request(&P, vs[i], ZX_PAGER_VMO_READ, cp_deadline(), &off, &len));
    if (off == 1) {  // the DONT_NEED page was evicted meanwhile
      assert_ok(up_supply(&P, vs[i], 1, 1));
      EXPECT_READ(vs[i], 2, 1);
    } else {
      assert_int_equal(2, off);
    }
    assert_ok(up_supply(&P, vs[i], 2, 1));
  }
  assert_ok(tt_join(&t));
  assert_ok(zx_vmar_op_range(vmar, ZX_VMAR_OP_DONT_NEED, base, 2 * kVmo, NULL, 0));
  assert_status(ZX_ERR_BAD_STATE,
                zx_vmar_op_range(vmar, ZX_VMAR_OP_DONT_NEED, base, kVmar, NULL, 0));
  assert_ok(zx_vmar_destroy(vmar));
  zx_handle_t list[] = {vmar, s1, s2};
  assert_ok(zx_handle_close_many(list, 3));
}

// Through a mapped clone, only pages the clone has not forked are asked for.
static void vmar_op_clone(uint32_t op) {
  enum { kPages = 4 };
  const uint64_t kVmar = 5 * PAGE;
  zx_vaddr_t base;
  zx_handle_t vmar = make_sub_vmar(kVmar, &base);
  struct uvmo* v = up_create_vmo(&P, kPages);
  struct uvmo* clone = uvmo_clone(v, CP_ALOW);
  map_at(vmar, CP_RW, 0, clone->vmo, kPages * PAGE, base);
  assert_ok(up_supply(&P, v, 1, 1));
  uint8_t data = 0xcc;
  assert_ok(zx_vmo_write(clone->vmo, &data, PAGE, 1));
  struct tthread t = {
      .fn = tf_vmar_op, .h = vmar, .op = op, .addr = base + PAGE, .value = 2 * PAGE};
  tt_start(&t);
  EXPECT_READ(v, 2, 1);
  assert_ok(up_supply(&P, v, 2, 1));
  assert_ok(tt_join(&t));
  // A hint leaves the clone with its fork only; a commit copies the other page in too.
  assert_int_equal((op == ZX_VMAR_OP_COMMIT ? 2 : 1) * PAGE, uvmo_info(clone).populated_bytes);
  uint8_t got = 0;
  assert_ok(zx_vmo_read(clone->vmo, &got, PAGE, 1));
  assert_int_equal(data, got);
  if (op != ZX_VMAR_OP_COMMIT) {
    assert_status(ZX_ERR_BAD_STATE,
                  zx_vmar_op_range(vmar, ZX_VMAR_OP_DONT_NEED, base, kVmar, NULL, 0));
  }
  EXPECT_NO_READ(v);
  assert_ok(zx_vmar_destroy(vmar));
  assert_ok(zx_handle_close(vmar));
  uvmo_destroy(clone);
}

static void eviction_hints_clone_vmar(void** state) {
  (void)state;
  vmar_op_clone(ZX_VMAR_OP_ALWAYS_NEED);
}

static void op_commit_clone_vmar(void** state) {
  (void)state;
  vmar_op_clone(ZX_VMAR_OP_COMMIT);
}

// ---- races on handles ----------------------------------------------------------------------

static _Atomic zx_handle_t racing_pager;
static atomic_bool racing;

static void* create_vmo_loop(void* arg) {
  (void)arg;
  zx_handle_t port;
  if (zx_port_create(0, &port) != ZX_OK) return NULL;
  while (atomic_load(&racing)) {
    zx_handle_t vmo;
    if (zx_pager_create_vmo(atomic_load(&racing_pager), 0, port, 0, PAGE, &vmo) == ZX_OK) {
      zx_handle_close(vmo);
    }
  }
  zx_handle_close(port);
  return NULL;
}

// Closing pagers while another thread creates VMOs with them.
static void zero_handles_race(void** state) {
  (void)state;
  zx_handle_t pager;
  assert_ok(zx_pager_create(0, &pager));
  atomic_store(&racing_pager, pager);
  atomic_store(&racing, true);
  pthread_t th;
  assert_int_equal(0, pthread_create(&th, NULL, create_vmo_loop, NULL));
  for (int i = 0; i < 10000; i++) {
    assert_ok(zx_handle_close(pager));
    assert_ok(zx_pager_create(0, &pager));
    atomic_store(&racing_pager, pager);
  }
  atomic_store(&racing, false);
  assert_int_equal(0, tt_timed_join(th, 10));
  assert_ok(zx_handle_close(pager));
}

static atomic_bool race_ready;

static zx_status_t tf_close_when_ready(struct tthread* t) {
  while (!atomic_load(&race_ready)) sched_yield();
  return zx_handle_close(t->h);
}

static zx_status_t tf_dequeue_when_ready(struct tthread* t) {
  while (!atomic_load(&race_ready)) sched_yield();
  zx_port_packet_t pkt;
  zx_status_t st = zx_port_wait(t->h, 0, &pkt);
  return st == ZX_ERR_TIMED_OUT ? ZX_OK : st;
}

// Dequeuing the COMPLETE packet while the pager is destroyed.
static void racy_port_dequeue(void** state) {
  (void)state;
  for (int i = 0; i < 1000; i++) {
    zx_handle_t pager, port, vmo;
    assert_ok(zx_pager_create(0, &pager));
    assert_ok(zx_port_create(0, &port));
    assert_ok(zx_pager_create_vmo(pager, 0, port, 0, PAGE, &vmo));
    atomic_store(&race_ready, false);
    struct tthread t1 = {.fn = tf_close_when_ready, .h = pager};
    struct tthread t2 = {.fn = tf_dequeue_when_ready, .h = port};
    assert_ok(zx_handle_close(vmo));
    tt_start(&t1);
    tt_start(&t2);
    atomic_store(&race_ready, true);
    assert_ok(tt_join(&t1));
    assert_ok(tt_join(&t2));
    assert_ok(zx_handle_close(port));
  }
}

// ---- batching around present pages -----------------------------------------------------------

static void present_page_splits_range(void** state) {
  (void)state;
  enum { kPages = 5, kPresent = 2 };
  struct uvmo* v = up_create_vmo(&P, kPages);
  assert_ok(up_supply(&P, v, kPresent, 1));
  struct tthread t = {.fn = tf_commit, .v = v, .n = kPages};
  tt_start(&t);
  EXPECT_READ(v, 0, kPresent);
  assert_ok(up_supply(&P, v, 0, kPresent));
  EXPECT_READ(v, kPresent + 1, kPages - kPresent - 1);
  assert_ok(up_supply(&P, v, kPresent + 1, kPages - kPresent - 1));
  assert_ok(tt_join(&t));
}

static zx_status_t tf_write_fill(struct tthread* t) {
  size_t len = t->n * PAGE;
  char* buf = malloc(len);
  memset(buf, (int)t->value, len);
  zx_status_t st = zx_vmo_write(t->h, buf, t->off * PAGE, len);
  free(buf);
  return st;
}

static zx_status_t tf_read_ancestors(struct tthread* t) {
  size_t len = 8 * PAGE;
  char* data = malloc(len);
  zx_status_t st = zx_vmo_read(t->h, data, 0, len);
  for (size_t i = PAGE; st == ZX_OK && i < 3 * PAGE; i++) {
    if (data[i] != 'b') st = CP_MISMATCH;
  }
  for (size_t i = 5 * PAGE; st == ZX_OK && i < 8 * PAGE; i++) {
    if (data[i] != 'c') st = CP_MISMATCH;
  }
  free(data);
  return st;
}

// A batched request skips pages an ancestor (or the reader's chain) already holds.
static void page_request_batching_checks_ancestor_pages(void** state) {
  (void)state;
  enum { kPages = 8 };
  struct uvmo* root = up_create_vmo(&P, kPages);
  zx_handle_t child, grandchild, slice;
  assert_ok(zx_vmo_create_child(root->vmo, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, 0,
                                kPages * PAGE, &child));
  struct tthread t1 = {.fn = tf_write_fill, .h = child, .off = 1, .n = 2, .value = 'b'};
  tt_start(&t1);
  assert_ok(up_supply(&P, root, 1, 2));
  assert_ok(tt_join(&t1));
  assert_ok(zx_vmo_create_child(child, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, 0, kPages * PAGE,
                                &grandchild));
  struct tthread t2 = {.fn = tf_write_fill, .h = grandchild, .off = 5, .n = 3, .value = 'c'};
  tt_start(&t2);
  assert_ok(up_supply(&P, root, 5, 3));
  assert_ok(tt_join(&t2));
  assert_ok(zx_vmo_create_child(grandchild, ZX_VMO_CHILD_SLICE, 0, kPages * PAGE, &slice));
  struct tthread t3 = {.fn = tf_read_ancestors, .h = slice};
  tt_start(&t3);
  EXPECT_READ(root, 0, 1);
  assert_ok(up_supply(&P, root, 0, 1));
  EXPECT_READ(root, 3, 2);
  assert_ok(up_supply(&P, root, 3, 2));
  assert_ok(tt_join(&t3));
  zx_handle_t list[] = {slice, grandchild, child};
  assert_ok(zx_handle_close_many(list, 3));
}

// ---- early wake ----------------------------------------------------------------------------

// Waits (with a deadline) until |len| bytes at |data| equal |expected|: a reader woken early
// copies the pages supplied so far.
__attribute__((unused)) static void wait_for_data(const void* expected,
                                                  const volatile uint8_t* data, size_t len) {
  zx_time_t deadline = cp_deadline();
  for (;;) {
    size_t i = 0;
    while (i < len && data[i] == ((const uint8_t*)expected)[i]) i++;
    if (i == len) return;
    if (zx_clock_get_monotonic() > deadline) fail_msg("data did not appear (byte %zu)", i);
    cp_sleep_ms(1);
  }
}

static zx_status_t tf_read_into(struct tthread* t) {
  return zx_vmo_read(t->v->vmo, t->buf, t->off * PAGE, t->n * PAGE);
}

static void early_wake_on_supply(void** state) {
  (void)state;
  enum { kPages = 128, kStep = 32, kStart = 2 };
  struct uvmo* v = up_create_vmo(&P, kPages + kStart);
  uint8_t* expected = malloc(kPages * PAGE);
  uint8_t* data = calloc(1, kPages * PAGE);
  uvmo_fill(v, expected, kPages, kStart);
  struct tthread t = {.fn = tf_read_into, .v = v, .off = kStart, .n = kPages, .buf = data};
  tt_start(&t);
  EXPECT_READ(v, kStart, kPages);
  for (uint64_t i = 0; i < kPages; i += kStep) {
    tt_assert_blocked(&t);
    assert_ok(up_supply(&P, v, i + kStart, kStep));
    // zxvm copies a read's pages only once all are present.
    FUCHSIA_ONLY(wait_for_data(expected + i * PAGE, data + i * PAGE, kStep * PAGE));
  }
  assert_ok(tt_join(&t));
  assert_memory_equal(expected, data, kPages * PAGE);
  free(expected);
  free(data);
}

static void early_wake_non_linear_supply(void** state) {
  (void)state;
  enum { kPages = 128 };
  struct uvmo* v = up_create_vmo(&P, kPages);
  uint8_t* expected = malloc(kPages * PAGE);
  uint8_t* data = calloc(1, kPages * PAGE);
  uvmo_fill(v, expected, kPages, 0);
  struct tthread t = {.fn = tf_read_into, .v = v, .n = kPages, .buf = data};
  tt_start(&t);
  EXPECT_READ(v, 0, kPages);
  uvmo_set_supply_limit(v, 0);
  up_start_handler(&P);
  assert_ok(up_supply(&P, v, 16, 16));
  assert_ok(up_supply(&P, v, 48, 16));
  uvmo_set_supply_limit(v, 32);
  assert_ok(up_supply(&P, v, 0, 16));
  FUCHSIA_ONLY(wait_for_data(expected, data, 32 * PAGE));
  uvmo_set_supply_limit(v, 64);
  assert_ok(up_supply(&P, v, 32, 16));
  FUCHSIA_ONLY(wait_for_data(expected, data, 64 * PAGE));
  uvmo_set_supply_limit(v, kPages);
  assert_ok(up_supply(&P, v, 64, kPages - 64));
  assert_ok(tt_join(&t));
  up_stop_handler(&P);
  EXPECT_NO_READ(v);
  assert_memory_equal(expected, data, kPages * PAGE);
  free(expected);
  free(data);
}

static void early_wake_overlapping_requests(void** state) {
  (void)state;
  enum { kPages = 128, kReqs = 5 };
  static const uint64_t ranges[kReqs][2] = {{0, 92}, {16, 42}, {0, 32}, {48, 64}, {82, 128}};
  struct uvmo* v = up_create_vmo(&P, kPages);
  uint8_t* expected = malloc(kPages * PAGE);
  uvmo_fill(v, expected, kPages, 0);
  struct tthread ts[kReqs];
  uint8_t* bufs[kReqs];
  bool joined[kReqs] = {false};
  for (int i = 0; i < kReqs; i++) {
    bufs[i] = calloc(1, (ranges[i][1] - ranges[i][0]) * PAGE);
    ts[i] = (struct tthread){.fn = tf_read_into,
                             .v = v,
                             .off = ranges[i][0],
                             .n = ranges[i][1] - ranges[i][0],
                             .buf = bufs[i]};
  }
  tt_start(&ts[0]);
  EXPECT_READ(v, 0, 92);
  for (int i = 1; i < kReqs; i++) tt_start(&ts[i]);
  EXPECT_NO_READ(v);
  uvmo_set_supply_limit(v, 0);
  up_start_handler(&P);
  const uint64_t steps[][3] = {
      // supply offset, count, limit before it (0: keep)
      {0, 8, 8},    {16, 1, 0},   {8, 8, 17},    {17, 1, 18},       {30, 2, 0},
      {18, 12, 32}, {32, 18, 50}, {50, 50, 100}, {100, 28, kPages},
  };
  for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
    if (steps[s][2] != 0) uvmo_set_supply_limit(v, steps[s][2]);
    assert_ok(up_supply(&P, v, steps[s][0], steps[s][1]));
    uint64_t max = steps[s][2];
    if (max == 0) continue;
    // Reads wholly supplied complete (their data checked after the join).
    for (int i = 0; i < kReqs; i++) {
      if (!joined[i] && ranges[i][1] <= max && max != 17) {
        assert_ok(tt_join(&ts[i]));
        joined[i] = true;
        assert_memory_equal(expected + ranges[i][0] * PAGE, bufs[i],
                            (ranges[i][1] - ranges[i][0]) * PAGE);
      }
    }
  }
  for (int i = 0; i < kReqs; i++) {
    if (!joined[i]) assert_ok(tt_join(&ts[i]));
    assert_memory_equal(expected + ranges[i][0] * PAGE, bufs[i],
                        (ranges[i][1] - ranges[i][0]) * PAGE);
    free(bufs[i]);
  }
  up_stop_handler(&P);
  free(expected);
}

static void early_wake_with_resize(void** state) {
  (void)state;
  enum { kPages = 16 };
  struct uvmo* v = up_create_vmo_ex(&P, kPages, ZX_VMO_RESIZABLE);
  uint8_t* data = calloc(1, kPages * PAGE);
  uint8_t* expected = malloc(kPages * PAGE);
  uvmo_fill(v, expected, kPages, 0);
  struct tthread t = {.fn = tf_read_into, .v = v, .n = kPages, .buf = data};
  tt_start(&t);
  EXPECT_READ(v, 0, kPages);
  assert_ok(up_supply(&P, v, 0, 1));
  FUCHSIA_ONLY(wait_for_data(expected, data, PAGE));
  tt_assert_blocked(&t);
  assert_ok(uvmo_resize(v, kPages / 2));
  assert_ok(up_supply(&P, v, 1, kPages / 2 - 1));
  assert_int_not_equal(ZX_OK, tt_join(&t));
  free(data);
  free(expected);
}

// A read of a clone woken early finds pages the clone forked meanwhile.
static void early_wake_clone_race(void** state) {
  (void)state;
  enum { kPages = 1025, kMiddle = kPages / 2, kOver = 257, kOverStart = kMiddle - kOver / 2 };
  struct uvmo* v = up_create_vmo(&P, kPages);
  struct uvmo* clone = uvmo_clone(v, CP_ALOW);
  uint8_t* expected = malloc(kPages * PAGE);
  uint8_t* data = calloc(1, kPages * PAGE);
  uvmo_fill(v, expected, kPages, 0);
  struct tthread t = {.fn = tf_read_into, .v = clone, .n = kPages, .buf = data};
  assert_ok(up_supply(&P, v, kMiddle, 1));
  tt_start(&t);
  // zxvm asks in runs of at most 64 pages.
  FUCHSIA_ONLY(EXPECT_READ(v, 0, kMiddle));
  uint64_t off = 0, len = 0;
  assert_true(up_get_request(&P, v, ZX_PAGER_VMO_READ, cp_deadline(), &off, &len));
  assert_int_equal(0, off);
  assert_ok(uvmo_op(clone, ZX_VMO_OP_ZERO, kOverStart, kOver));
  for (uint64_t page = kOverStart; page < kOverStart + kOver; page++) {
    memset(expected + page * PAGE, 0, PAGE / 2);
    assert_ok(zx_vmo_write(clone->vmo, expected + page * PAGE, page * PAGE, PAGE));
  }
  assert_ok(up_supply(&P, v, 0, kMiddle - 1));
  FUCHSIA_ONLY(EXPECT_READ(v, kOverStart + kOver, kPages - (kOverStart + kOver)));
  // Supply whatever else is asked for until the read completes.
  zx_time_t deadline = cp_deadline();
  while (!tt_done(&t)) {
    if (up_get_request(&P, v, ZX_PAGER_VMO_READ, zx_deadline_after(ZX_MSEC(20)), &off, &len)) {
      assert_ok(up_supply(&P, v, off, len));
    }
    assert_true(zx_clock_get_monotonic() < deadline);
  }
  assert_ok(tt_join(&t));
  assert_memory_equal(expected, data, kPages * PAGE);
  free(expected);
  free(data);
  uvmo_destroy(clone);
}

static void prefetch(void** state) {
  (void)state;
  // Directly on the root.
  struct uvmo* root = up_create_vmo(&P, 1);
  struct tthread t = {.fn = tf_op, .v = root, .op = ZX_VMO_OP_PREFETCH, .n = 1};
  tt_start(&t);
  EXPECT_READ(root, 0, 1);
  assert_ok(up_supply(&P, root, 0, 1));
  assert_ok(tt_join(&t));
  up_release_vmo(&P, root);
  // Through a slice.
  root = up_create_vmo(&P, 2);
  struct uvmo* slice = uvmo_clone_range(root, PAGE, PAGE, ZX_VMO_CHILD_SLICE);
  t = (struct tthread){.fn = tf_op, .v = slice, .op = ZX_VMO_OP_PREFETCH, .n = 1};
  tt_start(&t);
  EXPECT_READ(root, 1, 1);
  assert_ok(up_supply(&P, root, 1, 1));
  assert_ok(tt_join(&t));
  uvmo_destroy(slice);
  up_release_vmo(&P, root);
  // Through a clone whose first page was forked: only the second is asked for.
  root = up_create_vmo(&P, 2);
  struct uvmo* clone = uvmo_clone(root, CP_ALOW);
  t = (struct tthread){.fn = tf_user_write64, .addr = clone->base, .value = 42};
  tt_start(&t);
  EXPECT_READ(root, 0, 1);
  assert_ok(up_supply(&P, root, 0, 1));
  assert_ok(tt_join(&t));
  t = (struct tthread){.fn = tf_op, .v = clone, .op = ZX_VMO_OP_PREFETCH, .n = 2};
  tt_start(&t);
  EXPECT_READ(root, 1, 1);
  assert_ok(up_supply(&P, root, 1, 1));
  assert_ok(tt_join(&t));
  uvmo_destroy(clone);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      T2(fail_single_page),
      T(fail_exact_range),
      T(fail_multiple_commits),
      T(fail_multiple_vmos),
      T(fail_overlapping_range_commit),
      T(fail_overlapping_range_read),
      T(fail_redundant),
      T(fail_after_detach),
      T(fail_early_wake),
      T(fail_overlap_request),
      T(supply_after_detach),
      T(supply_after_fail),
      T(fail_error_code),
      T(deep_hierarchy),
      T(clone_might_see_intermediate_forks),
      T(clone_sees_correct_parent_pages),
      T(clone_commit_single_batch),
      T(clone_commit_two_batches),
      T(clone_commit_multiple_batches),
      T(clone_commit_random_batches),
      T(eviction_hint_always_need),
      T(eviction_hints_op_range),
      T(eviction_hints_with_clones),
      T(eviction_hints_with_resize),
      T(eviction_hints_vmar),
      T(eviction_hints_nested_vmar),
      T(eviction_hints_clone_vmar),
      T(zero_handles_race),
      T(op_commit_vmar),
      T(op_commit_clone_vmar),
      T(racy_port_dequeue),
      T(present_page_splits_range),
      T(page_request_batching_checks_ancestor_pages),
      T(early_wake_on_supply),
      T(early_wake_non_linear_supply),
      T(early_wake_overlapping_requests),
      T(early_wake_with_resize),
      T(early_wake_clone_race),
      T(prefetch),
  };
  return cmocka_run_group_tests(tests, zx_test_init, NULL);
}
