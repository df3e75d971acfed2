// Fuchsia's pager core tests (zircon/system/utest/core/pager/pager.cc), first part, restated
// against zxvm: single and concurrent reads blocked on a pager (through a mapping and through
// zx_vmo_read), supplies of odd lengths and offsets, detach / close of pager and port while
// blocked, clones of pager VMOs, commits split over present pages, and the argument errors of
// the pager calls. See conf_pager_util.h for how threads, faults and "blocked" are observed.
//
// Not restated: SuspendReadTest and SuspendCommitTest (thread suspension, no thread objects);
// PinnedSupplyPages and the pinned / physical-VMO cases of InvalidPagerSupplyPages (BTI, pinning,
// physical VMOs). Crashes are checked by their status only (no faulting address is reported).
#include "conf_pager_util.h"

// ---- single and concurrent accesses ---------------------------------------------------------

VMO_VMAR_TEST(single_page) {
  struct uvmo* v = up_create_vmo(&P, 1);
  struct tthread t = {.fn = tf_check, .v = v, .n = 1, .vmar = vmar};
  tt_start(&t);
  EXPECT_READ(v, 0, 1);
  assert_ok(up_supply(&P, v, 0, 1));
  assert_ok(tt_join(&t));
}

VMO_VMAR_TEST(uncommitted_single_page) {
  struct uvmo* v = up_create_vmo(&P, 1);
  void* zeros = calloc(1, PAGE);
  struct tthread t = {.fn = tf_check, .v = v, .n = 1, .data = zeros, .vmar = vmar};
  tt_start(&t);
  EXPECT_READ(v, 0, 1);
  assert_ok(up_supply_from(&P, v, 0, 1, make_vmo(PAGE, 0), 0));
  assert_ok(tt_join(&t));
  free(zeros);
}

VMO_VMAR_TEST(presupply) {
  struct uvmo* v = up_create_vmo(&P, 1);
  assert_ok(up_supply(&P, v, 0, 1));
  struct tthread t = {.fn = tf_check, .v = v, .n = 1, .vmar = vmar};
  tt_start(&t);
  assert_ok(tt_join(&t));
  assert_false(up_wait_request(&P, v, ZX_PAGER_VMO_READ, 0, 1, 0));
}

// A supply between the request and the pager reading the port withdraws the queued request.
VMO_VMAR_TEST(early_supply) {
  struct uvmo* v = up_create_vmo(&P, 2);
  struct tthread t1 = {.fn = tf_check, .v = v, .off = 0, .n = 1, .vmar = vmar};
  struct tthread t2 = {.fn = tf_check, .v = v, .off = 1, .n = 1, .vmar = vmar};
  uint64_t mark = cp_requests_sent();
  tt_start(&t1);
  cp_wait_requests_sent(mark, 1);
  assert_ok(up_supply(&P, v, 0, 1));
  assert_ok(tt_join(&t1));
  tt_start(&t2);
  EXPECT_READ(v, 1, 1);
  assert_ok(up_supply(&P, v, 1, 1));
  assert_ok(tt_join(&t2));
  // The request satisfied before the pager read the port was withdrawn.
  assert_false(up_wait_request(&P, v, ZX_PAGER_VMO_READ, 0, 1, 0));
}

VMO_VMAR_TEST(sequential_multipage) {
  enum { kPages = 32 };
  struct uvmo* v = up_create_vmo(&P, kPages);
  struct tthread t = {.fn = tf_check, .v = v, .n = kPages, .vmar = vmar};
  tt_start(&t);
  if (vmar) {
    // Faults through a mapping come one page at a time.
    for (uint64_t i = 0; i < kPages; i++) {
      EXPECT_READ(v, i, 1);
      assert_ok(up_supply(&P, v, i, 1));
    }
  } else {
    EXPECT_READ(v, 0, kPages);
    assert_ok(up_supply(&P, v, 0, kPages));
  }
  assert_ok(tt_join(&t));
}

VMO_VMAR_TEST(concurrent_multipage_access) {
  struct uvmo* v = up_create_vmo(&P, 2);
  struct tthread t1 = {.fn = tf_check, .v = v, .off = 0, .n = 1, .vmar = vmar};
  struct tthread t2 = {.fn = tf_check, .v = v, .off = 1, .n = 1, .vmar = vmar};
  tt_start(&t1);
  tt_start(&t2);
  EXPECT_READ(v, 0, 1);
  EXPECT_READ(v, 1, 1);
  assert_ok(up_supply(&P, v, 0, 2));
  assert_ok(tt_join(&t1));
  assert_ok(tt_join(&t2));
}

VMO_VMAR_TEST(concurrent_overlapping_access) {
  enum { kThreads = 32 };
  struct uvmo* v = up_create_vmo(&P, 1);
  static struct tthread ts[kThreads];
  uint64_t mark = cp_requests_sent();
  for (int i = 0; i < kThreads; i++) {
    ts[i] = (struct tthread){.fn = tf_check, .v = v, .n = 1, .vmar = vmar};
    tt_start(&ts[i]);
    if (i == 0) cp_wait_requests_sent(mark, 1);
    tt_assert_blocked(&ts[i]);
  }
  EXPECT_READ(v, 0, 1);
  assert_ok(up_supply(&P, v, 0, 1));
  for (int i = 0; i < kThreads; i++) assert_ok(tt_join(&ts[i]));
  assert_false(up_wait_request(&P, v, ZX_PAGER_VMO_READ, 0, 1, 0));
}

VMO_VMAR_TEST(bulk_single_supply) {
  enum { kPages = 8 };
  struct uvmo* v = up_create_vmo(&P, kPages);
  static struct tthread ts[kPages];
  for (uint64_t i = 0; i < kPages; i++) {
    ts[i] = (struct tthread){.fn = tf_check, .v = v, .off = i, .n = 1, .vmar = vmar};
    tt_start(&ts[i]);
    EXPECT_READ(v, i, 1);
  }
  assert_ok(up_supply(&P, v, 0, kPages));
  for (int i = 0; i < kPages; i++) assert_ok(tt_join(&ts[i]));
}

static void bulk_odd_supply(bool vmar, bool use_src_offset) {
  static const uint64_t kLengths[] = {2, 3, 5, 7, 37, 5, 13, 23};
  uint64_t sum = 0;
  for (size_t i = 0; i < sizeof(kLengths) / sizeof(kLengths[0]); i++) sum += kLengths[i];
  struct uvmo* v = up_create_vmo(&P, sum);
  static struct tthread ts[37];
  uint64_t page = 0;
  for (size_t s = 0; s < sizeof(kLengths) / sizeof(kLengths[0]); s++) {
    for (uint64_t j = 0; j < kLengths[s]; j++) {
      ts[j] = (struct tthread){.fn = tf_check, .v = v, .off = page + j, .n = 1, .vmar = vmar};
      tt_start(&ts[j]);
      EXPECT_READ(v, page + j, 1);
    }
    assert_ok(up_supply_at(&P, v, page, kLengths[s], use_src_offset ? page : 0));
    for (uint64_t j = 0; j < kLengths[s]; j++) assert_ok(tt_join(&ts[j]));
    page += kLengths[s];
  }
}

