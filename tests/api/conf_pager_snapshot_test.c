// Fuchsia's pager snapshot core tests (zircon/system/utest/core/pager/snapshot.cc) restated
// against zxvm: ZX_VMO_CHILD_SNAPSHOT_MODIFIED trees over a pager VMO (forks, attribution,
// drops, shrinks, OP_ZERO not leaking ancestors' pages, slices, at-least-on-write mixes).
// Mapped accesses are zxvm_user_read / zxvm_user_write (u64_at / u64_put).
#include "conf_pager_util.h"

// Fuchsia's PollPopulatedBytes compares populated_scaled_bytes (populated_bytes only where the
// kernel reports no scaled figure): a page shared by two VMOs counts half in each. The pager
// root's pages are attributed to the root alone.
static bool poll_scaled(const struct uvmo* v, uint64_t bytes) {
  for (int i = 0; i < 100; i++) {
    zx_info_vmo_t info = uvmo_info(v);
    uint64_t got = info.populated_fractional_scaled_bytes == UINT64_MAX
                       ? info.populated_bytes
                       : info.populated_scaled_bytes;
    if (got == bytes) return true;
    if (i == 99) {
      fprintf(stderr, "populated (scaled) bytes %" PRIu64 ", expected %" PRIu64 "\n", got, bytes);
    }
    cp_sleep_ms(10);
  }
  return false;
}
#define ASSERT_POP(v, bytes) assert_true(poll_scaled((v), (bytes)))

#define SM ZX_VMO_CHILD_SNAPSHOT_MODIFIED
#define ALOW ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE

static void smoke(void** state) {
  (void)state;
  struct uvmo* v = up_create_vmo(&P, 1);
  struct uvmo* clone = uvmo_clone(v, SM);
  assert_non_null(clone);
  struct tthread t = {.fn = tf_user_write64, .addr = clone->base, .value = 0xdead1eaf};
  tt_start(&t);
  EXPECT_READ(v, 0, 1);
  assert_ok(up_supply(&P, v, 0, 1));
  assert_ok(tt_join(&t));
  ASSERT_POP(v, PAGE);
  ASSERT_POP(clone, PAGE);
  assert_int_equal(0xdead1eaf, u64_at(clone->base));
  struct uvmo* snap = uvmo_clone(clone, SM);
  ASSERT_POP(snap, PAGE / 2);
  assert_int_equal(0xdead1eaf, u64_at(clone->base));
  assert_int_equal(0xdead1eaf, u64_at(snap->base));
  u64_put(clone->base, clone->key);
  ASSERT_POP(snap, PAGE);
  assert_int_equal(clone->key, u64_at(clone->base));
  assert_int_equal(0xdead1eaf, u64_at(snap->base));
  ASSERT_POP(v, PAGE);
  ASSERT_POP(clone, PAGE);
  uvmo_destroy(snap);
  uvmo_destroy(clone);
}

static void at_least_on_write_after_snapshot_modified(void** state) {
  (void)state;
  struct uvmo* v = up_create_vmo(&P, 1);
  assert_ok(up_supply(&P, v, 0, 1));
  struct uvmo* clone = uvmo_clone(v, SM);
  u64_put(clone->base, 0xdead1eaf);
  struct uvmo* snap = uvmo_clone(clone, SM);
  u64_put(clone->base, 0xc0ffee);
  struct uvmo* alow = uvmo_clone(snap, ALOW);
  assert_non_null(alow);
  assert_int_equal(0xdead1eaf, u64_at(snap->base));
  assert_int_equal(0xdead1eaf, u64_at(alow->base));
  u64_put(snap->base, 0xfff);
  assert_int_equal(0xfff, u64_at(snap->base));
  // The snapshot's parent is hidden, so the at-least-on-write child is a bidirectional snapshot.
  assert_int_equal(0xdead1eaf, u64_at(alow->base));
  uvmo_destroy(snap);
  uvmo_destroy(alow);
  uvmo_destroy(clone);
}

