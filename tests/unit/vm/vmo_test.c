// Unit tests for paged VMOs (src/vm/vm_object_paged.c, vm_cow_pages.c, vm_page_list.c): table
// driven boundaries for every operation, sparse storage, the fault-path lookups, name, content
// size, cache policy, attribution, counters and the range-change calls made before pages go.
#include <string.h>

#include "test_util.h"
// The library headers after the test harness.
#include "base/alloc_fail.h"
#include "pmm/pmm.h"
#include "vm/vm_object_paged.h"

#define P PAGE_SIZE
#define MIB ((uint64_t)1 << 20)
#define GIB ((uint64_t)1 << 30)
#define ARENA_BYTES (64 * MIB)
#define S (4 * MIB)  // the VMO size of the boundary tables

static int setup(void** state) {
  (void)state;
  assert_ok(pmm_init(ARENA_BYTES));
  return 0;
}

// Leaks the arena instead of panicking in pmm_shutdown when a failed test left pages behind, so
// cmocka reports the real failure.
static int teardown(void** state) {
  (void)state;
  alloc_fail_arm(0);
  struct pmm_counts c;
  pmm_get_counts(&c);
  if (c.free_pages + 1 != c.total_pages) {
    print_error("test left %" PRIu64 " pages allocated\n", c.total_pages - 1 - c.free_pages);
    return -1;
  }
  pmm_check();
  pmm_shutdown();
  return 0;
}

static struct vm_object_paged* make_vmo(uint32_t options, uint64_t size) {
  struct vm_object_paged* vmo = NULL;
  assert_ok(vm_object_paged_create(options, size, &vmo));
  assert_non_null(vmo);
  return vmo;
}

static uint64_t committed_pages(struct vm_object_paged* vmo) {
  struct vm_object_paged_stats st;
  vm_object_paged_get_stats(vmo, &st);
  assert_int_equal(st.committed_bytes, st.populated_bytes);
  return st.committed_bytes / P;
}

static void fill_pattern(uint8_t* buf, size_t len, uint8_t seed) {
  for (size_t i = 0; i < len; i++) buf[i] = (uint8_t)(seed + i * 7 + (i >> 12));
}

// ---- create ----

struct create_case {
  uint64_t size;
  uint32_t options;
  zx_status_t status;
  uint64_t rounded;
};

static void vmo_create_boundaries(void** state) {
  (void)state;
  const uint64_t max = VM_OBJECT_PAGED_MAX_SIZE;
  const struct create_case cases[] = {
      {0, 0, ZX_OK, 0},
      {1, 0, ZX_OK, P},
      {P - 1, 0, ZX_OK, P},
      {P, 0, ZX_OK, P},
      {P + 1, 0, ZX_OK, 2 * P},
      {2 * MIB - P, 0, ZX_OK, 2 * MIB - P},
      {2 * MIB + P, VM_OBJECT_PAGED_RESIZABLE, ZX_OK, 2 * MIB + P},
      {P << 40, 0, ZX_OK, P << 40},
      {UINT64_MAX - 64 * P + 1, 0, ZX_OK, UINT64_MAX - 64 * P + 1},
      {max - P + 1, 0, ZX_OK, max},
      {max + 1, 0, ZX_ERR_OUT_OF_RANGE, 0},
      {UINT64_MAX - P + 1, 0, ZX_ERR_OUT_OF_RANGE, 0},
      {UINT64_MAX - P + 2, 0, ZX_ERR_OUT_OF_RANGE, 0},
      {UINT64_MAX, 0, ZX_ERR_OUT_OF_RANGE, 0},
      {P, 1u << 1, ZX_ERR_INVALID_ARGS, 0},
      {P, 1u << 31, ZX_ERR_INVALID_ARGS, 0},
      {UINT64_MAX, 1u << 1, ZX_ERR_INVALID_ARGS, 0},
  };
  for (size_t i = 0; i < countof(cases); i++) {
    struct vm_object_paged* vmo = NULL;
    zx_status_t status = vm_object_paged_create(cases[i].options, cases[i].size, &vmo);
    if (status != cases[i].status) print_error("case %zu size %#" PRIx64 "\n", i, cases[i].size);
    assert_status(cases[i].status, status);
    if (status != ZX_OK) {
      assert_null(vmo);
      continue;
    }
    assert_int_equal(vm_object_paged_get_size(vmo), cases[i].rounded);
    assert_int_equal(vm_object_paged_get_content_size(vmo), cases[i].size);
    assert_int_equal(committed_pages(vmo), 0);
    vm_object_paged_check(vmo);
    vm_object_paged_release(vmo);
  }
}

// ---- read / write ----

struct range_case {
  uint64_t offset;
  uint64_t len;
  zx_status_t status;
};