VMO_VMAR_TEST(bulk_odd_length_supply) { bulk_odd_supply(vmar, false); }
VMO_VMAR_TEST(bulk_odd_offset_supply) { bulk_odd_supply(vmar, true); }

// A supply keeps pages already present.
VMO_VMAR_TEST(overlap_supply) {
  struct uvmo* v = up_create_vmo(&P, 2);
  void* alt = malloc(PAGE);
  uvmo_fill(v, alt, 1, 2);
  zx_handle_t aux = make_vmo(PAGE, 0);
  assert_ok(zx_vmo_write(aux, alt, 0, PAGE));
  assert_ok(up_supply_from(&P, v, 0, 1, aux, 0));
  assert_ok(up_supply(&P, v, 1, 1));
  assert_ok(uvmo_check_data(v, 0, 1, alt, vmar));
  assert_ok(uvmo_check(v, 1, 1, vmar));
  assert_false(up_wait_request(&P, v, ZX_PAGER_VMO_READ, 0, 1, 0));
  free(alt);
}

VMO_VMAR_TEST(many_request) {
  enum { kPages = 257 };
  struct uvmo* v = up_create_vmo(&P, kPages);
  static struct tthread ts[kPages];
  for (uint64_t i = 0; i < kPages; i++) {
    ts[i] = (struct tthread){.fn = tf_check, .v = v, .off = i, .n = 1, .vmar = vmar};
    uint64_t mark = cp_requests_sent();
    tt_start(&ts[i]);
    cp_wait_requests_sent(mark, 1);
  }
  for (uint64_t i = 0; i < kPages; i++) {
    EXPECT_READ(v, i, 1);
    assert_ok(up_supply(&P, v, i, 1));
    assert_ok(tt_join(&ts[i]));
  }
}

static void successive_vmo(void** state) {
  (void)state;
  for (int i = 0; i < 64; i++) {
    struct uvmo* v = up_create_vmo(&P, 1);
    struct tthread t = {.fn = tf_check, .v = v, .n = 1, .vmar = true};
    tt_start(&t);
    EXPECT_READ(v, 0, 1);
    assert_ok(up_supply(&P, v, 0, 1));
    assert_ok(tt_join(&t));
    up_release_vmo(&P, v);
  }
}

static void multiple_concurrent_vmo(void** state) {
  (void)state;
  enum { kVmos = 8 };
  struct uvmo* vs[kVmos];
  static struct tthread ts[kVmos];
  for (int i = 0; i < kVmos; i++) {
    vs[i] = up_create_vmo(&P, 1);
    ts[i] = (struct tthread){.fn = tf_check, .v = vs[i], .n = 1, .vmar = true};
    tt_start(&ts[i]);
    EXPECT_READ(vs[i], 0, 1);
  }
  for (int i = 0; i < kVmos; i++) {
    assert_ok(up_supply(&P, vs[i], 0, 1));
    assert_ok(tt_join(&ts[i]));
  }
}

// ---- mappings changing under a blocked access -------------------------------------------------

static void vmar_unmap(void** state) {
  (void)state;
  struct uvmo* v = up_create_vmo(&P, 1);
  zx_vaddr_t addr;
  assert_ok(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, v->vmo, 0, PAGE, &addr));
  struct tthread t = {.fn = tf_user_read64, .addr = addr};
  uint64_t mark = cp_requests_sent();
  tt_start(&t);
  cp_wait_requests_sent(mark, 1);
  assert_ok(zx_vmar_unmap(zx_vmar_root_self(), addr, PAGE));
  assert_ok(up_supply(&P, v, 0, 1));
  assert_status(ZX_ERR_NOT_FOUND, tt_join(&t));
}

static zx_status_t tf_read_page_expect(struct tthread* t) {
  uint8_t* got = malloc(PAGE);
  zx_status_t st = zxvm_user_read(zx_process_self(), t->addr, got, PAGE);
  if (st == ZX_OK && memcmp(got, t->data, PAGE) != 0) st = CP_MISMATCH;
  free(got);
  return st;
}

static void vmar_remap(void** state) {
  (void)state;
  enum { kPages = 8 };
  struct uvmo* v1 = up_create_vmo(&P, kPages);
  struct uvmo* v2 = up_create_vmo(&P, kPages);
  zx_vaddr_t addr;
  assert_ok(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, v1->vmo, 0, kPages * PAGE, &addr));
  static struct tthread ts[kPages];
  static uint8_t expected[kPages][16384];
  assert_true(PAGE <= sizeof(expected[0]));
  uint64_t mark = cp_requests_sent();
  for (uint64_t i = 0; i < kPages; i++) {
    uvmo_fill(v2, expected[i], 1, i);
    ts[i] =
        (struct tthread){.fn = tf_read_page_expect, .addr = addr + i * PAGE, .data = expected[i]};
    tt_start(&ts[i]);
  }
  // Every thread is blocked on vmo1 (some behind another's request).
  cp_wait_requests_sent(mark, 1);
  for (uint64_t i = 0; i < kPages; i++) tt_assert_blocked(&ts[i]);
  zx_info_vmar_t info;
  assert_ok(zx_object_get_info(zx_vmar_root_self(), ZX_INFO_VMAR, &info, sizeof(info), NULL, NULL));
  zx_vaddr_t again;
  assert_ok(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_SPECIFIC_OVERWRITE,
                        addr - info.base, v2->vmo, 0, kPages * PAGE, &again));
  assert_int_equal(addr, again);
  // Supplying vmo1 leaves them blocked: they fault again, on vmo2.
  assert_ok(up_supply(&P, v1, 0, kPages));
  for (uint64_t i = 0; i < kPages; i++) tt_assert_blocked(&ts[i]);
  for (uint64_t i = 0; i < kPages; i++) {
    uint64_t off = 0, len = 0;
    assert_true(up_get_request(&P, v2, ZX_PAGER_VMO_READ, cp_deadline(), &off, &len));
    assert_int_equal(1, len);
    assert_ok(up_supply(&P, v2, off, 1));
    assert_ok(tt_join(&ts[off]));
  }
  assert_ok(zx_vmar_unmap(zx_vmar_root_self(), addr, kPages * PAGE));
}

static zx_status_t tf_map_range(struct tthread* t) {
  return zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_MAP_RANGE, 0, t->v->vmo, 0,
                     2 * PAGE, &t->addr);
}