static void snapshot_modified_after_at_least_on_write(void** state) {
  (void)state;
  struct uvmo* v = up_create_vmo(&P, 1);
  assert_ok(up_supply(&P, v, 0, 1));
  u64_put(v->base, 0xdead1eaf);
  struct uvmo* a1 = uvmo_clone(v, ALOW);
  struct uvmo* a2 = uvmo_clone(v, ALOW);
  struct uvmo* a1s = uvmo_clone(a1, SM);
  assert_non_null(a1s);
  struct uvmo* clone = uvmo_clone(v, SM);
  assert_non_null(clone);
  u64_put(clone->base, 0xc0ffee);
  struct uvmo* snap = uvmo_clone(clone, SM);
  assert_non_null(snap);
  assert_int_equal(0xdead1eaf, u64_at(a1->base));
  assert_int_equal(0xdead1eaf, u64_at(a2->base));
  assert_int_equal(0xdead1eaf, u64_at(a1s->base));
  assert_int_equal(0xc0ffee, u64_at(clone->base));
  assert_int_equal(0xc0ffee, u64_at(snap->base));
  struct uvmo* all[] = {snap, clone, a1s, a2, a1};
  for (size_t i = 0; i < 5; i++) uvmo_destroy(all[i]);
}

static void drop_vmos(void** state) {
  (void)state;
  struct uvmo* v = up_create_vmo(&P, 2);
  assert_ok(up_supply(&P, v, 0, 2));
  u64_put(v->base, 0xdead1eaf);
  u64_put(v->base + PAGE, 0xdead1eaf);
  ASSERT_POP(v, 2 * PAGE);
  assert_true(uvmo_poll_children(v, 0));
  struct uvmo* clone = uvmo_clone(v, SM);
  assert_true(uvmo_poll_children(v, 1));
  assert_true(uvmo_poll_children(clone, 0));
  ASSERT_POP(clone, 0);
  u64_put(clone->base, 0xc0ffee);
  u64_put(clone->base + PAGE, 0xc0ffee);
  ASSERT_POP(clone, 2 * PAGE);
  struct uvmo* full = uvmo_clone(clone, SM);
  u64_put(full->base, 0xbee5);
  u64_put(full->base + PAGE, 0xdead1eaf);
  struct uvmo* partial = uvmo_clone_range(full, 0, 1, SM);  // size 1 rounds up to a page
  assert_non_null(partial);
  ASSERT_POP(full, 3 * PAGE / 2);
  ASSERT_POP(partial, PAGE / 2);
  assert_true(uvmo_poll_children(full, 1));
  assert_true(uvmo_poll_children(partial, 0));
  uvmo_destroy(full);
  ASSERT_POP(partial, PAGE);
  assert_true(uvmo_poll_children(partial, 0));
  uvmo_destroy(partial);
  assert_true(uvmo_poll_children(v, 1));
  assert_true(uvmo_poll_children(clone, 0));
  ASSERT_POP(v, 2 * PAGE);
  ASSERT_POP(clone, 2 * PAGE);
  uvmo_destroy(clone);
}

static void resize_shrink_snapshot(void** state) {
  (void)state;
  struct uvmo* v = up_create_vmo(&P, 2);
  assert_ok(up_supply(&P, v, 0, 2));
  u64_put(v->base, 0xdead1eaf);
  u64_put(v->base + PAGE, 0xdead1eaf);
  struct uvmo* clone = uvmo_clone(v, SM | ZX_VMO_CHILD_RESIZABLE);
  u64_put(clone->base, 0xc0ffee);
  u64_put(clone->base + PAGE, 0xc0ffee);
  struct uvmo* snap = uvmo_clone(clone, SM | ZX_VMO_CHILD_RESIZABLE);
  ASSERT_POP(v, 2 * PAGE);
  ASSERT_POP(clone, PAGE);
  ASSERT_POP(snap, PAGE);
  assert_ok(uvmo_resize(clone, 1));
  ASSERT_POP(v, 2 * PAGE);
  ASSERT_POP(clone, PAGE / 2);
  ASSERT_POP(snap, 3 * PAGE / 2);
  assert_ok(uvmo_resize(snap, 1));
  ASSERT_POP(v, 2 * PAGE);
  ASSERT_POP(clone, PAGE / 2);
  ASSERT_POP(snap, PAGE / 2);
  uvmo_destroy(snap);
  uvmo_destroy(clone);
}

static void resize_shrink_snapshot_with_empty_parent(void** state) {
  (void)state;
  struct uvmo* v = up_create_vmo(&P, 2);
  assert_ok(up_supply(&P, v, 0, 2));
  u64_put(v->base, 0x1eaf);
  u64_put(v->base + PAGE, 0x1eaf);
  struct uvmo* clone = uvmo_clone(v, SM | ZX_VMO_CHILD_RESIZABLE);
  struct uvmo* snap = uvmo_clone(clone, SM | ZX_VMO_CHILD_RESIZABLE);
  for (int step = 0; step < 3; step++) {
    if (step == 1) assert_ok(uvmo_resize(clone, 1));
    if (step == 2) assert_ok(uvmo_resize(snap, 1));
    ASSERT_POP(v, 2 * PAGE);
    ASSERT_POP(clone, 0);
    ASSERT_POP(snap, 0);
  }
  uvmo_destroy(snap);
  uvmo_destroy(clone);
}

