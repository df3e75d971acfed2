// ZX_VMO_OP_ZERO on copy-on-write clones, with the memory accounting of Fuchsia's newest core
// zero tests (vmo-zero.cc: EmptyCowChildren, MergeZeroChildren, AllocateAfterMerge,
// AllocateAfterMergeMultipleChildren, WriteCowParent, ChildZeroThenWrite, Nested,
// ZeroFreesAndAllocates, ResizeOverHiddenMarkers), restated: zeroing a page a clone shares
// commits nothing (the clone keeps a zero marker, not a page), the shared page stays only with
// those who still read it, and its attribution (populated_scaled_bytes: each page split evenly
// between its readers) moves accordingly. pages_held() counts the pages VMOs hold, all together.
#include "zx_test_util.h"

#define SNAP ZX_VMO_CHILD_SNAPSHOT

static uint64_t g_baseline;

static uint64_t object_pages(void) {
  zxvm_stats_t s;
  assert_ok(zxvm_get_stats(&s));
  return s.pmm_object_pages;
}

static int baseline(void** state) {
  (void)state;
  g_baseline = object_pages();
  return 0;
}

static uint64_t pages_held(void) { return object_pages() - g_baseline; }

static uint64_t scaled(zx_handle_t h) {
  zx_info_vmo_t info;
  assert_ok(zx_object_get_info(h, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL));
  return info.populated_scaled_bytes;
}

static zx_handle_t child_of(zx_handle_t parent, uint64_t offset, uint64_t size) {
  zx_handle_t c;
  assert_ok(zx_vmo_create_child(parent, SNAP, offset, size, &c));
  return c;
}

static void put(zx_handle_t vmo, uint64_t offset, uint8_t v) {
  assert_ok(zx_vmo_write(vmo, &v, offset, 1));
}

static uint8_t get(zx_handle_t vmo, uint64_t offset) {
  uint8_t v = 0xee;
  assert_ok(zx_vmo_read(vmo, &v, offset, 1));
  return v;
}

static void zero(zx_handle_t vmo, uint64_t offset, uint64_t len) {
  assert_ok(zx_vmo_op_range(vmo, ZX_VMO_OP_ZERO, offset, len, NULL, 0));
}

static void close_h(zx_handle_t* h) {
  assert_ok(zx_handle_close(*h));
  *h = ZX_HANDLE_INVALID;
}

// A VMO whose page i holds the byte i + 1 at offset 0.
static zx_handle_t tagged(uint32_t pages) {
  zx_handle_t v = make_vmo(pages * PAGE, 0);
  for (uint32_t i = 0; i < pages; i++) put(v, i * PAGE, (uint8_t)(i + 1));
  return v;
}

static void zero_in_child_then_parent(void** state) {
  zx_handle_t parent = make_vmo(2 * PAGE, 0);
  put(parent, 0, 1);
  zx_handle_t child = child_of(parent, 0, 2 * PAGE);
  assert_int_equal(1, get(child, 0));
  assert_int_equal(PAGE / 2, scaled(parent));
  assert_int_equal(PAGE / 2, scaled(child));
  zero(child, 0, PAGE);  // the child stops reading the shared page; nothing is committed
  assert_int_equal(0, get(child, 0));
  assert_int_equal(1, get(parent, 0));
  assert_int_equal(PAGE, scaled(parent));
  assert_int_equal(0, scaled(child));
  assert_int_equal(1, pages_held());
  zero(parent, 0, PAGE);  // nobody reads it now: freed
  assert_int_equal(0, get(parent, 0));
  assert_int_equal(0, scaled(parent));
  assert_int_equal(0, scaled(child));
  assert_int_equal(0, pages_held());
  assert_ok(zxvm_check(zx_process_self()));
  close_h(&child);
  close_h(&parent);
}

static void zero_in_parent_leaves_page_to_child(void** state) {
  zx_handle_t parent = make_vmo(2 * PAGE, 0);
  put(parent, 0, 1);
  zx_handle_t child = child_of(parent, 0, PAGE);
  assert_int_equal(PAGE / 2, scaled(parent));
  assert_int_equal(PAGE / 2, scaled(child));
  zero(parent, 0, PAGE);
  assert_int_equal(0, scaled(parent));
  assert_int_equal(PAGE, scaled(child));
  assert_int_equal(1, get(child, 0));
  assert_int_equal(0, get(parent, 0));
  close_h(&child);
  assert_int_equal(0, scaled(parent));
  assert_int_equal(0, pages_held());
  assert_int_equal(0, get(parent, 0));
  close_h(&parent);
}

static void zero_survives_merge(void** state) {
  zx_handle_t parent = tagged(2);
  zx_handle_t child = child_of(parent, 0, 2 * PAGE);
  assert_int_equal(PAGE, scaled(parent));
  assert_int_equal(PAGE, scaled(child));
  zero(child, 0, PAGE);
  assert_int_equal(3 * PAGE / 2, scaled(parent));
  assert_int_equal(PAGE / 2, scaled(child));
  assert_int_equal(2, pages_held());
  close_h(&parent);  // the hidden node merges into the child; its marker must keep hiding page 0
  assert_int_equal(PAGE, scaled(child));
  assert_int_equal(1, pages_held());
  assert_int_equal(0, get(child, 0));
  assert_int_equal(2, get(child, PAGE));
  put(child, 64, 1);  // a fresh zero page, not the old data
  assert_int_equal(0, get(child, 0));
  assert_int_equal(2 * PAGE, scaled(child));
  assert_int_equal(2, pages_held());
  close_h(&child);
  assert_int_equal(0, pages_held());
}