// MAP_RANGE maps what is present and asks the pager for nothing.
static void vmar_map_range(void** state) {
  (void)state;
  struct uvmo* v = up_create_vmo(&P, 2);
  assert_ok(up_supply(&P, v, 0, 1));
  struct tthread t = {.fn = tf_map_range, .v = v};
  tt_start(&t);
  assert_ok(tt_join(&t));
  EXPECT_NO_READ(v);
  void* expected = malloc(2 * PAGE);
  uvmo_fill(v, expected, 2, 0);
  struct tthread t2 = {.fn = tf_read_page_expect, .addr = t.addr, .data = expected};
  // Only the second page is missing.
  tt_start(&t2);
  assert_ok(tt_join(&t2));  // page 0 is present: the first page of the read alone
  uint64_t second = 0;
  struct tthread t3 = {.fn = tf_user_read64, .addr = t.addr + PAGE};
  tt_start(&t3);
  EXPECT_READ(v, 1, 1);
  assert_ok(up_supply(&P, v, 1, 1));
  assert_ok(tt_join(&t3));
  second = t3.value;
  assert_int_equal(((uint64_t*)expected)[PAGE / 8], second);
  EXPECT_NO_READ(v);
  assert_ok(zx_vmar_unmap(zx_vmar_root_self(), t.addr, 2 * PAGE));
  free(expected);
}

VMO_VMAR_TEST(read_resize) {
  struct uvmo* v = up_create_vmo_ex(&P, 1, ZX_VMO_RESIZABLE);
  struct tthread t = {.fn = tf_check, .v = v, .n = 1, .vmar = vmar};
  tt_start(&t);
  EXPECT_READ(v, 0, 1);
  assert_ok(uvmo_resize(v, 0));
  if (vmar) {
    assert_status(ZX_ERR_OUT_OF_RANGE, tt_join(&t));
  } else {
    assert_int_not_equal(ZX_OK, tt_join(&t));
  }
}

static void vmo_info_pager(void** state) {
  (void)state;
  struct uvmo* v = up_create_vmo(&P, PAGE);  // as many pages as a page has bytes, as Fuchsia does
  assert_int_equal(ZX_INFO_VMO_PAGER_BACKED, uvmo_info(v).flags & ZX_INFO_VMO_PAGER_BACKED);
  zx_handle_t plain = make_vmo(PAGE, 0);
  zx_info_vmo_t info;
  assert_ok(zx_object_get_info(plain, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL));
  assert_int_equal(0, info.flags & ZX_INFO_VMO_PAGER_BACKED);
  assert_ok(zx_handle_close(plain));
}

// ---- detach and close -------------------------------------------------------------------------

static void detach_page_complete(void** state) {
  (void)state;
  struct uvmo* v = up_create_vmo(&P, 1);
  assert_ok(zx_pager_detach_vmo(P.pager, v->vmo));
  assert_true(up_wait_complete(&P, v->key, cp_deadline()));
}

static zx_status_t access_after_detach(struct uvmo* v, bool vmar) {
  struct tthread t = {.fn = tf_check, .v = v, .n = 1, .vmar = vmar};
  tt_start(&t);
  return tt_join(&t);
}

static void expect_fail_after_detach(struct uvmo* v, bool vmar) {
  zx_status_t st = access_after_detach(v, vmar);
  if (vmar) {
    assert_status(ZX_ERR_BAD_STATE, st);
  } else {
    assert_int_not_equal(ZX_OK, st);
  }
}

// Detach decommits the pager's pages; later accesses through the VMO or a clone fail.
VMO_VMAR_TEST(decommit_on_detach) {
  struct uvmo* v = up_create_vmo(&P, 2);
  struct uvmo* clone = uvmo_clone(v, CP_ALOW);
  struct tthread t1 = {.fn = tf_check, .v = clone, .n = 1, .vmar = vmar};
  tt_start(&t1);
  EXPECT_READ(v, 0, 1);
  assert_ok(up_supply(&P, v, 0, 1));
  assert_ok(tt_join(&t1));
  assert_int_equal(PAGE, uvmo_info(v).committed_bytes);
  assert_ok(zx_pager_detach_vmo(P.pager, v->vmo));
  assert_true(up_wait_complete(&P, v->key, cp_deadline()));
  // The clean supplied page went with the detach: reads of it fail through the VMO and the clone.
  assert_int_equal(0, uvmo_info(v).committed_bytes);
  // (Fuchsia's test checks page 0 four times; its comments speak of page 1 for the last two.)
  expect_fail_after_detach(v, vmar);
  expect_fail_after_detach(clone, vmar);
  expect_fail_after_detach(v, vmar);
  expect_fail_after_detach(clone, vmar);
  // Page 1, never supplied, fails as well.
  zx_status_t st = uvmo_check(v, 1, 1, vmar);
  if (vmar) {
    assert_status(ZX_ERR_BAD_STATE, st);
  } else {
    assert_int_not_equal(ZX_OK, st);
  }
  EXPECT_NO_READ(v);
  uvmo_destroy(clone);
}

static void close_page_complete(void** state) {
  (void)state;
  struct uvmo* v = up_create_vmo(&P, 1);
  uint64_t key = v->key;
  up_release_vmo(&P, v);
  assert_true(up_wait_complete(&P, key, cp_deadline()));
}

// A read straddling a supplied and a detached page fails with BAD_STATE.
static void detach_non_mapping_access(void** state) {
  (void)state;
  struct uvmo* v = up_create_vmo(&P, 2);
  uint64_t val;
  struct tthread t = {.fn = tf_vmo_read_bytes, .v = v, .off = PAGE - 4, .n = 8, .buf = &val};
  tt_start(&t);
  EXPECT_READ(v, 0, 2);
  assert_ok(up_supply(&P, v, 0, 1));
  assert_ok(zx_pager_detach_vmo(P.pager, v->vmo));
  assert_status(ZX_ERR_BAD_STATE, tt_join(&t));
  EXPECT_NO_READ(v);
}

static void read_interrupt(bool vmar, bool detach, bool late) {
  struct uvmo* v = up_create_vmo(&P, 1);
  struct tthread t = {.fn = tf_check, .v = v, .n = 1, .vmar = vmar};
  uint64_t mark = cp_requests_sent();
  tt_start(&t);
  if (late) {
    EXPECT_READ(v, 0, 1);
  } else {
    cp_wait_requests_sent(mark, 1);
  }
  if (detach) {
    assert_ok(zx_pager_detach_vmo(P.pager, v->vmo));
  } else {
    assert_ok(zx_handle_close(P.pager));
    P.pager = ZX_HANDLE_INVALID;
  }
  zx_status_t st = tt_join(&t);
  if (vmar) {
    assert_status(ZX_ERR_BAD_STATE, st);
  } else {
    assert_int_not_equal(ZX_OK, st);
  }
  if (detach) assert_true(up_wait_complete(&P, v->key, cp_deadline()));
}