static const struct range_case rw_cases[] = {
    {0, 0, ZX_OK},
    {0, 1, ZX_OK},
    {0, P - 1, ZX_OK},
    {0, P, ZX_OK},
    {0, P + 1, ZX_OK},
    {P - 1, 2, ZX_OK},
    {P + 1, 2 * P, ZX_OK},
    {2 * MIB - P, 2 * P, ZX_OK},
    {2 * MIB + P, P, ZX_OK},
    {S - 1, 1, ZX_OK},
    {S - P, P, ZX_OK},
    {S, 0, ZX_OK},
    {S, 1, ZX_ERR_OUT_OF_RANGE},
    {S + 1, 0, ZX_ERR_OUT_OF_RANGE},
    {S - 1, 2, ZX_ERR_OUT_OF_RANGE},
    {0, S + 1, ZX_ERR_OUT_OF_RANGE},
    {UINT64_MAX, 0, ZX_ERR_OUT_OF_RANGE},
    {UINT64_MAX, 1, ZX_ERR_OUT_OF_RANGE},
    {1, UINT64_MAX, ZX_ERR_OUT_OF_RANGE},
    {P, UINT64_MAX - P + 1, ZX_ERR_OUT_OF_RANGE},  // wraps to exactly 0
    {0, UINT64_MAX - P, ZX_ERR_OUT_OF_RANGE},      // huge len with a tiny buffer
};

#define RW_BUF (3 * P)

static void vmo_read_write_boundaries(void** state) {
  (void)state;
  static uint8_t buf[RW_BUF], back[RW_BUF], zeros[RW_BUF];
  for (size_t i = 0; i < countof(rw_cases); i++) {
    const struct range_case* c = &rw_cases[i];
    struct vm_object_paged* vmo = make_vmo(0, S);
    fill_pattern(buf, sizeof(buf), (uint8_t)i);
    memset(back, 0xcc, sizeof(back));
    // Read of a fresh VMO: zeros, nothing committed.
    zx_status_t status = vm_object_paged_read(vmo, back, c->offset, c->len);
    if (status != c->status) print_error("read case %zu\n", i);
    assert_status(c->status, status);
    if (status == ZX_OK) assert_memory_equal(back, zeros, c->len);
    assert_int_equal(committed_pages(vmo), 0);
    status = vm_object_paged_write(vmo, buf, c->offset, c->len);
    if (status != c->status) print_error("write case %zu\n", i);
    assert_status(c->status, status);
    if (status == ZX_OK && c->len > 0) {
      uint64_t first = c->offset / P, last = (c->offset + c->len - 1) / P;
      assert_int_equal(committed_pages(vmo), last - first + 1);
      memset(back, 0, sizeof(back));
      assert_ok(vm_object_paged_read(vmo, back, c->offset, c->len));
      assert_memory_equal(back, buf, c->len);
      // The rest of the touched pages reads as zero (the write zeroed what it did not cover).
      uint8_t byte;
      if (c->offset % P != 0) {
        assert_ok(vm_object_paged_read(vmo, &byte, first * P, 1));
        assert_int_equal(byte, 0);
      }
    } else {
      assert_int_equal(committed_pages(vmo), 0);
    }
    vm_object_paged_check(vmo);
    vm_object_paged_release(vmo);
  }
}

// ---- commit ----

struct commit_case {
  uint64_t offset;
  uint64_t len;
  zx_status_t status;
  uint64_t pages;  // committed afterwards
};

static void vmo_commit_boundaries(void** state) {
  (void)state;
  const struct commit_case cases[] = {
      {0, 0, ZX_OK, 0},
      {0, 1, ZX_OK, 1},
      {P - 1, 2, ZX_OK, 2},
      {P - 1, 1, ZX_OK, 1},
      {P, P, ZX_OK, 1},
      {P + 1, P, ZX_OK, 2},
      {2 * MIB - P, 2 * P, ZX_OK, 2},
      {S - 1, 1, ZX_OK, 1},
      {S, 0, ZX_OK, 0},
      {0, S, ZX_OK, S / P},
      {S, 1, ZX_ERR_OUT_OF_RANGE, 0},
      {S + 1, 0, ZX_ERR_OUT_OF_RANGE, 0},
      {0, S + 1, ZX_ERR_OUT_OF_RANGE, 0},
      {P, UINT64_MAX - P + 1, ZX_ERR_OUT_OF_RANGE, 0},
      {UINT64_MAX, 1, ZX_ERR_OUT_OF_RANGE, 0},
      {UINT64_MAX, 0, ZX_ERR_OUT_OF_RANGE, 0},
  };
  for (size_t i = 0; i < countof(cases); i++) {
    struct vm_object_paged* vmo = make_vmo(0, S);
    zx_status_t status = vm_object_paged_commit_range(vmo, cases[i].offset, cases[i].len);
    if (status != cases[i].status) print_error("case %zu\n", i);
    assert_status(cases[i].status, status);
    assert_int_equal(committed_pages(vmo), cases[i].pages);
    vm_object_paged_check(vmo);
    vm_object_paged_release(vmo);
  }
}

static void vmo_commit_zeroes_pages(void** state) {
  (void)state;
  // Dirty pages, free them, then commit: the new pages must read as zero.
  struct vm_object_paged* vmo = make_vmo(0, 64 * P);
  static uint8_t buf[64 * P], zeros[64 * P];
  memset(buf, 0xa5, sizeof(buf));
  assert_ok(vm_object_paged_write(vmo, buf, 0, sizeof(buf)));
  vm_object_paged_release(vmo);
  vmo = make_vmo(0, 64 * P);
  assert_ok(vm_object_paged_commit_range(vmo, 0, 64 * P));
  assert_int_equal(committed_pages(vmo), 64);
  assert_ok(vm_object_paged_read(vmo, buf, 0, sizeof(buf)));
  assert_memory_equal(buf, zeros, sizeof(buf));
  vm_object_paged_release(vmo);
}

// ---- decommit ----