// A snapshot of a read-only clone gets write rights by default.
static void snapshot_read_only_vmo(void** state) {
  (void)state;
  struct uvmo* v = up_create_vmo(&P, 1);
  assert_ok(up_supply(&P, v, 0, 1));
  u64_put(v->base, 0xc0ffee);
  uint64_t data = 0xdead1eaf;
  struct uvmo* ro = uvmo_clone_ex(v, 0, PAGE, ALOW | ZX_VMO_CHILD_NO_WRITE, ZX_VM_PERM_READ, NULL);
  assert_non_null(ro);
  assert_int_equal(0, uvmo_info(ro).handle_rights & ZX_RIGHT_WRITE);
  assert_status(ZX_ERR_ACCESS_DENIED, zx_vmo_write(ro->vmo, &data, 0, sizeof(data)));
  struct uvmo* snap = uvmo_clone(ro, SM);
  assert_non_null(snap);
  assert_int_equal(ZX_RIGHT_WRITE, uvmo_info(snap).handle_rights & ZX_RIGHT_WRITE);
  assert_ok(zx_vmo_write(snap->vmo, &data, 0, sizeof(data)));
  uvmo_destroy(snap);
  uvmo_destroy(ro);
}

// Dropping a full clone above a partial one keeps the root's pages.
static void release_cow_parent_pages(uint64_t pages, uint64_t part_off) {
  struct uvmo* v = up_create_vmo(&P, pages);
  assert_ok(up_supply(&P, v, 0, pages));
  for (uint64_t i = 0; i < pages; i++) u64_put(v->base + i * PAGE, 0xdead1eaf);
  struct uvmo* full = uvmo_clone(v, SM);
  assert_int_equal(0xdead1eaf, u64_at(full->base + part_off * PAGE));
  struct uvmo* part = uvmo_clone_range(full, part_off * PAGE, PAGE, SM);
  assert_int_equal(0xdead1eaf, u64_at(part->base));
  uvmo_destroy(full);
  assert_int_equal(0xdead1eaf, u64_at(part->base));
  assert_true(uvmo_poll_children(v, 1));
  for (uint64_t i = 0; i < pages; i++) assert_int_equal(0xdead1eaf, u64_at(v->base + i * PAGE));
  uvmo_destroy(part);
}

static void release_cow_parent_pages_right(void** state) {
  (void)state;
  release_cow_parent_pages(2, 0);
}

static void release_cow_parent_pages_left(void** state) {
  (void)state;
  release_cow_parent_pages(2, 1);
}

static void release_cow_parent_pages_left_and_right(void** state) {
  (void)state;
  release_cow_parent_pages(3, 1);
}

static void release_cow_parent_pages_right_in_hidden_node(void** state) {
  (void)state;
  struct uvmo* v = up_create_vmo(&P, 2);
  assert_ok(up_supply(&P, v, 0, 1));
  u64_put(v->base, 0xdead1eaf);
  struct uvmo* full = uvmo_clone(v, SM);
  u64_put(full->base, 0xc0ffee);
  struct uvmo* half = uvmo_clone_range(full, 0, 1, SM);
  uvmo_destroy(full);
  assert_int_equal(0xc0ffee, u64_at(half->base));
  uvmo_destroy(half);
}

static void zero_range_from_end_of_parent(void** state) {
  (void)state;
  struct uvmo* v = up_create_vmo(&P, 3);
  assert_ok(up_supply(&P, v, 0, 3));
  for (int i = 0; i < 3; i++) u64_put(v->base + i * PAGE, 0xdead1eaf);
  ASSERT_POP(v, 3 * PAGE);
  struct uvmo* full = uvmo_clone(v, SM);
  u64_put(full->base + PAGE, 0xc0ffee);
  struct uvmo* part = uvmo_clone_range(full, 0, 1, SM);
  assert_ok(uvmo_op(full, ZX_VMO_OP_ZERO, 1, 2));
  assert_int_equal(0, u64_at(full->base + PAGE));
  // Zeroed with zero markers: nothing populated.
  ASSERT_POP(full, 0);
  ASSERT_POP(part, 0);
  for (int i = 0; i < 3; i++) assert_int_equal(0xdead1eaf, u64_at(v->base + i * PAGE));
  uvmo_destroy(part);
  uvmo_destroy(full);
}