VMO_VMAR_TEST(read_close_interrupt_late) { read_interrupt(vmar, false, true); }
VMO_VMAR_TEST(read_detach_interrupt_late) { read_interrupt(vmar, true, true); }
VMO_VMAR_TEST(read_close_interrupt_early) { read_interrupt(vmar, false, false); }
VMO_VMAR_TEST(read_detach_interrupt_early) { read_interrupt(vmar, true, false); }

static void close_pager(void** state) {
  (void)state;
  struct uvmo* v = up_create_vmo(&P, 2);
  struct tthread t = {.fn = tf_check, .v = v, .n = 1, .vmar = true};
  assert_ok(up_supply(&P, v, 1, 1));
  uint64_t mark = cp_requests_sent();
  tt_start(&t);
  cp_wait_requests_sent(mark, 1);
  assert_ok(zx_handle_close(P.pager));
  P.pager = ZX_HANDLE_INVALID;
  assert_status(ZX_ERR_BAD_STATE, tt_join(&t));
  assert_ok(uvmo_check(v, 1, 1, true));
}

static void detach_close_pager(void** state) {
  (void)state;
  struct uvmo* v = up_create_vmo(&P, 1);
  assert_ok(zx_pager_detach_vmo(P.pager, v->vmo));
  assert_ok(zx_handle_close(P.pager));
  P.pager = ZX_HANDLE_INVALID;
}

// Closing the port only loses the requests.
static void close_port(void** state) {
  (void)state;
  struct uvmo* v = up_create_vmo(&P, 2);
  struct tthread t = {.fn = tf_check, .v = v, .n = 1, .vmar = true};
  uint64_t mark = cp_requests_sent();
  tt_start(&t);
  cp_wait_requests_sent(mark, 1);
  assert_ok(zx_handle_close(P.port));
  P.port = ZX_HANDLE_INVALID;
  assert_ok(up_supply(&P, v, 1, 1));
  assert_ok(uvmo_check(v, 1, 1, true));
  assert_ok(zx_pager_detach_vmo(P.pager, v->vmo));
  assert_status(ZX_ERR_BAD_STATE, tt_join(&t));
}

// ---- clones ----------------------------------------------------------------------------------

VMO_VMAR_TEST(clone_read_from_clone) {
  struct uvmo* v = up_create_vmo(&P, 1);
  struct uvmo* clone = uvmo_clone(v, CP_ALOW);
  assert_non_null(clone);
  struct tthread t = {.fn = tf_check, .v = clone, .n = 1, .vmar = vmar};
  tt_start(&t);
  EXPECT_READ(v, 0, 1);
  assert_ok(up_supply(&P, v, 0, 1));
  assert_ok(tt_join(&t));
  uvmo_destroy(clone);
}

VMO_VMAR_TEST(clone_read_from_parent) {
  struct uvmo* v = up_create_vmo(&P, 1);
  struct uvmo* clone = uvmo_clone(v, CP_ALOW);
  assert_non_null(clone);
  struct tthread t = {.fn = tf_check, .v = v, .n = 1, .vmar = vmar};
  tt_start(&t);
  EXPECT_READ(v, 0, 1);
  assert_ok(up_supply(&P, v, 0, 1));
  assert_ok(tt_join(&t));
  struct tthread t2 = {.fn = tf_check, .v = clone, .n = 1, .vmar = vmar};
  tt_start(&t2);
  assert_ok(tt_join(&t2));
  assert_false(up_wait_request(&P, v, ZX_PAGER_VMO_READ, 0, 1, 0));
  uvmo_destroy(clone);
}

static void simultaneous_read(bool vmar, bool both_clones) {
  struct uvmo* v = up_create_vmo(&P, 1);
  struct uvmo* c1 = uvmo_clone(v, CP_ALOW);
  struct uvmo* c2 = both_clones ? uvmo_clone(v, CP_ALOW) : NULL;
  struct tthread t1 = {.fn = tf_check, .v = both_clones ? c1 : v, .n = 1, .vmar = vmar};
  struct tthread t2 = {.fn = tf_check, .v = both_clones ? c2 : c1, .n = 1, .vmar = vmar};
  uint64_t mark = cp_requests_sent();
  tt_start(&t1);
  tt_start(&t2);
  cp_wait_requests_sent(mark, 1);
  tt_assert_blocked(&t1);
  tt_assert_blocked(&t2);
  EXPECT_READ(v, 0, 1);
  assert_ok(up_supply(&P, v, 0, 1));
  assert_ok(tt_join(&t1));
  assert_ok(tt_join(&t2));
  assert_false(up_wait_request(&P, v, ZX_PAGER_VMO_READ, 0, 1, 0));
  uvmo_destroy(c1);
  uvmo_destroy(c2);
}

VMO_VMAR_TEST(clone_simultaneous_read) { simultaneous_read(vmar, false); }
VMO_VMAR_TEST(clone_simultaneous_child_read) { simultaneous_read(vmar, true); }

// A clone's write stays in the clone.
VMO_VMAR_TEST(clone_write_to_clone) {
  (void)vmar;
  struct uvmo* v = up_create_vmo(&P, 1);
  struct uvmo* clone = uvmo_clone(v, CP_ALOW);
  struct tthread t = {.fn = tf_user_write64, .addr = clone->base, .value = 0xdeadbeef};
  tt_start(&t);
  EXPECT_READ(v, 0, 1);
  assert_ok(up_supply(&P, v, 0, 1));
  assert_ok(tt_join(&t));
  assert_ok(uvmo_check(v, 0, 1, true));
  assert_int_equal(0xdeadbeef, u64_at(clone->base));
  u64_put(clone->base, clone->key);
  assert_ok(uvmo_check(clone, 0, 1, true));
  uvmo_destroy(clone);
}

// After detach, only the pages a clone forked remain readable in it.
static void clone_detach(void** state) {
  (void)state;
  struct uvmo* v = up_create_vmo(&P, 3);
  struct uvmo* clone = uvmo_clone(v, CP_ALOW);
  struct tthread t1 = {.fn = tf_check, .v = clone, .off = 1, .n = 1, .vmar = true};
  tt_start(&t1);
  EXPECT_READ(v, 1, 1);
  struct tthread t2 = {.fn = tf_user_write64, .addr = clone->base, .value = 0xdeadbeef};
  tt_start(&t2);
  EXPECT_READ(v, 0, 1);
  assert_ok(up_supply(&P, v, 0, 2));
  assert_ok(tt_join(&t1));
  assert_ok(tt_join(&t2));
  assert_ok(zx_pager_detach_vmo(P.pager, v->vmo));
  assert_true(up_wait_complete(&P, v->key, cp_deadline()));
  void* zeros = calloc(1, PAGE);
  assert_status(ZX_ERR_BAD_STATE, uvmo_check_data(clone, 2, 1, zeros, true));
  // The supplied page the clone did not fork went with the detach.
  assert_status(ZX_ERR_BAD_STATE, uvmo_check_data(clone, 1, 1, zeros, true));
  assert_int_equal(0xdeadbeef, u64_at(clone->base));
  free(zeros);
  uvmo_destroy(clone);
}