static void vmo_decommit_boundaries(void** state) {
  (void)state;
  const struct commit_case cases[] = {
      {0, 0, ZX_OK, S / P},
      {S, 0, ZX_OK, S / P},
      {0, P, ZX_OK, S / P - 1},
      {P, 2 * P, ZX_OK, S / P - 2},
      {2 * MIB - P, 2 * P, ZX_OK, S / P - 2},
      {0, S, ZX_OK, 0},
      {S - P, P, ZX_OK, S / P - 1},
      {1, P, ZX_ERR_INVALID_ARGS, S / P},
      {0, 1, ZX_ERR_INVALID_ARGS, S / P},
      {0, P - 1, ZX_ERR_INVALID_ARGS, S / P},
      {P, P + 1, ZX_ERR_INVALID_ARGS, S / P},
      {S + 1, P, ZX_ERR_INVALID_ARGS, S / P},  // alignment is checked before the range
      {UINT64_MAX, 1, ZX_ERR_INVALID_ARGS, S / P},
      // As Zircon: a range running past the end is trimmed to it; a start past it is refused.
      {S, P, ZX_OK, S / P},
      {S + P, 0, ZX_ERR_OUT_OF_RANGE, S / P},
      {0, S + P, ZX_OK, 0},
      {S - P, 2 * P, ZX_OK, S / P - 1},
      {UINT64_MAX - P + 1, P, ZX_ERR_OUT_OF_RANGE, S / P},
      {P, UINT64_MAX - P + 1, ZX_OK, 1},
  };
  for (size_t i = 0; i < countof(cases); i++) {
    struct vm_object_paged* vmo = make_vmo(0, S);
    assert_ok(vm_object_paged_commit_range(vmo, 0, S));
    zx_status_t status = vm_object_paged_decommit_range(vmo, cases[i].offset, cases[i].len);
    if (status != cases[i].status) print_error("case %zu\n", i);
    assert_status(cases[i].status, status);
    assert_int_equal(committed_pages(vmo), cases[i].pages);
    vm_object_paged_check(vmo);
    vm_object_paged_release(vmo);
  }
}

// ---- zero ----

struct zero_case {
  uint64_t offset;
  uint64_t len;
  zx_status_t status;
  uint64_t pages;  // committed afterwards, starting from pages 0..3 written with 0xff
};

static void vmo_zero_boundaries(void** state) {
  (void)state;
  const struct zero_case cases[] = {
      {0, 0, ZX_OK, 4},
      {S + 5, 0, ZX_OK, 4},  // len 0: OK anywhere
      {UINT64_MAX, 0, ZX_OK, 4},
      {1, P - 2, ZX_OK, 4},
      {0, P, ZX_OK, 3},
      {P - 1, P + 2, ZX_OK, 3},
      {P, 2 * P, ZX_OK, 2},
      {0, S, ZX_OK, 0},
      {3 * P + 1, S - 3 * P - 1, ZX_OK, 4},
      {S - 1, 1, ZX_OK, 4},
      {S, 1, ZX_ERR_OUT_OF_RANGE, 4},
      {0, S + 1, ZX_ERR_OUT_OF_RANGE, 4},
      {UINT64_MAX, 1, ZX_ERR_OUT_OF_RANGE, 4},
      {P, UINT64_MAX - P + 1, ZX_ERR_OUT_OF_RANGE, 4},
  };
  static uint8_t model[4 * P], back[4 * P];
  for (size_t i = 0; i < countof(cases); i++) {
    const struct zero_case* c = &cases[i];
    struct vm_object_paged* vmo = make_vmo(0, S);
    memset(model, 0xff, sizeof(model));
    assert_ok(vm_object_paged_write(vmo, model, 0, sizeof(model)));
    zx_status_t status = vm_object_paged_zero_range(vmo, c->offset, c->len);
    if (status != c->status) print_error("case %zu\n", i);
    assert_status(c->status, status);
    assert_int_equal(committed_pages(vmo), c->pages);
    if (status == ZX_OK && c->len > 0 && c->offset < sizeof(model)) {
      uint64_t end = c->offset + c->len < sizeof(model) ? c->offset + c->len : sizeof(model);
      memset(model + c->offset, 0, end - c->offset);
    }
    assert_ok(vm_object_paged_read(vmo, back, 0, sizeof(back)));
    assert_memory_equal(back, model, sizeof(model));
    vm_object_paged_check(vmo);
    vm_object_paged_release(vmo);
  }
}

// ---- set_size ----