// OP_ZERO of a snapshot's first page never lets a root page show through there.
enum zero_case {
  kNoPagesInParent,
  kPageInParent,
  kChainNoPages,
  kChainPages,
  kPageInSnapshot,
  kPageInClone,
  kPageInHidden
};

static void zero_range_left_in_snapshot(enum zero_case c) {
  struct uvmo* v = up_create_vmo(&P, 2);
  void* zeros = calloc(1, PAGE);
  struct uvmo* chain[3] = {NULL, NULL, NULL};
  if (c == kChainPages) assert_ok(up_supply(&P, v, 0, 2));
  struct uvmo* clone = uvmo_clone(v, SM);
  if (c == kPageInSnapshot) assert_ok(up_supply(&P, v, 0, 2));
  if (c == kPageInHidden) {
    assert_ok(up_supply(&P, v, 0, 2));
    u64_put(clone->base, 0xdead1eaf);
    ASSERT_POP(clone, PAGE);
  }
  if (c == kPageInClone) assert_ok(up_supply(&P, v, 0, 2));
  struct uvmo* top = clone;
  if (c == kChainNoPages || c == kChainPages) {
    for (int i = 0; i < 3; i++) {
      chain[i] = uvmo_clone(top, SM);
      top = chain[i];
      if (c == kChainPages && i == 0) u64_put(top->base, 0xdead1eaf);
    }
  }
  struct uvmo* snap = uvmo_clone(top, SM);
  assert_non_null(snap);
  if (c == kPageInParent) assert_ok(up_supply(&P, v, 0, 2));
  if (c == kPageInSnapshot) {
    u64_put(snap->base, 0xdead1eaf);
    ASSERT_POP(snap, PAGE);
  }
  if (c == kPageInClone) u64_put(clone->base, 0xdead1eaf);
  assert_ok(uvmo_op(snap, ZX_VMO_OP_ZERO, 0, 1));
  assert_ok(uvmo_check_data(snap, 0, 1, zeros, false));
  if (c == kNoPagesInParent || c == kChainNoPages) assert_ok(up_supply(&P, v, 0, 2));
  if (c == kChainPages) u64_put(chain[2]->base, 0xc0ffee);
  assert_ok(uvmo_check_data(snap, 0, 1, zeros, false));
  if (c == kPageInClone) {
    assert_int_equal(0xdead1eaf, u64_at(clone->base));
    ASSERT_POP(clone, PAGE);
  }
  if (c != kChainPages) {
    assert_int_not_equal(ZX_OK, uvmo_check_data(v, 0, 1, zeros, false));
  }
  void* root = malloc(2 * PAGE);
  uvmo_fill(v, root, 2, 0);
  if (c == kNoPagesInParent || c == kPageInParent) {
    assert_ok(uvmo_check_data(clone, 0, 2, root, false));
  }
  if (c == kChainNoPages) {
    assert_ok(uvmo_check_data(clone, 0, 2, root, false));
    for (int i = 0; i < 2; i++) assert_ok(uvmo_check_data(chain[i], 0, 2, root, false));
  }
  if (c == kChainPages) {
    assert_ok(uvmo_check_data(clone, 0, 2, root, false));
    assert_int_equal(0xdead1eaf, u64_at(chain[0]->base));
    assert_int_equal(0xc0ffee, u64_at(chain[2]->base));
  } else {
    assert_ok(uvmo_check_data(snap, 1, 1, (uint8_t*)root + PAGE, false));
  }
  free(root);
  free(zeros);
  uvmo_destroy(snap);
  for (int i = 2; i >= 0; i--) uvmo_destroy(chain[i]);
  uvmo_destroy(clone);
}

#define ZERO_CASE(name, c)          \
  static void name(void** state) {  \
    (void)state;                    \
    zero_range_left_in_snapshot(c); \
  }
ZERO_CASE(zero_range_left_in_snapshot_no_pages_in_parent, kNoPagesInParent)
ZERO_CASE(zero_range_left_in_snapshot_page_in_parent, kPageInParent)
ZERO_CASE(zero_range_left_in_snapshot_no_pages_in_parent_chain, kChainNoPages)
ZERO_CASE(zero_range_left_in_snapshot_pages_in_parent_chain, kChainPages)
ZERO_CASE(zero_range_left_in_snapshot_page_in_snapshot, kPageInSnapshot)
ZERO_CASE(zero_range_left_in_snapshot_page_in_clone, kPageInClone)
ZERO_CASE(zero_range_left_in_snapshot_page_in_hidden_node, kPageInHidden)

static struct uvmo* supplied_root(uint64_t pages) {
  struct uvmo* v = up_create_vmo(&P, pages);
  assert_ok(up_supply(&P, v, 0, pages));
  for (uint64_t i = 0; i < pages; i++) u64_put(v->base + i * PAGE, 0xdead1eaf);
  return v;
}