static void clone_commit_common(uint64_t pages, bool chain) {
  struct uvmo* v = up_create_vmo(&P, pages);
  struct uvmo* mid = chain ? uvmo_clone(v, CP_ALOW) : NULL;
  struct uvmo* clone = uvmo_clone(chain ? mid : v, CP_ALOW);
  struct tthread t = {.fn = tf_commit, .v = clone, .n = pages};
  tt_start(&t);
  EXPECT_READ(v, 0, pages);
  assert_ok(up_supply(&P, v, 0, pages));
  assert_ok(tt_join(&t));
  // A commit simulates write faults: every page is copied into the clone.
  assert_int_equal(pages * PAGE, uvmo_info(clone).populated_bytes);
  // The pages are copied into the committing clone only; the intermediate gets none.
  if (chain) assert_int_equal(0, uvmo_info(mid).populated_bytes);
  uvmo_destroy(clone);
  uvmo_destroy(mid);
}

static void clone_commit(void** state) {
  (void)state;
  clone_commit_common(32, false);
}

static void clone_chain_commit(void** state) {
  (void)state;
  clone_commit_common(32, true);
}

static void clone_split_commit(void** state) {
  (void)state;
  enum { kPages = 4 };
  struct uvmo* v = up_create_vmo(&P, kPages);
  struct uvmo* clone = uvmo_clone(v, CP_ALOW);
  struct tthread t = {.fn = tf_commit, .v = clone, .n = kPages};
  assert_ok(up_supply(&P, v, 1, 2));
  assert_ok(uvmo_check(clone, 1, 1, true));
  tt_start(&t);
  EXPECT_READ(v, 0, 1);
  assert_ok(up_supply(&P, v, 0, 1));
  EXPECT_READ(v, kPages - 1, 1);
  assert_ok(up_supply(&P, v, kPages - 1, 1));
  assert_ok(tt_join(&t));
  assert_int_equal(kPages * PAGE, uvmo_info(clone).populated_bytes);
  uvmo_destroy(clone);
}

static uint32_t u32_access(zx_vaddr_t va, bool write, zx_status_t* st) {
  uint32_t x = 0;
  *st = write ? zxvm_user_write(zx_process_self(), va, &x, 4)
              : zxvm_user_read(zx_process_self(), va, &x, 4);
  return x;
}

// Shrinking the clone makes its mapping fault OUT_OF_RANGE.
static void clone_resize_clone_hazard(void** state) {
  (void)state;
  struct uvmo* v = up_create_vmo(&P, 2);
  assert_ok(up_supply(&P, v, 0, 2));
  zx_handle_t child;
  assert_ok(zx_vmo_create_child(v->vmo, CP_ALOW, 0, 2 * PAGE, &child));
  zx_vaddr_t ptr;
  assert_ok(zx_vmar_map(zx_vmar_root_self(), CP_RW, 0, child, 0, 2 * PAGE, &ptr));
  zx_status_t st;
  assert_int_equal(0, u32_access(ptr + 4, false, &st));
  assert_ok(st);
  assert_ok(zx_vmo_set_size(child, 0));
  u32_access(ptr + 4, false, &st);
  assert_status(ZX_ERR_OUT_OF_RANGE, st);
  u32_access(ptr + 4, true, &st);
  assert_status(ZX_ERR_OUT_OF_RANGE, st);
  assert_ok(zx_vmar_unmap(zx_vmar_root_self(), ptr, 2 * PAGE));
  assert_ok(zx_handle_close(child));
}

// Shrinking the parent leaves the clone's mapping usable.
static void clone_resize_parent_ok(void** state) {
  (void)state;
  struct uvmo* v = up_create_vmo_ex(&P, 2, ZX_VMO_RESIZABLE);
  assert_ok(up_supply(&P, v, 0, 2));
  zx_handle_t child;
  assert_ok(
      zx_vmo_create_child(v->vmo, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, 0, 2 * PAGE, &child));
  zx_vaddr_t ptr;
  assert_ok(zx_vmar_map(zx_vmar_root_self(), CP_RW, 0, child, 0, 2 * PAGE, &ptr));
  zx_status_t st;
  assert_int_equal(0, u32_access(ptr + 4, false, &st));
  assert_ok(st);
  assert_ok(uvmo_resize(v, 0));
  u32_access(ptr + 4, false, &st);
  assert_ok(st);
  u32_access(ptr + 4, true, &st);
  assert_ok(st);
  assert_ok(zx_vmar_unmap(zx_vmar_root_self(), ptr, 2 * PAGE));
  assert_ok(zx_handle_close(child));
}

static zx_handle_t committed_zero_aux(uint64_t size) {
  zx_handle_t aux = make_vmo(size, 0);
  assert_ok(zx_vmo_op_range(aux, ZX_VMO_OP_COMMIT, 0, size, NULL, 0));
  return aux;
}

// Pages the parent regains by shrinking then growing are not visible to the clone.
static void clone_shrink_grow_parent(void** state) {
  (void)state;
  const struct {
    uint64_t vmo_size, clone_offset, clone_size, clone_test_offset;
  } configs[] = {
      {PAGE, 0, PAGE, 0},
      {2 * PAGE, PAGE, PAGE, 0},
      {3 * PAGE, PAGE, 2 * PAGE, PAGE},
  };
  for (size_t c = 0; c < sizeof(configs) / sizeof(configs[0]); c++) {
    up_fini(&P);
    up_init(&P);
    uint64_t pages = configs[c].vmo_size / PAGE;
    struct uvmo* v = up_create_vmo_ex(&P, pages, ZX_VMO_RESIZABLE);
    assert_ok(up_supply_from(&P, v, 0, pages, committed_zero_aux(configs[c].vmo_size), 0));
    zx_handle_t child;
    assert_ok(zx_vmo_create_child(v->vmo, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
                                  configs[c].clone_offset, configs[c].vmo_size, &child));
    zx_vaddr_t ro;
    assert_ok(
        zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, child, 0, configs[c].clone_size, &ro));
    zx_vaddr_t ptr = ro + configs[c].clone_test_offset;
    zx_status_t st;
    assert_int_equal(0, u32_access(ptr, false, &st));
    assert_ok(st);
    uint32_t data = 1;
    uint64_t vmo_offset = configs[c].clone_offset + configs[c].clone_test_offset;
    assert_ok(zx_vmo_write(v->vmo, &data, vmo_offset, sizeof(data)));
    assert_int_equal(1, u32_access(ptr, false, &st));
    assert_ok(uvmo_resize(v, 0));
    assert_int_equal(0, u32_access(ptr, false, &st));
    assert_ok(uvmo_resize(v, pages));
    assert_ok(up_supply_from(&P, v, 0, pages, committed_zero_aux(configs[c].vmo_size), 0));
    data = 2;
    assert_ok(zx_vmo_write(v->vmo, &data, vmo_offset, sizeof(data)));
    assert_int_equal(0, u32_access(ptr, false, &st));
    assert_ok(st);
    assert_ok(zx_vmar_unmap(zx_vmar_root_self(), ro, configs[c].clone_size));
    assert_ok(zx_handle_close(child));
  }
}