static void vmo_set_size_boundaries(void** state) {
  (void)state;
  struct vm_object_paged* fixed = make_vmo(0, P);
  assert_status(ZX_ERR_UNAVAILABLE, vm_object_paged_set_size(fixed, 2 * P));
  assert_status(ZX_ERR_UNAVAILABLE, vm_object_paged_set_size(fixed, UINT64_MAX));
  assert_int_equal(vm_object_paged_get_size(fixed), P);
  vm_object_paged_release(fixed);

  const struct create_case cases[] = {
      {0, 0, ZX_OK, 0},
      {1, 0, ZX_OK, P},
      {P - 1, 0, ZX_OK, P},
      {P, 0, ZX_OK, P},
      {P + 1, 0, ZX_OK, 2 * P},
      {2 * MIB - P, 0, ZX_OK, 2 * MIB - P},
      {2 * MIB + P, 0, ZX_OK, 2 * MIB + P},
      {VM_OBJECT_PAGED_MAX_SIZE, 0, ZX_OK, VM_OBJECT_PAGED_MAX_SIZE},
      {VM_OBJECT_PAGED_MAX_SIZE + 1, 0, ZX_ERR_OUT_OF_RANGE, 0},
      {UINT64_MAX, 0, ZX_ERR_OUT_OF_RANGE, 0},
  };
  for (size_t i = 0; i < countof(cases); i++) {
    struct vm_object_paged* vmo = make_vmo(VM_OBJECT_PAGED_RESIZABLE, 3 * P);
    assert_ok(vm_object_paged_commit_range(vmo, 0, 3 * P));
    zx_status_t status = vm_object_paged_set_size(vmo, cases[i].size);
    if (status != cases[i].status) print_error("case %zu\n", i);
    assert_status(cases[i].status, status);
    uint64_t size = status == ZX_OK ? cases[i].rounded : 3 * P;
    assert_int_equal(vm_object_paged_get_size(vmo), size);
    assert_int_equal(vm_object_paged_get_content_size(vmo),
                     status == ZX_OK ? cases[i].size : 3 * P);
    assert_int_equal(committed_pages(vmo), (size < 3 * P ? size : 3 * P) / P);
    vm_object_paged_check(vmo);
    vm_object_paged_release(vmo);
  }
}

static void vmo_set_size_shrink_zeroes_tail(void** state) {
  (void)state;
  struct vm_object_paged* vmo = make_vmo(VM_OBJECT_PAGED_RESIZABLE, 3 * P);
  static uint8_t buf[3 * P], back[3 * P], zeros[3 * P];
  fill_pattern(buf, sizeof(buf), 3);
  for (size_t i = 0; i < sizeof(buf); i++) buf[i] |= 1;  // no zero byte in the pattern
  assert_ok(vm_object_paged_write(vmo, buf, 0, sizeof(buf)));
  assert_ok(vm_object_paged_set_size(vmo, P + 10));
  assert_int_equal(vm_object_paged_get_size(vmo), 2 * P);
  assert_int_equal(vm_object_paged_get_content_size(vmo), P + 10);
  assert_int_equal(committed_pages(vmo), 2);
  assert_ok(vm_object_paged_read(vmo, back, 0, 2 * P));
  assert_memory_equal(back, buf, P + 10);
  assert_memory_equal(back + P + 10, zeros, P - 10);
  assert_status(ZX_ERR_OUT_OF_RANGE, vm_object_paged_read(vmo, back, 2 * P, 1));
  // Growing exposes zeros where the freed page was.
  assert_ok(vm_object_paged_set_size(vmo, 3 * P));
  assert_int_equal(vm_object_paged_get_content_size(vmo), 3 * P);
  assert_ok(vm_object_paged_read(vmo, back, 0, 3 * P));
  assert_memory_equal(back, buf, P + 10);
  assert_memory_equal(back + P + 10, zeros, 2 * P - 10);
  assert_int_equal(committed_pages(vmo), 2);
  vm_object_paged_release(vmo);
}

// ---- sparse storage ----

static void vmo_sparse_pages_cost_one_node_each(void** state) {
  (void)state;
  const uint64_t size = 16 * GIB;
  struct vm_object_paged* vmo = make_vmo(0, size);
  assert_ok(vm_object_paged_commit_range(vmo, 0, 1));
  uint8_t byte = 0x5a;
  assert_ok(vm_object_paged_write(vmo, &byte, 8 * GIB + 17, 1));
  assert_ok(vm_object_paged_write(vmo, &byte, size - 1, 1));
  struct vm_object_paged_stats st;
  vm_object_paged_get_stats(vmo, &st);
  assert_int_equal(st.committed_bytes, 3 * P);
  assert_true(st.metadata_bytes <= 3 * sizeof(struct vm_page_list_node));
  assert_true(st.metadata_bytes > 0);
  byte = 0;
  assert_ok(vm_object_paged_read(vmo, &byte, size - 1, 1));
  assert_int_equal(byte, 0x5a);
  // A commit far away in an empty stretch adds exactly one node.
  assert_ok(vm_object_paged_commit_range(vmo, 4 * GIB, P));
  vm_object_paged_get_stats(vmo, &st);
  assert_int_equal(st.metadata_bytes, 4 * sizeof(struct vm_page_list_node));
  // Committing the whole 16 GiB cannot succeed in a 64 MiB arena: all or nothing.
  assert_status(ZX_ERR_NO_MEMORY, vm_object_paged_commit_range(vmo, 0, size));
  vm_object_paged_get_stats(vmo, &st);
  assert_int_equal(st.committed_bytes, 4 * P);
  assert_int_equal(st.metadata_bytes, 4 * sizeof(struct vm_page_list_node));
  assert_ok(vm_object_paged_decommit_range(vmo, 0, size));
  vm_object_paged_get_stats(vmo, &st);
  assert_int_equal(st.committed_bytes, 0);
  assert_int_equal(st.metadata_bytes, 0);
  vm_object_paged_check(vmo);
  vm_object_paged_release(vmo);
}

// ---- fault-path lookups ----