static void alow_slice(void** state) {
  (void)state;
  struct uvmo* v = supplied_root(1);
  struct uvmo* slice = uvmo_clone(v, ZX_VMO_CHILD_SLICE);
  assert_non_null(slice);
  struct uvmo* alow = uvmo_clone(slice, ALOW);
  assert_non_null(alow);
  uvmo_destroy(alow);
  uvmo_destroy(slice);
}

// Snapshots of a slice are allowed only where the slice is of the root.
static void snapshot_slice(void** state) {
  (void)state;
  struct uvmo* v = supplied_root(1);
  struct uvmo* rslice = uvmo_clone(v, ZX_VMO_CHILD_SLICE);
  struct uvmo* rsnap = uvmo_clone(rslice, SM);
  assert_non_null(rsnap);
  u64_put(v->base, 0xc0ffee);
  assert_int_equal(0xc0ffee, u64_at(v->base));
  assert_int_equal(0xc0ffee, u64_at(rslice->base));
  assert_int_equal(0xc0ffee, u64_at(rsnap->base));
  struct uvmo* rsnap2 = uvmo_clone(rsnap, SM);
  assert_non_null(rsnap2);
  struct uvmo* clone = uvmo_clone(v, SM);
  struct uvmo* snap = uvmo_clone(clone, SM);
  struct uvmo* slice = uvmo_clone(snap, ZX_VMO_CHILD_SLICE);
  assert_non_null(slice);
  zx_status_t st;
  struct uvmo* bad = uvmo_clone_ex(slice, 0, PAGE, SM, CP_RW, &st);
  // A slice takes only unidirectional children; a snapshot of a non-root node is bidirectional.
  assert_null(bad);
  assert_int_equal(ZX_ERR_NOT_SUPPORTED, st);
  uvmo_destroy(bad);
  struct uvmo* all[] = {slice, snap, clone, rsnap2, rsnap, rslice};
  for (size_t i = 0; i < 6; i++) uvmo_destroy(all[i]);
}

static void snapshot_slice_at_least_on_write(void** state) {
  (void)state;
  struct uvmo* v = supplied_root(1);
  struct uvmo* clone = uvmo_clone(v, SM);
  struct uvmo* snap = uvmo_clone(clone, SM);
  struct uvmo* slice = uvmo_clone(snap, ZX_VMO_CHILD_SLICE);
  assert_non_null(slice);
  zx_status_t st;
  struct uvmo* alow = uvmo_clone_ex(slice, 0, PAGE, ALOW, CP_RW, &st);
  // Under a hidden node an at-least-on-write child would be bidirectional: not through a slice.
  assert_null(alow);
  assert_int_equal(ZX_ERR_NOT_SUPPORTED, st);
  uvmo_destroy(alow);
  uvmo_destroy(slice);
  uvmo_destroy(snap);
  uvmo_destroy(clone);
}

static void snapshot_vmo_with_slice(void** state) {
  (void)state;
  struct uvmo* v = supplied_root(2);
  struct uvmo* clone = uvmo_clone(v, SM);
  struct uvmo* snap = uvmo_clone(clone, SM);
  u64_put(clone->base, 0xc0ffee);
  struct uvmo* slice = uvmo_clone(clone, ZX_VMO_CHILD_SLICE);
  struct uvmo* snap2 = uvmo_clone(clone, SM);
  assert_non_null(slice);
  assert_non_null(snap2);
  assert_int_equal(0xc0ffee, u64_at(snap2->base));
  assert_int_equal(0xc0ffee, u64_at(slice->base));
  u64_put(clone->base, 0x1eaf);
  assert_int_equal(0x1eaf, u64_at(slice->base));
  assert_int_equal(0xdead1eaf, u64_at(slice->base + PAGE));
  u64_put(clone->base + PAGE, 0x1eaf);
  assert_int_equal(0x1eaf, u64_at(slice->base + PAGE));
  assert_true(uvmo_poll_children(clone, 3));
  assert_true(uvmo_poll_children(snap, 0));
  assert_true(uvmo_poll_children(snap2, 0));
  assert_int_equal(0xdead1eaf, u64_at(snap->base));
  assert_int_equal(0xdead1eaf, u64_at(snap->base + PAGE));
  assert_int_equal(0xc0ffee, u64_at(snap2->base));
  assert_int_equal(0xdead1eaf, u64_at(snap2->base + PAGE));
  struct uvmo* all[] = {snap2, slice, snap, clone};
  for (size_t i = 0; i < 4; i++) uvmo_destroy(all[i]);
}