// ---- commits ---------------------------------------------------------------------------------

static void simple_commit(void** state) {
  (void)state;
  enum { kPages = 555 };
  struct uvmo* v = up_create_vmo(&P, kPages);
  struct tthread t = {.fn = tf_commit, .v = v, .n = kPages};
  tt_start(&t);
  // One request for the whole range.
  EXPECT_READ(v, 0, kPages);
  assert_ok(up_supply(&P, v, 0, kPages));
  assert_ok(tt_join(&t));
  EXPECT_NO_READ(v);
}

static void split_commit(void** state) {
  (void)state;
  enum { kPages = 33 };
  struct uvmo* v = up_create_vmo(&P, kPages);
  assert_ok(up_supply(&P, v, kPages / 2, 1));
  struct tthread t = {.fn = tf_commit, .v = v, .n = kPages};
  tt_start(&t);
  EXPECT_READ(v, 0, kPages / 2);
  assert_ok(up_supply(&P, v, 0, kPages / 2));
  EXPECT_READ(v, kPages / 2 + 1, kPages / 2);
  assert_ok(up_supply(&P, v, kPages / 2 + 1, kPages / 2));
  assert_ok(tt_join(&t));
}

static void overlap_commit(void** state) {
  (void)state;
  enum { kPages = 32 };
  struct uvmo* v = up_create_vmo(&P, kPages);
  struct tthread t1 = {.fn = tf_commit, .v = v, .off = kPages / 4, .n = kPages / 2};
  struct tthread t2 = {.fn = tf_commit, .v = v, .off = 0, .n = kPages};
  tt_start(&t1);
  EXPECT_READ(v, kPages / 4, kPages / 2);
  tt_start(&t2);
  EXPECT_READ(v, 0, kPages / 4);
  assert_ok(up_supply(&P, v, 0, 3 * kPages / 4));
  EXPECT_READ(v, 3 * kPages / 4, kPages / 4);
  assert_ok(up_supply(&P, v, 3 * kPages / 4, kPages / 4));
  assert_ok(tt_join(&t1));
  assert_ok(tt_join(&t2));
}

static void overlap_commit_supply(void** state) {
  (void)state;
  enum { kSupply = 3, kA = 7, kB = 5, kPages = kA * kB * kSupply };
  struct uvmo* v = up_create_vmo(&P, kPages);
  static struct tthread ta[kPages / kA], tb[kPages / kB];
  for (uint64_t i = 0; i < kPages / kA; i++) {
    ta[i] = (struct tthread){.fn = tf_commit, .v = v, .off = i * kA, .n = kA};
    tt_start(&ta[i]);
    EXPECT_READ(v, i * kA, kA);
  }
  for (uint64_t i = 0; i < kPages / kB; i++) {
    tb[i] = (struct tthread){.fn = tf_commit, .v = v, .off = i * kB, .n = kB};
    tt_start(&tb[i]);
    tt_assert_blocked(&tb[i]);
  }
  for (uint64_t i = 0; i < kPages / kSupply; i++) assert_ok(up_supply(&P, v, i * kSupply, kSupply));
  for (uint64_t i = 0; i < kPages / kA; i++) assert_ok(tt_join(&ta[i]));
  for (uint64_t i = 0; i < kPages / kB; i++) assert_ok(tt_join(&tb[i]));
}

static void multisupply_commit(void** state) {
  (void)state;
  enum { kPages = 32 };
  struct uvmo* v = up_create_vmo(&P, kPages);
  struct tthread t = {.fn = tf_commit, .v = v, .n = kPages};
  tt_start(&t);
  EXPECT_READ(v, 0, kPages);
  for (uint64_t i = 0; i < kPages; i++) assert_ok(up_supply(&P, v, i, 1));
  assert_ok(tt_join(&t));
}

static void multicommit_supply(void** state) {
  (void)state;
  enum { kCommits = 5, kSupplies = 7 };
  struct uvmo* v = up_create_vmo(&P, kCommits * kSupplies);
  static struct tthread ts[kCommits];
  for (uint64_t i = 0; i < kCommits; i++) {
    ts[i] = (struct tthread){.fn = tf_commit, .v = v, .off = i * kSupplies, .n = kSupplies};
    tt_start(&ts[i]);
    EXPECT_READ(v, i * kSupplies, kSupplies);
  }
  for (uint64_t i = 0; i < kSupplies; i++) assert_ok(up_supply(&P, v, kCommits * i, kCommits));
  for (uint64_t i = 0; i < kCommits; i++) assert_ok(tt_join(&ts[i]));
}

static void commit_redundant_supply(void** state) {
  (void)state;
  enum { kPages = 8 };
  struct uvmo* v = up_create_vmo(&P, kPages);
  struct tthread t = {.fn = tf_commit, .v = v, .n = kPages};
  tt_start(&t);
  EXPECT_READ(v, 0, kPages);
  for (uint64_t i = 1; i <= kPages; i++) assert_ok(up_supply(&P, v, 0, i));
  assert_ok(tt_join(&t));
}

// A resize cutting a blocked commit short: the commit completes with what is left.
static void resize_commit(void** state) {
  (void)state;
  struct uvmo* v = up_create_vmo_ex(&P, 3, ZX_VMO_RESIZABLE);
  struct tthread t = {.fn = tf_commit, .v = v, .n = 3};
  tt_start(&t);
  EXPECT_READ(v, 0, 3);
  assert_ok(up_supply(&P, v, 2, 1));
  assert_ok(uvmo_resize(v, 1));
  tt_assert_blocked(&t);
  assert_ok(up_supply(&P, v, 0, 1));
  assert_ok(tt_join(&t));
  EXPECT_NO_READ(v);
}

// ---- argument errors -------------------------------------------------------------------------

static void invalid_pager_create(void** state) {
  (void)state;
  zx_handle_t h;
  assert_status(ZX_ERR_INVALID_ARGS, zx_pager_create(1, &h));
}