static void vmo_lookup_page_read_gives_zero_page(void** state) {
  (void)state;
  struct vm_object_paged* vmo = make_vmo(0, 4 * P);
  struct vm_page* page = NULL;
  bool writable = true;
  vm_object_lock(&vmo->base);
  assert_ok(vm_object_paged_lookup_page_locked(vmo, P + 5, false, NULL, &page, &writable));
  assert_ptr_equal(page, pmm_zero_page());
  assert_false(writable);
  assert_null(vm_object_paged_maybe_page_locked(vmo, P));
  assert_status(ZX_ERR_OUT_OF_RANGE,
                vm_object_paged_lookup_page_locked(vmo, 4 * P, false, NULL, &page, &writable));
  assert_status(ZX_ERR_OUT_OF_RANGE,
                vm_object_paged_lookup_page_locked(vmo, UINT64_MAX, true, NULL, &page, &writable));
  assert_null(vm_object_paged_maybe_page_locked(vmo, 4 * P));
  vm_object_unlock(&vmo->base);
  assert_int_equal(committed_pages(vmo), 0);
  vm_object_paged_release(vmo);
}

static void vmo_lookup_page_write_commits(void** state) {
  (void)state;
  struct vm_object_paged* vmo = make_vmo(0, 4 * P);
  struct vm_page* page = NULL;
  bool writable = false;
  vm_object_lock(&vmo->base);
  assert_ok(vm_object_paged_lookup_page_locked(vmo, 2 * P + 100, true, NULL, &page, &writable));
  assert_true(writable);
  assert_ptr_not_equal(page, pmm_zero_page());
  assert_int_equal(page->state, VM_PAGE_STATE_OBJECT);
  assert_int_equal(page->object_page_index, 2);
  assert_ptr_equal(vm_object_paged_maybe_page_locked(vmo, 2 * P), page);
  const uint8_t* data = vm_page_to_physmap(page);
  for (size_t i = 0; i < P; i++) assert_int_equal(data[i], 0);
  ((uint8_t*)vm_page_to_physmap(page))[7] = 0x42;
  struct vm_page* again = NULL;
  writable = false;
  assert_ok(vm_object_paged_lookup_page_locked(vmo, 2 * P, false, NULL, &again, &writable));
  assert_ptr_equal(again, page);
  assert_true(writable);
  vm_object_unlock(&vmo->base);
  assert_int_equal(committed_pages(vmo), 1);
  uint8_t byte = 0;
  assert_ok(vm_object_paged_read(vmo, &byte, 2 * P + 7, 1));
  assert_int_equal(byte, 0x42);
  vm_object_paged_release(vmo);
}

// ---- name, content size, cache policy ----

static void vmo_name_truncated_and_terminated(void** state) {
  (void)state;
  struct vm_object_paged* vmo = make_vmo(0, P);
  char name[ZX_MAX_NAME_LEN];
  vm_object_get_name(&vmo->base, name);
  assert_string_equal(name, "");
  const char* long_name = "0123456789abcdef0123456789abcdefXYZ";
  vm_object_set_name(&vmo->base, long_name, strlen(long_name));
  vm_object_get_name(&vmo->base, name);
  assert_int_equal(strlen(name), ZX_MAX_NAME_LEN - 1);
  assert_memory_equal(name, long_name, ZX_MAX_NAME_LEN - 1);
  vm_object_set_name(&vmo->base, "abcdefgh", 5);
  vm_object_get_name(&vmo->base, name);
  assert_string_equal(name, "abcde");
  for (size_t i = 6; i < ZX_MAX_NAME_LEN; i++) assert_int_equal(name[i], 0);
  vm_object_set_name(&vmo->base, "ab\0cd", 5);
  vm_object_get_name(&vmo->base, name);
  assert_string_equal(name, "ab");
  vm_object_set_user_id(&vmo->base, 1234);
  assert_int_equal(vm_object_user_id(&vmo->base), 1234);
  vm_object_paged_check(vmo);
  vm_object_paged_release(vmo);
}

static void vmo_content_size(void** state) {
  (void)state;
  struct vm_object_paged* vmo = make_vmo(VM_OBJECT_PAGED_RESIZABLE, 4 * P - 123);
  assert_int_equal(vm_object_paged_get_content_size(vmo), 4 * P - 123);
  assert_int_equal(vm_object_paged_get_size(vmo), 4 * P);
  vm_object_paged_set_content_size(vmo, 4 * P + 15643);
  assert_int_equal(vm_object_paged_get_content_size(vmo), 4 * P + 15643);
  assert_int_equal(vm_object_paged_get_size(vmo), 4 * P);
  assert_ok(vm_object_paged_set_size(vmo, 2 * P + 1));
  assert_int_equal(vm_object_paged_get_content_size(vmo), 2 * P + 1);
  assert_int_equal(vm_object_paged_get_size(vmo), 3 * P);
  vm_object_paged_release(vmo);
}

static void noop_range_change(struct vm_object_mapping_node* n, uint32_t op, uint64_t offset,
                              uint64_t len) {}