static void clone_after_slice_root(void** state) {
  (void)state;
  struct uvmo* v = supplied_root(1);
  struct uvmo* slice = uvmo_clone(v, ZX_VMO_CHILD_SLICE);
  struct uvmo* clone = uvmo_clone(v, SM);
  struct uvmo* snap = uvmo_clone(clone, SM);
  struct uvmo* sclone = uvmo_clone(slice, SM);
  struct uvmo* ssnap = uvmo_clone(sclone, SM);
  struct uvmo* all[] = {v, slice, clone, snap, sclone, ssnap};
  for (size_t i = 0; i < 6; i++) {
    assert_non_null(all[i]);
    assert_int_equal(0xdead1eaf, u64_at(all[i]->base));
  }
  u64_put(v->base, 0xc0ffee);
  for (size_t i = 0; i < 6; i++) assert_int_equal(0xc0ffee, u64_at(all[i]->base));
  for (size_t i = 5; i >= 1; i--) uvmo_destroy(all[i]);
}

static void commit_range_in_snapshot(void** state) {
  (void)state;
  struct uvmo* v = supplied_root(1);
  struct uvmo* clone = uvmo_clone(v, SM);
  u64_put(clone->base, 0xc0ffee);
  struct uvmo* snap = uvmo_clone(clone, SM);
  ASSERT_POP(snap, PAGE / 2);
  assert_ok(uvmo_op(snap, ZX_VMO_OP_COMMIT, 0, 1));
  ASSERT_POP(snap, PAGE);
  uvmo_destroy(snap);
  uvmo_destroy(clone);
}

// A page of |v|'s generated contents with the first word replaced.
static uint64_t* page_with(const struct uvmo* v, uint64_t first) {
  uint64_t* p = malloc(PAGE);
  uvmo_fill(v, p, 1, 0);
  p[0] = first;
  return p;
}

static void snapshot_read(void** state) {
  (void)state;
  struct uvmo* v = up_create_vmo(&P, 1);
  uint64_t* orig = page_with(v, 0xdead1eaf);
  assert_ok(up_supply(&P, v, 0, 1));
  assert_ok(zx_vmo_write(v->vmo, orig, 0, PAGE));
  struct uvmo* clone = uvmo_clone(v, SM);
  assert_ok(uvmo_check_data(v, 0, 1, orig, false));
  assert_ok(uvmo_check_data(clone, 0, 1, orig, false));
  uint64_t* mid = page_with(clone, 0xc0ffee);
  assert_ok(zx_vmo_write(clone->vmo, mid, 0, PAGE));
  assert_ok(uvmo_check_data(v, 0, 1, orig, false));
  assert_ok(uvmo_check_data(clone, 0, 1, mid, false));
  struct uvmo* snap = uvmo_clone(clone, SM);
  assert_ok(uvmo_check_data(v, 0, 1, orig, false));
  assert_ok(uvmo_check_data(clone, 0, 1, mid, false));
  assert_ok(uvmo_check_data(snap, 0, 1, mid, false));
  uint64_t* newer = page_with(snap, 0x1eaf);
  assert_ok(zx_vmo_write(snap->vmo, newer, 0, PAGE));
  assert_ok(uvmo_check_data(v, 0, 1, orig, false));
  assert_ok(uvmo_check_data(clone, 0, 1, mid, false));
  assert_ok(uvmo_check_data(snap, 0, 1, newer, false));
  free(orig);
  free(mid);
  free(newer);
  uvmo_destroy(snap);
  uvmo_destroy(clone);
}

static void snapshot_modified_clone(void** state) {
  (void)state;
  struct uvmo* v = up_create_vmo(&P, 1);
  uint64_t* orig = page_with(v, 0xdead1eaf);
  assert_ok(up_supply(&P, v, 0, 1));
  assert_ok(zx_vmo_write(v->vmo, orig, 0, PAGE));
  struct uvmo* clone = uvmo_clone(v, SM);
  uint64_t* mid = page_with(clone, 0xc0ffee);
  assert_ok(zx_vmo_write(clone->vmo, mid, 0, PAGE));
  struct uvmo* snap = uvmo_clone(clone, SM);
  assert_ok(uvmo_check_data(v, 0, 1, orig, false));
  assert_ok(uvmo_check_data(clone, 0, 1, mid, false));
  assert_ok(uvmo_check_data(snap, 0, 1, mid, false));
  free(orig);
  free(mid);
  uvmo_destroy(snap);
  uvmo_destroy(clone);
}