static void invalid_pager_create_vmo(void** state) {
  (void)state;
  zx_handle_t pager = P.pager, port = P.port, vmo;
  assert_status(ZX_ERR_INVALID_ARGS, zx_pager_create_vmo(pager, ~0u, port, 0, PAGE, &vmo));
  assert_status(ZX_ERR_BAD_HANDLE, zx_pager_create_vmo(ZX_HANDLE_INVALID, 0, port, 0, PAGE, &vmo));
  assert_status(ZX_ERR_BAD_HANDLE, zx_pager_create_vmo(pager, 0, ZX_HANDLE_INVALID, 0, PAGE, &vmo));
  zx_handle_t ro_port = dup_with(port, ZX_DEFAULT_PORT_RIGHTS & ~ZX_RIGHT_WRITE);
  assert_status(ZX_ERR_ACCESS_DENIED, zx_pager_create_vmo(pager, 0, ro_port, 0, PAGE, &vmo));
  assert_status(ZX_ERR_WRONG_TYPE, zx_pager_create_vmo(port, 0, port, 0, PAGE, &vmo));
  zx_handle_t tmp = make_vmo(PAGE, 0);
  assert_status(ZX_ERR_WRONG_TYPE, zx_pager_create_vmo(pager, 0, tmp, 0, PAGE, &vmo));
  uint64_t bad_size = (UINT64_MAX & ~(PAGE - 1)) + 1;
  assert_status(ZX_ERR_OUT_OF_RANGE, zx_pager_create_vmo(pager, 0, port, 0, bad_size, &vmo));
  zx_handle_t weak;
  assert_ok(zx_handle_replace(pager, ZX_DEFAULT_PAGER_RIGHTS & ~ZX_RIGHT_ATTACH_VMO, &weak));
  P.pager = weak;
  assert_status(ZX_ERR_ACCESS_DENIED, zx_pager_create_vmo(weak, 0, port, 0, PAGE, &vmo));
  zx_handle_t list[] = {ro_port, tmp};
  assert_ok(zx_handle_close_many(list, 2));
}

static void invalid_pager_detach_vmo(void** state) {
  (void)state;
  zx_handle_t vmo;
  assert_ok(zx_pager_create_vmo(P.pager, 0, P.port, 0, PAGE, &vmo));
  assert_status(ZX_ERR_BAD_HANDLE, zx_pager_detach_vmo(ZX_HANDLE_INVALID, vmo));
  assert_status(ZX_ERR_BAD_HANDLE, zx_pager_detach_vmo(P.pager, ZX_HANDLE_INVALID));
  assert_status(ZX_ERR_WRONG_TYPE, zx_pager_detach_vmo(vmo, vmo));
  assert_status(ZX_ERR_WRONG_TYPE, zx_pager_detach_vmo(P.pager, P.pager));
  zx_handle_t ro_vmo = dup_with(vmo, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_WRITE);
  assert_status(ZX_ERR_ACCESS_DENIED, zx_pager_detach_vmo(P.pager, ro_vmo));
  zx_handle_t tmp = make_vmo(PAGE, 0);
  assert_status(ZX_ERR_INVALID_ARGS, zx_pager_detach_vmo(P.pager, tmp));
  zx_handle_t pager2;
  assert_ok(zx_pager_create(0, &pager2));
  assert_status(ZX_ERR_INVALID_ARGS, zx_pager_detach_vmo(pager2, vmo));
  zx_handle_t weak;
  assert_ok(zx_handle_replace(P.pager, ZX_DEFAULT_PAGER_RIGHTS & ~ZX_RIGHT_ATTACH_VMO, &weak));
  P.pager = weak;
  assert_status(ZX_ERR_ACCESS_DENIED, zx_pager_detach_vmo(weak, vmo));
  zx_handle_t vmo2;
  assert_ok(zx_pager_create_vmo(pager2, 0, P.port, 0, PAGE, &vmo2));
  zx_handle_t weak2;
  assert_ok(zx_handle_replace(pager2, ZX_DEFAULT_PAGER_RIGHTS & ~ZX_RIGHT_MANAGE_VMO, &weak2));
  assert_status(ZX_ERR_ACCESS_DENIED, zx_pager_detach_vmo(weak2, vmo2));
  zx_handle_t list[] = {vmo, ro_vmo, tmp, weak2, vmo2};
  assert_ok(zx_handle_close_many(list, 5));
}

static void invalid_pager_supply_pages(void** state) {
  (void)state;
  zx_handle_t pager = P.pager, port = P.port, vmo;
  assert_ok(zx_pager_create_vmo(pager, 0, port, 0, PAGE, &vmo));
  zx_handle_t aux = make_vmo(PAGE, 0);
  assert_status(ZX_ERR_BAD_HANDLE, zx_pager_supply_pages(ZX_HANDLE_INVALID, vmo, 0, 0, aux, 0));
  assert_status(ZX_ERR_BAD_HANDLE, zx_pager_supply_pages(pager, ZX_HANDLE_INVALID, 0, 0, aux, 0));
  assert_status(ZX_ERR_BAD_HANDLE, zx_pager_supply_pages(pager, vmo, 0, 0, ZX_HANDLE_INVALID, 0));
  assert_status(ZX_ERR_WRONG_TYPE, zx_pager_supply_pages(vmo, vmo, 0, 0, aux, 0));
  assert_status(ZX_ERR_WRONG_TYPE, zx_pager_supply_pages(pager, pager, 0, 0, aux, 0));
  assert_status(ZX_ERR_WRONG_TYPE, zx_pager_supply_pages(pager, vmo, 0, 0, port, 0));
  assert_status(ZX_ERR_INVALID_ARGS, zx_pager_supply_pages(pager, aux, 0, 0, aux, 0));
  zx_handle_t pager2;
  assert_ok(zx_pager_create(0, &pager2));
  // The VMO's pager is checked before the aux handle is looked at.
  assert_status(ZX_ERR_INVALID_ARGS,
                zx_pager_supply_pages(pager2, vmo, 0, 0, ZX_HANDLE_INVALID, 0));
  zx_handle_t ro_aux = dup_with(aux, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_WRITE);
  assert_status(ZX_ERR_ACCESS_DENIED, zx_pager_supply_pages(pager, vmo, 0, 0, ro_aux, 0));
  zx_handle_t wo_aux = dup_with(aux, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_READ);
  assert_status(ZX_ERR_ACCESS_DENIED, zx_pager_supply_pages(pager, vmo, 0, 0, wo_aux, 0));
  zx_handle_t ro_vmo = dup_with(vmo, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_WRITE);
  assert_status(ZX_ERR_ACCESS_DENIED, zx_pager_supply_pages(pager, ro_vmo, 0, 0, aux, 0));
  assert_status(ZX_ERR_INVALID_ARGS, zx_pager_supply_pages(pager, vmo, 1, 0, aux, 0));
  assert_status(ZX_ERR_INVALID_ARGS, zx_pager_supply_pages(pager, vmo, 0, 1, aux, 0));
  assert_status(ZX_ERR_INVALID_ARGS, zx_pager_supply_pages(pager, vmo, 0, 0, aux, 1));
  // Pages cannot be taken from another pager's VMO.
  zx_handle_t from_pager, alt = committed_zero_aux(PAGE);
  assert_ok(zx_pager_create_vmo(pager, 0, port, 0, PAGE, &from_pager));
  assert_ok(zx_pager_supply_pages(pager, from_pager, 0, PAGE, alt, 0));
  assert_status(ZX_ERR_NOT_SUPPORTED, zx_pager_supply_pages(pager, vmo, 0, PAGE, from_pager, 0));
  assert_ok(zx_vmo_op_range(aux, ZX_VMO_OP_COMMIT, 0, PAGE, NULL, 0));
  assert_status(ZX_ERR_OUT_OF_RANGE, zx_pager_supply_pages(pager, vmo, PAGE, PAGE, aux, 0));
  zx_handle_t aux2 = committed_zero_aux(PAGE);
  assert_status(ZX_ERR_OUT_OF_RANGE, zx_pager_supply_pages(pager, vmo, 0, PAGE, aux2, PAGE));
  zx_handle_t weak;
  assert_ok(zx_handle_replace(pager, ZX_DEFAULT_PAGER_RIGHTS & ~ZX_RIGHT_MANAGE_VMO, &weak));
  P.pager = weak;
  assert_status(ZX_ERR_ACCESS_DENIED, zx_pager_supply_pages(weak, vmo, 0, PAGE, aux2, 0));
  zx_handle_t list[] = {vmo, aux, pager2, ro_aux, wo_aux, ro_vmo, from_pager, alt, aux2};
  assert_ok(zx_handle_close_many(list, 9));
}