static void vmo_cache_policy_rules(void** state) {
  (void)state;
  struct vm_object_paged* vmo = make_vmo(0, 2 * P);
  uint8_t byte = 1;
  assert_int_equal(vm_object_get_cache_policy(&vmo->base), ZX_CACHE_POLICY_CACHED);
  assert_status(ZX_ERR_INVALID_ARGS, vm_object_set_cache_policy(&vmo->base, 4));
  assert_ok(vm_object_paged_write(vmo, &byte, 0, 1));
  // Committed pages may leave CACHED...
  assert_ok(vm_object_set_cache_policy(&vmo->base, ZX_CACHE_POLICY_UNCACHED));
  assert_int_equal(vm_object_get_cache_policy(&vmo->base), ZX_CACHE_POLICY_UNCACHED);
  assert_status(ZX_ERR_BAD_STATE, vm_object_paged_read(vmo, &byte, 0, 1));
  assert_status(ZX_ERR_BAD_STATE, vm_object_paged_write(vmo, &byte, 0, 1));
  // ...but not change again while committed.
  assert_status(ZX_ERR_BAD_STATE, vm_object_set_cache_policy(&vmo->base, ZX_CACHE_POLICY_CACHED));
  assert_ok(vm_object_paged_decommit_range(vmo, 0, 2 * P));
  assert_ok(vm_object_set_cache_policy(&vmo->base, ZX_CACHE_POLICY_WRITE_COMBINING));
  assert_ok(vm_object_set_cache_policy(&vmo->base, ZX_CACHE_POLICY_CACHED));
  // A mapped VMO refuses any change.
  struct vm_object_mapping_node node = {
      .object_offset = 0, .size = P, .range_change = noop_range_change};
  vm_object_lock(&vmo->base);
  vm_object_add_mapping_locked(&vmo->base, &node);
  vm_object_unlock(&vmo->base);
  assert_status(ZX_ERR_BAD_STATE, vm_object_set_cache_policy(&vmo->base, ZX_CACHE_POLICY_UNCACHED));
  vm_object_lock(&vmo->base);
  vm_object_remove_mapping_locked(&vmo->base, &node);
  vm_object_unlock(&vmo->base);
  assert_ok(vm_object_set_cache_policy(&vmo->base, ZX_CACHE_POLICY_UNCACHED));
  vm_object_paged_release(vmo);
}

// ---- attribution and counters ----

static void vmo_attribution_counts(void** state) {
  (void)state;
  struct vm_object_paged* vmo = make_vmo(0, 8 * P);
  struct vm_attribution_counts zero = {0};
  struct vm_attribution_counts a = vm_object_get_attributed_memory(&vmo->base);
  assert_true(vm_attribution_counts_equal(&a, &zero));
  assert_ok(vm_object_paged_commit_range(vmo, P, 5 * P));  // pages 1..5
  a = vm_object_get_attributed_memory(&vmo->base);
  assert_int_equal(a.uncompressed_bytes, 5 * P);
  assert_int_equal(a.private_uncompressed_bytes, 5 * P);
  assert_int_equal(a.scaled_uncompressed_bytes.integral, 5 * P);
  assert_int_equal(a.scaled_uncompressed_bytes.fraction, 0);
  assert_int_equal(a.compressed_bytes, 0);
  assert_int_equal(vm_attribution_counts_total_bytes(&a), 5 * P);
  assert_int_equal(vm_attribution_counts_total_private_bytes(&a), 5 * P);
  assert_int_equal(vm_attribution_counts_total_scaled_bytes(&a).integral, 5 * P);
  // Ranges count the pages they touch, clipped to the VMO.
  a = vm_object_get_attributed_memory_in_range(&vmo->base, P - 1, 2);
  assert_int_equal(a.uncompressed_bytes, P);
  a = vm_object_get_attributed_memory_in_range(&vmo->base, 0, P);
  assert_int_equal(a.uncompressed_bytes, 0);
  a = vm_object_get_attributed_memory_in_range(&vmo->base, 5 * P, UINT64_MAX);
  assert_int_equal(a.uncompressed_bytes, P);
  a = vm_object_get_attributed_memory_in_range(&vmo->base, 8 * P, P);
  assert_int_equal(a.uncompressed_bytes, 0);
  // Sums and fractional carries.
  struct vm_attribution_counts sum = a;
  struct vm_attribution_counts half = {.scaled_uncompressed_bytes = {1, FRACTIONAL_BYTES_ONE / 2}};
  vm_attribution_counts_add(&sum, &half);
  vm_attribution_counts_add(&sum, &half);
  assert_int_equal(sum.scaled_uncompressed_bytes.integral, 3);
  assert_int_equal(sum.scaled_uncompressed_bytes.fraction, 0);
  assert_false(vm_attribution_counts_equal(&sum, &zero));
  vm_object_paged_release(vmo);
}

static void vmo_stats_counters(void** state) {
  (void)state;
  struct vm_object_paged* vmo = make_vmo(0, 32 * P);
  struct vm_object_paged_stats st;
  vm_object_paged_get_stats(vmo, &st);
  assert_int_equal(st.committed_change_events, 0);
  assert_ok(vm_object_paged_commit_range(vmo, 0, 20 * P));
  vm_object_paged_get_stats(vmo, &st);
  assert_int_equal(st.committed_bytes, 20 * P);
  assert_int_equal(st.metadata_bytes, 2 * sizeof(struct vm_page_list_node));
  assert_int_equal(st.committed_change_events, 1);
  assert_ok(vm_object_paged_commit_range(vmo, 0, 20 * P));  // nothing new
  uint8_t buf[16];
  assert_ok(vm_object_paged_read(vmo, buf, 100, sizeof(buf)));
  vm_object_paged_get_stats(vmo, &st);
  assert_int_equal(st.committed_change_events, 1);
  assert_ok(vm_object_paged_decommit_range(vmo, 16 * P, 16 * P));
  vm_object_paged_get_stats(vmo, &st);
  assert_int_equal(st.committed_bytes, 16 * P);
  assert_int_equal(st.metadata_bytes, sizeof(struct vm_page_list_node));
  assert_int_equal(st.committed_change_events, 2);
  vm_object_paged_release(vmo);
}