static void zero_with_several_children_and_merge(void** state) {
  zx_handle_t parent = tagged(3);
  zx_handle_t c1 = child_of(parent, 0, 3 * PAGE);
  assert_int_equal(3 * PAGE / 2, scaled(parent));
  assert_int_equal(3 * PAGE / 2, scaled(c1));
  zero(parent, 0, PAGE);  // page 0 goes to c1 alone
  assert_int_equal(PAGE, scaled(parent));
  assert_int_equal(2 * PAGE, scaled(c1));
  zx_handle_t c2 = child_of(parent, 0, 3 * PAGE);
  assert_int_equal(2 * PAGE / 3, scaled(parent));
  assert_int_equal(5 * PAGE / 3, scaled(c1));
  assert_int_equal(2 * PAGE / 3, scaled(c2));
  zero(c1, PAGE, PAGE);
  assert_int_equal(5 * PAGE / 6, scaled(parent));
  assert_int_equal(4 * PAGE / 3, scaled(c1));
  assert_int_equal(5 * PAGE / 6, scaled(c2));
  uint8_t want_parent[] = {0, 2, 3}, want_c1[] = {1, 0, 3};
  for (int i = 0; i < 3; i++) {
    assert_int_equal(want_parent[i], get(parent, (uint64_t)i * PAGE));
    assert_int_equal(want_parent[i], get(c2, (uint64_t)i * PAGE));
    assert_int_equal(want_c1[i], get(c1, (uint64_t)i * PAGE));
  }
  close_h(&c1);
  for (int i = 0; i < 3; i++) {
    assert_int_equal(want_parent[i], get(parent, (uint64_t)i * PAGE));
    assert_int_equal(want_parent[i], get(c2, (uint64_t)i * PAGE));
  }
  assert_int_equal(PAGE, scaled(parent));
  assert_int_equal(PAGE, scaled(c2));
  put(parent, 64, 1);
  assert_int_equal(0, get(parent, 0));
  assert_int_equal(2 * PAGE, scaled(parent));
  assert_int_equal(PAGE, scaled(c2));
  put(c2, PAGE + 64, 5);  // forks the page c1 had hidden from itself: the shared one
  assert_int_equal(2, get(c2, PAGE));
  assert_int_equal(0, get(parent, PAGE + 64));
  assert_int_equal(2, get(parent, PAGE));
  assert_int_equal(5 * PAGE / 2, scaled(parent));
  assert_int_equal(3 * PAGE / 2, scaled(c2));
  assert_ok(zxvm_check(zx_process_self()));
  close_h(&c2);
  close_h(&parent);
  assert_int_equal(0, pages_held());
}

static void zero_child_after_parent_forked(void** state) {
  zx_handle_t parent = make_vmo(2 * PAGE, 0);
  put(parent, 0, 1);
  zx_handle_t child = child_of(parent, 0, 2 * PAGE);
  put(parent, 0, 2);
  assert_int_equal(PAGE, scaled(parent));
  assert_int_equal(PAGE, scaled(child));
  zero(child, 0, PAGE);  // the old page was the child's alone: freed
  assert_int_equal(0, get(child, 0));
  assert_int_equal(2, get(parent, 0));
  assert_int_equal(PAGE, scaled(parent));
  assert_int_equal(0, scaled(child));
  assert_int_equal(1, pages_held());
  close_h(&parent);
  assert_int_equal(0, get(child, 0));
  assert_int_equal(0, scaled(child));
  assert_int_equal(0, pages_held());
  put(child, 64, 1);
  assert_int_equal(0, get(child, 0));
  assert_int_equal(PAGE, scaled(child));
  close_h(&child);
  assert_int_equal(0, pages_held());
}

static void zero_child_then_write(void** state) {
  zx_handle_t parent = make_vmo(2 * PAGE, 0);
  put(parent, 0, 1);
  zx_handle_t child = child_of(parent, 0, 2 * PAGE);
  zero(child, 0, PAGE);
  assert_int_equal(PAGE, scaled(parent));
  assert_int_equal(0, scaled(child));
  put(child, 0, 1);
  assert_int_equal(PAGE, scaled(parent));
  assert_int_equal(PAGE, scaled(child));
  assert_int_equal(2, pages_held());
  close_h(&parent);
  assert_int_equal(PAGE, scaled(child));
  assert_int_equal(1, pages_held());
  close_h(&child);
}