// The aux VMO may be mapped; its mapping reads zero afterwards.
static void mapped_supply_pages(void** state) {
  (void)state;
  zx_handle_t vmo, aux = make_vmo(PAGE, 0);
  assert_ok(zx_pager_create_vmo(P.pager, 0, P.port, 0, PAGE, &vmo));
  zx_vaddr_t addr;
  assert_ok(zx_vmar_map(zx_vmar_root_self(), CP_RW, 0, aux, 0, PAGE, &addr));
  uint8_t b = 0xcc;
  assert_ok(zxvm_user_write(zx_process_self(), addr, &b, 1));
  assert_ok(zx_pager_supply_pages(P.pager, vmo, 0, PAGE, aux, 0));
  uint8_t got = 0;
  assert_ok(zx_vmo_read(vmo, &got, 0, 1));
  assert_int_equal(0xcc, got);
  assert_ok(zxvm_user_read(zx_process_self(), addr, &got, 1));
  assert_int_equal(0, got);
  assert_ok(zx_vmar_unmap(zx_vmar_root_self(), addr, PAGE));
  zx_handle_t list[] = {vmo, aux};
  assert_ok(zx_handle_close_many(list, 2));
}

static void resize_nonresizable_vmo(void** state) {
  (void)state;
  zx_handle_t vmo;
  assert_ok(zx_pager_create_vmo(P.pager, 0, P.port, 0, PAGE, &vmo));
  assert_status(ZX_ERR_UNAVAILABLE, zx_vmo_set_size(vmo, 2 * PAGE));
  assert_ok(zx_handle_close(vmo));
}

static void decommit_pager_vmo(void** state) {
  (void)state;
  zx_handle_t vmo, child;
  assert_ok(zx_pager_create_vmo(P.pager, 0, P.port, 0, PAGE, &vmo));
  assert_status(ZX_ERR_NOT_SUPPORTED, zx_vmo_op_range(vmo, ZX_VMO_OP_DECOMMIT, 0, PAGE, NULL, 0));
  assert_ok(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, 0, PAGE, &child));
  assert_status(ZX_ERR_NOT_SUPPORTED, zx_vmo_op_range(child, ZX_VMO_OP_DECOMMIT, 0, PAGE, NULL, 0));
  zx_handle_t list[] = {vmo, child};
  assert_ok(zx_handle_close_many(list, 2));
}

static void uncommitted_supply(void** state) {
  (void)state;
  zx_handle_t vmo, empty = make_vmo(PAGE, 0);
  assert_ok(zx_pager_create_vmo(P.pager, 0, P.port, 0, PAGE, &vmo));
  assert_ok(zx_pager_supply_pages(P.pager, vmo, 0, PAGE, empty, 0));
  uint32_t val = 42;
  assert_ok(zx_vmo_read(vmo, &val, 0, sizeof(val)));
  assert_int_equal(0, val);
  zx_handle_t list[] = {vmo, empty};
  assert_ok(zx_handle_close_many(list, 2));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      T2(single_page),
      T2(uncommitted_single_page),
      T2(presupply),
      T2(early_supply),
      T2(sequential_multipage),
      T2(concurrent_multipage_access),
      T2(concurrent_overlapping_access),
      T2(bulk_single_supply),
      T2(bulk_odd_length_supply),
      T2(bulk_odd_offset_supply),
      T2(overlap_supply),
      T2(many_request),
      T(successive_vmo),
      T(multiple_concurrent_vmo),
      T(vmar_unmap),
      T(vmar_remap),
      T(vmar_map_range),
      T2(read_resize),
      T(vmo_info_pager),
      T(detach_page_complete),
      T2(decommit_on_detach),
      T(close_page_complete),
      T(detach_non_mapping_access),
      T2(read_close_interrupt_late),
      T2(read_detach_interrupt_late),
      T2(read_close_interrupt_early),
      T2(read_detach_interrupt_early),
      T(close_pager),
      T(detach_close_pager),
      T(close_port),
      T2(clone_read_from_clone),
      T2(clone_read_from_parent),
      T2(clone_simultaneous_read),
      T2(clone_simultaneous_child_read),
      T2(clone_write_to_clone),
      T(clone_detach),
      T(clone_commit),
      T(clone_chain_commit),
      T(clone_split_commit),
      T(clone_resize_clone_hazard),
      T(clone_resize_parent_ok),
      T(clone_shrink_grow_parent),
      T(simple_commit),
      T(split_commit),
      T(overlap_commit),
      T(overlap_commit_supply),
      T(multisupply_commit),
      T(multicommit_supply),
      T(commit_redundant_supply),
      T(resize_commit),
      T(invalid_pager_create),
      T(invalid_pager_create_vmo),
      T(invalid_pager_detach_vmo),
      T(invalid_pager_supply_pages),
      T(mapped_supply_pages),
      T(resize_nonresizable_vmo),
      T(decommit_pager_vmo),
      T(uncommitted_supply),
  };
  return cmocka_run_group_tests(tests, zx_test_init, NULL);
}