static void vmo_destroy_returns_every_page(void** state) {
  (void)state;
  struct pmm_counts before, after;
  pmm_get_counts(&before);
  struct vm_object_paged* vmo = make_vmo(0, 100 * P);
  assert_ok(vm_object_paged_commit_range(vmo, 0, 100 * P));
  struct vm_object_paged* ref = vmo;
  vm_object_paged_acquire(ref);
  vm_object_paged_release(vmo);  // one reference left
  struct pmm_counts mid;
  pmm_get_counts(&mid);
  assert_int_equal(mid.by_state[VM_PAGE_STATE_OBJECT], before.by_state[VM_PAGE_STATE_OBJECT] + 100);
  vm_object_paged_release(ref);
  pmm_get_counts(&after);
  assert_int_equal(after.free_pages, before.free_pages);
  assert_int_equal(after.by_state[VM_PAGE_STATE_OBJECT], before.by_state[VM_PAGE_STATE_OBJECT]);
}

// ---- range-change calls made before pages go ----

struct recorder {
  struct vm_object_mapping_node node;
  struct vm_object_paged* vmo;
  uint32_t calls;
  uint32_t last_op;
  uint64_t last_offset, last_len;
  uint64_t present_at_call;  // pages of the mapped window still committed during the call
};

static void record_range_change(struct vm_object_mapping_node* n, uint32_t op, uint64_t offset,
                                uint64_t len) {
  struct recorder* r = containerof(n, struct recorder, node);
  r->calls++;
  r->last_op = op;
  r->last_offset = offset;
  r->last_len = len;
  r->present_at_call = 0;
  vm_object_assert_held(&r->vmo->base);  // the callback runs under the VMO lock
  for (uint64_t o = n->object_offset; o < n->object_offset + n->size; o += P) {
    // The callback runs under the VMO lock.
    if (vm_object_paged_maybe_page_locked(r->vmo, o)) r->present_at_call++;
  }
}

static void vmo_range_change_before_pages_freed(void** state) {
  (void)state;
  struct vm_object_paged* vmo = make_vmo(VM_OBJECT_PAGED_RESIZABLE, 16 * P);
  struct recorder r = {
      .node = {.object_offset = 4 * P, .size = 4 * P, .range_change = record_range_change},
      .vmo = vmo};
  vm_object_lock(&vmo->base);
  vm_object_add_mapping_locked(&vmo->base, &r.node);
  vm_object_unlock(&vmo->base);
  // Writing where the mapping may show the zero page: UNMAP_ZERO_PAGE before the page appears.
  uint8_t byte = 1;
  assert_ok(vm_object_paged_write(vmo, &byte, 5 * P, 1));
  assert_int_equal(r.calls, 1);
  assert_int_equal(r.last_op, RANGE_CHANGE_OP_UNMAP_ZERO_PAGE);
  assert_int_equal(r.present_at_call, 0);
  // Committing outside the mapping: no call.
  assert_ok(vm_object_paged_commit_range(vmo, 0, 4 * P));
  assert_int_equal(r.calls, 1);
  assert_ok(vm_object_paged_commit_range(vmo, 0, 16 * P));
  assert_int_equal(r.calls, 2);
  // Decommit: UNMAP while the pages still exist.
  assert_ok(vm_object_paged_decommit_range(vmo, 6 * P, 4 * P));
  assert_int_equal(r.calls, 3);
  assert_int_equal(r.last_op, RANGE_CHANGE_OP_UNMAP);
  assert_int_equal(r.last_offset, 6 * P);
  assert_int_equal(r.last_len, 4 * P);
  assert_int_equal(r.present_at_call, 4);
  // Zero of whole pages: UNMAP of the whole pages only; a partial zero needs no unmap.
  assert_ok(vm_object_paged_zero_range(vmo, 4 * P + 1, 10));
  assert_int_equal(r.calls, 3);
  assert_ok(vm_object_paged_zero_range(vmo, 3 * P + 5, 2 * P));
  assert_int_equal(r.calls, 4);
  assert_int_equal(r.last_offset, 4 * P);
  assert_int_equal(r.last_len, P);
  assert_int_equal(r.present_at_call, 2);
  // Shrink: UNMAP of everything beyond the new size, before the pages go.
  assert_ok(vm_object_paged_set_size(vmo, 5 * P));
  assert_int_equal(r.calls, 5);
  assert_int_equal(r.last_offset, 5 * P);
  assert_int_equal(r.last_len, 11 * P);
  assert_int_equal(r.present_at_call, 1);
  vm_object_lock(&vmo->base);
  assert_int_equal(vm_object_mapping_count_locked(&vmo->base), 1);
  vm_object_remove_mapping_locked(&vmo->base, &r.node);
  vm_object_unlock(&vmo->base);
  vm_object_paged_release(vmo);
}

// ---- page list directly ----

static bool count_cb(struct vm_page* page, uint64_t offset, void* ctx) {
  uint64_t* seen = ctx;
  assert_int_equal(page->object_page_index * P, offset);
  (*seen)++;
  return *seen < 3;  // stops after three
}