static void write_after_drop_sibling(void** state) {
  (void)state;
  struct uvmo* v = up_create_vmo(&P, 1);
  assert_ok(up_supply(&P, v, 0, 1));
  assert_true(uvmo_poll_children(v, 0));
  struct uvmo* clone = uvmo_clone(v, SM);
  assert_true(uvmo_poll_children(v, 1));
  u64_put(clone->base, 0xdead1eaf);
  struct uvmo* snap = uvmo_clone(clone, SM);
  assert_true(uvmo_poll_children(v, 1));
  uvmo_destroy(snap);
  u64_put(clone->base, 0xc0ffee);
  assert_int_equal(0xc0ffee, u64_at(clone->base));
  uvmo_destroy(clone);
}

static void clone_modify_chain(void** state) {
  (void)state;
  struct uvmo* v = up_create_vmo(&P, 2);
  assert_ok(up_supply(&P, v, 0, 2));
  u64_put(v->base, 0xdead1eaf);
  struct uvmo* clone = uvmo_clone(v, SM);
  u64_put(clone->base + PAGE, 0xdead1eaf);
  assert_int_equal(0xdead1eaf, u64_at(v->base));
  assert_int_equal(0xdead1eaf, u64_at(clone->base));
  assert_int_equal(0xdead1eaf, u64_at(clone->base + PAGE));
  struct uvmo* snap = uvmo_clone(clone, SM);
  assert_int_equal(0xdead1eaf, u64_at(clone->base));
  assert_int_equal(0xdead1eaf, u64_at(clone->base + PAGE));
  u64_put(v->base, 0xc0ffee);
  u64_put(clone->base + PAGE, 0xc0ffee);
  assert_int_equal(0xc0ffee, u64_at(v->base));
  assert_int_equal(0xc0ffee, u64_at(clone->base));
  assert_int_equal(0xc0ffee, u64_at(clone->base + PAGE));
  // The snapshot sees the root's later write to a page nobody forked, not the clone's.
  assert_int_equal(0xc0ffee, u64_at(snap->base));
  assert_int_equal(0xdead1eaf, u64_at(snap->base + PAGE));
  u64_put(snap->base, 0x1eaf);
  u64_put(snap->base + PAGE, 0x1eaf);
  assert_int_equal(0xc0ffee, u64_at(v->base));
  assert_int_equal(0xc0ffee, u64_at(clone->base));
  assert_int_equal(0xc0ffee, u64_at(clone->base + PAGE));
  assert_int_equal(0x1eaf, u64_at(snap->base));
  assert_int_equal(0x1eaf, u64_at(snap->base + PAGE));
  uvmo_destroy(snap);
  uvmo_destroy(clone);
}

static void obj_mem_accounting(void** state) {
  (void)state;
  struct uvmo* v = up_create_vmo(&P, 2);
  ASSERT_POP(v, 0);
  assert_ok(up_supply(&P, v, 0, 2));
  ASSERT_POP(v, 2 * PAGE);
  u64_put(v->base, 0xdeadbeef);
  u64_put(v->base + PAGE, 0xdeadbeef);
  ASSERT_POP(v, 2 * PAGE);
  struct uvmo* clone = uvmo_clone(v, SM);
  u64_put(clone->base, 0x1eaf5);
  struct uvmo* snap = uvmo_clone(clone, SM);
  ASSERT_POP(v, 2 * PAGE);
  ASSERT_POP(clone, PAGE / 2);
  ASSERT_POP(snap, PAGE / 2);
  u64_put(clone->base + PAGE, 0xc0ffee);
  ASSERT_POP(v, 2 * PAGE);
  ASSERT_POP(clone, 3 * PAGE / 2);
  ASSERT_POP(snap, PAGE / 2);
  u64_put(snap->base, 0xcafe);
  ASSERT_POP(v, 2 * PAGE);
  ASSERT_POP(clone, 2 * PAGE);
  ASSERT_POP(snap, PAGE);
  u64_put(v->base + PAGE, 0x1eaf);
  u64_put(clone->base + PAGE, 0x1eaf);
  u64_put(snap->base + PAGE, 0x1eaf);
  ASSERT_POP(v, 2 * PAGE);
  ASSERT_POP(clone, 2 * PAGE);
  ASSERT_POP(snap, 2 * PAGE);
  uvmo_destroy(clone);
  uvmo_destroy(snap);
  ASSERT_POP(v, 2 * PAGE);
}

enum depth { kRoot, kClone, kSnapshot };