static void zero_parent_of_two_children(void** state) {
  zx_handle_t parent = make_vmo(2 * PAGE, 0);
  put(parent, 0, 1);
  zx_handle_t c1 = child_of(parent, 0, PAGE), c2 = child_of(parent, 0, PAGE);
  assert_int_equal(PAGE / 3, scaled(parent));
  assert_int_equal(PAGE / 3, scaled(c1));
  assert_int_equal(PAGE / 3, scaled(c2));
  zero(parent, 0, PAGE);
  assert_int_equal(0, scaled(parent));
  assert_int_equal(PAGE / 2, scaled(c1));
  assert_int_equal(PAGE / 2, scaled(c2));
  assert_int_equal(1, get(c1, 0));
  assert_int_equal(1, get(c2, 0));
  assert_int_equal(0, get(parent, 0));
  assert_int_equal(1, pages_held());  // one page, still shared by the two children
  zx_handle_t list[] = {parent, c1, c2};
  assert_ok(zx_handle_close_many(list, 3));
  assert_int_equal(0, pages_held());
}

static void zero_frees_and_forks_in_one_call(void** state) {
  zx_handle_t parent = make_vmo(3 * PAGE, 0);
  put(parent, PAGE, 1);
  zx_handle_t mid = child_of(parent, 0, 3 * PAGE);
  zx_handle_t child = child_of(mid, 0, 3 * PAGE);
  put(child, 0, 1);
  zero(child, 0, 2 * PAGE);
  assert_int_equal(0, get(child, 0));
  assert_int_equal(0, get(child, PAGE));
  assert_int_equal(1, get(mid, PAGE));
  assert_int_equal(1, get(parent, PAGE));
  assert_ok(zxvm_check(zx_process_self()));
  zx_handle_t list[] = {parent, mid, child};
  assert_ok(zx_handle_close_many(list, 3));
  assert_int_equal(0, pages_held());
}

static void resize_keeps_markers_a_sibling_needs(void** state) {
  zx_handle_t vmo = make_vmo(4 * PAGE, ZX_VMO_RESIZABLE);
  put(vmo, 2 * PAGE, 1);
  zx_handle_t mid = child_of(vmo, 0, 4 * PAGE);
  zero(vmo, 2 * PAGE, PAGE);  // a marker over the page |mid| still reads
  zx_handle_t sib = child_of(vmo, 2 * PAGE, PAGE);
  assert_int_equal(0, get(sib, 0));
  assert_ok(zx_vmo_set_size(vmo, PAGE));
  assert_int_equal(0, get(sib, 0));  // the marker still hides the page from the sibling
  assert_int_equal(1, get(mid, 2 * PAGE));
  put(sib, 0, 1);  // a fresh zeroed page, not a fork of the root's
  uint8_t buf[8];
  assert_ok(zx_vmo_read(sib, buf, 1, sizeof(buf)));
  for (size_t i = 0; i < sizeof(buf); i++) assert_int_equal(0, buf[i]);
  assert_int_equal(1, get(mid, 2 * PAGE));
  assert_ok(zxvm_check(zx_process_self()));
  zx_handle_t list[] = {vmo, mid, sib};
  assert_ok(zx_handle_close_many(list, 3));
  assert_int_equal(0, pages_held());
}

// Through a mapping: a zeroed page of a clone reads zero, maps the zero page read-only, and its
// first write commits a fresh zeroed page.
static void zero_marker_through_mapping(void** state) {
  zx_handle_t parent = tagged(2);
  zx_handle_t child = child_of(parent, 0, 2 * PAGE);
  zx_vaddr_t a;
  assert_ok(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, child, 0,
                        2 * PAGE, &a));
  uint8_t v = 0xee;
  assert_ok(zxvm_user_read(zx_process_self(), a, &v, 1));
  assert_int_equal(1, v);
  zero(child, 0, PAGE);
  assert_ok(zxvm_user_read(zx_process_self(), a, &v, 1));
  assert_int_equal(0, v);
  assert_ok(zxvm_check(zx_process_self()));
  assert_int_equal(2, pages_held());
  v = 9;
  assert_ok(zxvm_user_write(zx_process_self(), a + 1, &v, 1));
  assert_int_equal(0, get(child, 0));
  assert_int_equal(9, get(child, 1));
  assert_int_equal(1, get(parent, 0));
  assert_int_equal(3, pages_held());
  assert_ok(zxvm_check(zx_process_self()));
  assert_ok(zx_vmar_unmap(zx_vmar_root_self(), a, 2 * PAGE));
  zx_handle_t list[] = {parent, child};
  assert_ok(zx_handle_close_many(list, 2));
  assert_int_equal(0, pages_held());
}

int main(void) {
#define T(name) cmocka_unit_test_setup(name, baseline)
  const struct CMUnitTest tests[] = {
      T(zero_in_child_then_parent),
      T(zero_in_parent_leaves_page_to_child),
      T(zero_survives_merge),
      T(zero_with_several_children_and_merge),
      T(zero_child_after_parent_forked),
      T(zero_child_then_write),
      T(zero_parent_of_two_children),
      T(zero_frees_and_forks_in_one_call),
      T(resize_keeps_markers_a_sibling_needs),
      T(zero_marker_through_mapping),
  };
#undef T
  return cmocka_run_group_tests(tests, zx_test_init, NULL);
}