static void vmo_page_list_insert_lookup_remove(void** state) {
  (void)state;
  struct vm_page_list list;
  int owner;
  vm_page_list_init(&list, &owner);
  const uint64_t offsets[] = {0, 15 * P, 16 * P, 1000 * P, (UINT64_MAX - 64 * P + 1) - P};
  struct vm_page* pages[countof(offsets)];
  for (size_t i = 0; i < countof(offsets); i++) {
    assert_ok(pmm_alloc_page(0, &pages[i], NULL));
    pmm_page_set_state(pages[i], VM_PAGE_STATE_OBJECT);
    pages[i]->owner = &owner;
    pages[i]->object_page_index = offsets[i] / P;
    assert_ok(vm_page_list_insert(&list, offsets[i], pages[i]));
  }
  vm_page_list_check(&list, VM_OBJECT_PAGED_MAX_SIZE);
  assert_int_equal(vm_page_list_count(&list), countof(offsets));
  assert_int_equal(vm_page_list_node_count(&list), 4);
  for (size_t i = 0; i < countof(offsets); i++) {
    assert_ptr_equal(vm_page_list_lookup(&list, offsets[i]), pages[i]);
  }
  assert_null(vm_page_list_lookup(&list, P));
  uint64_t at = 0;
  assert_ptr_equal(vm_page_list_next_page(&list, P, &at), pages[1]);
  assert_int_equal(at, 15 * P);
  assert_ptr_equal(vm_page_list_next_page(&list, 17 * P, &at), pages[3]);
  assert_null(vm_page_list_next_page(&list, offsets[4] + P, &at));
  uint64_t seen = 0;
  vm_page_list_for_every_page_in_range(&list, 0, UINT64_MAX & ~PAGE_MASK, count_cb, &seen);
  assert_int_equal(seen, 3);
  uint64_t n, nodes;
  vm_page_list_count_range(&list, 15 * P, 17 * P, &n, &nodes);
  assert_int_equal(n, 2);
  assert_int_equal(nodes, 2);
  assert_int_equal(vm_page_list_nodes_needed(&list, 0, 48 * P), 1);
  // Allocation failure of a node leaves the list unchanged.
  struct vm_page* extra;
  assert_ok(pmm_alloc_page(0, &extra, NULL));
  alloc_fail_arm(1);
  assert_status(ZX_ERR_NO_MEMORY, vm_page_list_insert(&list, 500 * P, extra));
  assert_int_equal(vm_page_list_count(&list), countof(offsets));
  assert_null(vm_page_list_lookup(&list, 500 * P));
  pmm_free_page(extra);
  assert_ptr_equal(vm_page_list_remove(&list, 15 * P), pages[1]);
  assert_null(vm_page_list_remove(&list, 15 * P));
  assert_int_equal(vm_page_list_node_count(&list), 4);
  assert_ptr_equal(vm_page_list_remove(&list, 0), pages[0]);
  assert_int_equal(vm_page_list_node_count(&list), 3);  // emptied node freed
  pmm_free_page(pages[0]);
  pmm_free_page(pages[1]);
  struct page_list out;
  page_list_init(&out);
  assert_int_equal(vm_page_list_remove_range(&list, 0, VM_OBJECT_PAGED_MAX_SIZE, &out), 3);
  assert_int_equal(vm_page_list_node_count(&list), 0);
  pmm_free_pages(&out);
  vm_page_list_destroy(&list);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(vmo_create_boundaries, setup, teardown),
      cmocka_unit_test_setup_teardown(vmo_read_write_boundaries, setup, teardown),
      cmocka_unit_test_setup_teardown(vmo_commit_boundaries, setup, teardown),
      cmocka_unit_test_setup_teardown(vmo_commit_zeroes_pages, setup, teardown),
      cmocka_unit_test_setup_teardown(vmo_decommit_boundaries, setup, teardown),
      cmocka_unit_test_setup_teardown(vmo_zero_boundaries, setup, teardown),
      cmocka_unit_test_setup_teardown(vmo_set_size_boundaries, setup, teardown),
      cmocka_unit_test_setup_teardown(vmo_set_size_shrink_zeroes_tail, setup, teardown),
      cmocka_unit_test_setup_teardown(vmo_sparse_pages_cost_one_node_each, setup, teardown),
      cmocka_unit_test_setup_teardown(vmo_lookup_page_read_gives_zero_page, setup, teardown),
      cmocka_unit_test_setup_teardown(vmo_lookup_page_write_commits, setup, teardown),
      cmocka_unit_test_setup_teardown(vmo_name_truncated_and_terminated, setup, teardown),
      cmocka_unit_test_setup_teardown(vmo_content_size, setup, teardown),
      cmocka_unit_test_setup_teardown(vmo_cache_policy_rules, setup, teardown),
      cmocka_unit_test_setup_teardown(vmo_attribution_counts, setup, teardown),
      cmocka_unit_test_setup_teardown(vmo_stats_counters, setup, teardown),
      cmocka_unit_test_setup_teardown(vmo_destroy_returns_every_page, setup, teardown),
      cmocka_unit_test_setup_teardown(vmo_range_change_before_pages_freed, setup, teardown),
      cmocka_unit_test_setup_teardown(vmo_page_list_insert_lookup_remove, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