// A write at one level of root / clone / snapshot shows exactly where Fuchsia says.
static void vmo_write_at(enum depth d) {
  struct uvmo* v = up_create_vmo(&P, 1);
  uint64_t* orig = page_with(v, 0xdead1eaf);
  assert_ok(up_supply(&P, v, 0, 1));
  assert_ok(zx_vmo_write(v->vmo, orig, 0, PAGE));
  struct uvmo* clone = uvmo_clone(v, SM);
  struct uvmo* snap = uvmo_clone(clone, SM);
  static const uint64_t firsts[] = {0xc0ffe, 0xc0ffee, 0xc0ffeee};
  struct uvmo* target = d == kRoot ? v : d == kClone ? clone : snap;
  uint64_t* data = page_with(d == kRoot ? clone : target, firsts[d]);
  assert_ok(zx_vmo_write(target->vmo, data, 0, PAGE));
  assert_ok(uvmo_check_data(v, 0, 1, d == kRoot ? data : orig, false));
  assert_ok(uvmo_check_data(clone, 0, 1, d == kSnapshot ? orig : data, false));
  assert_ok(uvmo_check_data(snap, 0, 1, d == kClone ? orig : data, false));
  free(orig);
  free(data);
  uvmo_destroy(snap);
  uvmo_destroy(clone);
}

static void root_vmo_write(void** state) {
  (void)state;
  vmo_write_at(kRoot);
}

static void clone_vmo_write(void** state) {
  (void)state;
  vmo_write_at(kClone);
}

static void snapshot_vmo_write(void** state) {
  (void)state;
  vmo_write_at(kSnapshot);
}

// Closing one of root / clone / snapshot leaves the others' contents.
static void close_at(enum depth d) {
  struct uvmo* v = up_create_vmo(&P, 1);
  assert_ok(up_supply(&P, v, 0, 1));
  uint64_t* orig = page_with(v, 0xdead1eaf);
  assert_ok(zx_vmo_write(v->vmo, orig, 0, PAGE));
  struct uvmo* clone = uvmo_clone(v, SM);
  struct uvmo* snap = uvmo_clone(clone, SM);
  if (d == kRoot) up_release_vmo(&P, v);
  if (d == kClone) uvmo_destroy(clone);
  if (d == kSnapshot) uvmo_destroy(snap);
  if (d != kRoot) assert_ok(uvmo_check_data(v, 0, 1, orig, false));
  if (d != kClone) assert_ok(uvmo_check_data(clone, 0, 1, orig, false));
  if (d != kSnapshot) assert_ok(uvmo_check_data(snap, 0, 1, orig, false));
  if (d != kClone) uvmo_destroy(clone);
  if (d != kSnapshot) uvmo_destroy(snap);
  free(orig);
}

static void close_clone(void** state) {
  (void)state;
  close_at(kClone);
}

static void close_snapshot(void** state) {
  (void)state;
  close_at(kSnapshot);
}

static void close_root(void** state) {
  (void)state;
  close_at(kRoot);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      T(smoke),
      T(at_least_on_write_after_snapshot_modified),
      T(snapshot_modified_after_at_least_on_write),
      T(drop_vmos),
      T(resize_shrink_snapshot),
      T(resize_shrink_snapshot_with_empty_parent),
      T(snapshot_read_only_vmo),
      T(release_cow_parent_pages_right),
      T(release_cow_parent_pages_left),
      T(release_cow_parent_pages_left_and_right),
      T(release_cow_parent_pages_right_in_hidden_node),
      T(zero_range_from_end_of_parent),
      T(zero_range_left_in_snapshot_no_pages_in_parent),
      T(zero_range_left_in_snapshot_page_in_parent),
      T(zero_range_left_in_snapshot_no_pages_in_parent_chain),
      T(zero_range_left_in_snapshot_pages_in_parent_chain),
      T(zero_range_left_in_snapshot_page_in_snapshot),
      T(zero_range_left_in_snapshot_page_in_clone),
      T(zero_range_left_in_snapshot_page_in_hidden_node),
      T(alow_slice),
      T(snapshot_slice),
      T(snapshot_slice_at_least_on_write),
      T(snapshot_vmo_with_slice),
      T(clone_after_slice_root),
      T(commit_range_in_snapshot),
      T(snapshot_read),
      T(snapshot_modified_clone),
      T(write_after_drop_sibling),
      T(clone_modify_chain),
      T(obj_mem_accounting),
      T(root_vmo_write),
      T(clone_vmo_write),
      T(snapshot_vmo_write),
      T(close_clone),
      T(close_snapshot),
      T(close_root),
  };
  return cmocka_run_group_tests(tests, zx_test_init, NULL);
}
