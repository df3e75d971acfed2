// VMO children through the zx_ API, black box: snapshots (isolation, resizing, mapped parents),
// slices (windows, rights, size rules), references (shared size), NO_WRITE immutability, the
// ZX_VMO_ZERO_CHILDREN signal, ZX_INFO_VMO fields of children, the rights of every child type,
// every documented error of zx_vmo_create_child in Fuchsia's order, decommit rules, and
// zx_process_write_memory into a read-only mapping (the write lands in a private copy).
// The behaviours are those Fuchsia's core VMO clone, slice and reference tests check, restated.
#include <pthread.h>

#include "zx_test_util.h"

// ---- helpers ----------------------------------------------------------------------------------

static zx_handle_t make_child(zx_handle_t parent, uint32_t options, uint64_t offset,
                              uint64_t size) {
  zx_handle_t child = ZX_HANDLE_INVALID;
  assert_ok(zx_vmo_create_child(parent, options, offset, size, &child));
  return child;
}

static zx_koid_t koid_of(zx_handle_t h) {
  zx_info_handle_basic_t info;
  assert_ok(zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL));
  return info.koid;
}

static bool has_zero_children(zx_handle_t vmo) {
  zx_signals_t observed = 0;
  zx_status_t status = zx_object_wait_one(vmo, ZX_VMO_ZERO_CHILDREN, 0, &observed);
  assert_true(status == ZX_OK || status == ZX_ERR_TIMED_OUT);
  assert_int_equal(status == ZX_OK, (observed & ZX_VMO_ZERO_CHILDREN) != 0);
  return status == ZX_OK;
}

// ---- snapshots --------------------------------------------------------------------------------

// Every page of a snapshot keeps the value it had at creation, whichever side writes later.
static void snapshot_isolation_every_page(void** state) {
  enum { kPages = 4 };
  zx_handle_t parent = make_vmo(kPages * PAGE, 0);
  for (uint32_t i = 0; i < kPages; i++) write_u32(parent, i * PAGE, 100 + i);
  zx_handle_t child = make_child(parent, ZX_VMO_CHILD_SNAPSHOT, 0, kPages * PAGE);
  for (uint32_t i = 0; i < kPages; i++) {
    assert_int_equal(100 + i, read_u32(child, i * PAGE));
    // Even pages: the parent writes; odd pages: the child writes.
    if (i % 2 == 0) {
      write_u32(parent, i * PAGE, 200 + i);
    } else {
      write_u32(child, i * PAGE, 300 + i);
    }
  }
  for (uint32_t i = 0; i < kPages; i++) {
    assert_int_equal(i % 2 == 0 ? 200 + i : 100 + i, read_u32(parent, i * PAGE));
    assert_int_equal(i % 2 == 0 ? 100 + i : 300 + i, read_u32(child, i * PAGE));
  }
  // Closing the parent leaves the child's view intact.
  assert_ok(zx_handle_close(parent));
  for (uint32_t i = 0; i < kPages; i++) {
    assert_int_equal(i % 2 == 0 ? 100 + i : 300 + i, read_u32(child, i * PAGE));
  }
  assert_ok(zx_handle_close(child));
}

// A snapshot may start inside and extend past its parent; the part past the parent reads zero.
// Its size is rounded up and its content size is the exact size asked for.
static void snapshot_window_and_sizes(void** state) {
  zx_handle_t parent = make_vmo(2 * PAGE, 0);
  write_u32(parent, PAGE, 7);
  zx_handle_t child = make_child(parent, ZX_VMO_CHILD_SNAPSHOT, PAGE, 2 * PAGE + 3);
  assert_int_equal(3 * PAGE, vmo_size(child));
  uint64_t content = 0;
  assert_ok(zx_object_get_property(child, ZX_PROP_VMO_CONTENT_SIZE, &content, sizeof(content)));
  assert_int_equal(2 * PAGE + 3, content);
  assert_int_equal(7, read_u32(child, 0));
  assert_int_equal(0, read_u32(child, PAGE));
  assert_int_equal(0, read_u32(child, 2 * PAGE));
  write_u32(child, 2 * PAGE, 9);  // past the parent: a fresh page of the child's own
  assert_int_equal(9, read_u32(child, 2 * PAGE));
  // Entirely beyond the parent: all zeros.
  zx_handle_t far = make_child(parent, ZX_VMO_CHILD_SNAPSHOT, 8 * PAGE, PAGE);
  assert_int_equal(0, read_u32(far, 0));
  // A snapshot of a snapshot sees the middle generation's state at its creation.
  zx_handle_t grandchild = make_child(child, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE);
  write_u32(child, 0, 8);
  assert_int_equal(7, read_u32(grandchild, 0));
  assert_int_equal(8, read_u32(child, 0));
  assert_int_equal(7, read_u32(parent, PAGE));
  zx_handle_t list[] = {parent, child, far, grandchild};
  assert_ok(zx_handle_close_many(list, 4));
}

// Resizable snapshots resize alone; others answer UNAVAILABLE, as a non-resizable VMO does.
static void snapshot_resize_rules(void** state) {
  zx_handle_t parent = make_vmo(2 * PAGE, 0);
  write_u32(parent, PAGE, 5);
  zx_handle_t fixed = make_child(parent, ZX_VMO_CHILD_SNAPSHOT, 0, 2 * PAGE);
  assert_status(ZX_ERR_UNAVAILABLE, zx_vmo_set_size(fixed, PAGE));
  zx_handle_t grow =
      make_child(parent, ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_RESIZABLE, 0, 2 * PAGE);
  assert_ok(zx_vmo_set_size(grow, PAGE));
  assert_ok(zx_vmo_set_size(grow, 3 * PAGE + 1));
  assert_int_equal(4 * PAGE, vmo_size(grow));
  // Regrowing shows zeros, never the parent's old data.
  assert_int_equal(0, read_u32(grow, PAGE));
  assert_int_equal(2 * PAGE, vmo_size(parent));
  assert_int_equal(5, read_u32(parent, PAGE));
  assert_int_equal(ZX_INFO_VMO_RESIZABLE, vmo_info(grow).flags & ZX_INFO_VMO_RESIZABLE);
  assert_int_equal(0, vmo_info(fixed).flags & ZX_INFO_VMO_RESIZABLE);
  // A snapshot of a resizable parent is not resizable unless asked.
  zx_handle_t rp = make_vmo(PAGE, ZX_VMO_RESIZABLE);
  zx_handle_t rc = make_child(rp, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE);
  assert_int_equal(0, handle_rights(rc) & ZX_RIGHT_RESIZE);
  assert_status(ZX_ERR_UNAVAILABLE, zx_vmo_set_size(rc, 2 * PAGE));
  zx_handle_t list[] = {parent, fixed, grow, rp, rc};
  assert_ok(zx_handle_close_many(list, 5));
}

// Writes through a writable mapping of the parent after a snapshot must not leak into the child
// (the snapshot write-protects the parent's mappings).
static void snapshot_of_mapped_parent(void** state) {
  zx_handle_t parent = make_vmo(2 * PAGE, 0);
  zx_vaddr_t addr;
  assert_ok(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, parent, 0,
                        2 * PAGE, &addr));
  zx_handle_t self = zx_process_self();
  uint32_t v = 11;
  assert_ok(zxvm_user_write(self, addr, &v, sizeof(v)));
  zx_handle_t child = make_child(parent, ZX_VMO_CHILD_SNAPSHOT, 0, 2 * PAGE);
  v = 22;
  assert_ok(zxvm_user_write(self, addr, &v, sizeof(v)));
  assert_ok(zxvm_user_write(self, addr + PAGE, &v, sizeof(v)));
  assert_int_equal(11, read_u32(child, 0));
  assert_int_equal(0, read_u32(child, PAGE));
  assert_int_equal(22, read_u32(parent, 0));
  // And the child's writes never show through the parent's mapping.
  write_u32(child, 0, 33);
  assert_ok(zxvm_user_read(self, addr, &v, sizeof(v)));
  assert_int_equal(22, v);
  assert_ok(zxvm_check(self));
  assert_ok(zx_vmar_unmap(zx_vmar_root_self(), addr, 2 * PAGE));
  zx_handle_t list[] = {parent, child};
  assert_ok(zx_handle_close_many(list, 2));
}

// ---- slices -----------------------------------------------------------------------------------

static void slice_window_writes_through(void** state) {
  zx_handle_t parent = make_vmo(4 * PAGE, 0);
  write_u32(parent, 0, 42);
  write_u32(parent, PAGE, 42);
  zx_handle_t slice = make_child(parent, ZX_VMO_CHILD_SLICE, PAGE, 2 * PAGE);
  assert_int_equal(2 * PAGE, vmo_size(slice));
  assert_int_equal(42, read_u32(slice, 0));
  write_u32(slice, 0, 84);
  write_u32(slice, PAGE, 84);
  assert_int_equal(42, read_u32(parent, 0));
  assert_int_equal(84, read_u32(parent, PAGE));
  assert_int_equal(84, read_u32(parent, 2 * PAGE));
  assert_int_equal(0, read_u32(parent, 3 * PAGE));
  // The window ends at the slice's size.
  uint32_t v;
  assert_status(ZX_ERR_OUT_OF_RANGE, zx_vmo_read(slice, &v, 2 * PAGE, 1));
  // A nested slice sees and writes the same pages.
  zx_handle_t nested = make_child(slice, ZX_VMO_CHILD_SLICE, PAGE, PAGE);
  write_u32(nested, 4, 5);
  assert_int_equal(5, read_u32(parent, 2 * PAGE + 4));
  // A slice smaller than a page rounds up and sees the whole page.
  write_u32(parent, PAGE - 64, 9);
  zx_handle_t small = make_child(parent, ZX_VMO_CHILD_SLICE, 0, 42);
  assert_int_equal(PAGE, vmo_size(small));
  assert_int_equal(9, read_u32(small, PAGE - 64));
  // Zero-sized slices exist but hold nothing.
  zx_handle_t empty = make_child(parent, ZX_VMO_CHILD_SLICE, 4 * PAGE, 0);
  assert_status(ZX_ERR_OUT_OF_RANGE, zx_vmo_read(empty, &v, 0, 1));
  assert_status(ZX_ERR_OUT_OF_RANGE, zx_vmo_write(empty, &v, 0, 1));
  // Decommitting through the slice frees the parent's pages, and the other way round.
  assert_ok(zx_vmo_op_range(slice, ZX_VMO_OP_DECOMMIT, 0, PAGE, NULL, 0));
  assert_int_equal(0, read_u32(parent, PAGE));
  assert_ok(zx_vmo_op_range(parent, ZX_VMO_OP_DECOMMIT, 2 * PAGE, PAGE, NULL, 0));
  assert_int_equal(0, read_u32(slice, PAGE));
  // Slices cannot resize and are not copy-on-write clones; their pages are the parent's.
  assert_status(ZX_ERR_UNAVAILABLE, zx_vmo_set_size(slice, PAGE));
  zx_info_vmo_t info = vmo_info(slice);
  assert_int_equal(0, info.flags & ZX_INFO_VMO_IS_COW_CLONE);
  assert_int_equal(0, info.populated_bytes);
  assert_int_equal(0, info.committed_bytes);
  assert_true(vmo_info(parent).populated_bytes >= PAGE);
  zx_handle_t list[] = {parent, slice, nested, small, empty};
  assert_ok(zx_handle_close_many(list, 5));
}

static void slice_size_rules(void** state) {
  zx_handle_t parent = make_vmo(2 * PAGE, 0);
  zx_handle_t c;
  const uint64_t nearly_max = UINT64_MAX - PAGE + 1;
  // Not wholly inside the parent: INVALID_ARGS (also when offset + size wraps).
  assert_status(ZX_ERR_INVALID_ARGS,
                zx_vmo_create_child(parent, ZX_VMO_CHILD_SLICE, 0, 3 * PAGE, &c));
  assert_status(ZX_ERR_INVALID_ARGS,
                zx_vmo_create_child(parent, ZX_VMO_CHILD_SLICE, PAGE, 2 * PAGE, &c));
  assert_status(ZX_ERR_INVALID_ARGS,
                zx_vmo_create_child(parent, ZX_VMO_CHILD_SLICE, 2 * PAGE, PAGE, &c));
  assert_status(ZX_ERR_INVALID_ARGS,
                zx_vmo_create_child(parent, ZX_VMO_CHILD_SLICE, nearly_max, PAGE, &c));
  // A size that cannot be rounded: OUT_OF_RANGE, whatever the offset.
  assert_status(ZX_ERR_OUT_OF_RANGE,
                zx_vmo_create_child(parent, ZX_VMO_CHILD_SLICE, 0, UINT64_MAX, &c));
  assert_status(ZX_ERR_OUT_OF_RANGE,
                zx_vmo_create_child(parent, ZX_VMO_CHILD_SLICE, 0, nearly_max, &c));
  assert_status(ZX_ERR_OUT_OF_RANGE,
                zx_vmo_create_child(parent, ZX_VMO_CHILD_SLICE, nearly_max, nearly_max, &c));
  // Unaligned offset; RESIZABLE or another option with SLICE.
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmo_create_child(parent, ZX_VMO_CHILD_SLICE, 1, PAGE, &c));
  assert_status(
      ZX_ERR_INVALID_ARGS,
      zx_vmo_create_child(parent, ZX_VMO_CHILD_SLICE | ZX_VMO_CHILD_RESIZABLE, 0, PAGE, &c));
  // A resizable parent: the range check still comes first, then NOT_SUPPORTED.
  zx_handle_t rp = make_vmo(2 * PAGE, ZX_VMO_RESIZABLE);
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmo_create_child(rp, ZX_VMO_CHILD_SLICE, 0, 3 * PAGE, &c));
  assert_status(ZX_ERR_NOT_SUPPORTED, zx_vmo_create_child(rp, ZX_VMO_CHILD_SLICE, 0, PAGE, &c));
  assert_status(ZX_ERR_INVALID_ARGS,
                zx_vmo_create_child(rp, ZX_VMO_CHILD_SLICE | ZX_VMO_CHILD_RESIZABLE, 0, PAGE, &c));
  // Through a slice: no full snapshot, no reference.
  zx_handle_t slice = make_child(parent, ZX_VMO_CHILD_SLICE, 0, PAGE);
  assert_status(ZX_ERR_NOT_SUPPORTED,
                zx_vmo_create_child(slice, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE, &c));
  assert_status(ZX_ERR_NOT_SUPPORTED, zx_vmo_create_child(slice, ZX_VMO_CHILD_REFERENCE, 0, 0, &c));
  // A long chain of slices is fine and tears down.
  zx_handle_t chain = make_child(parent, ZX_VMO_CHILD_SLICE, 0, PAGE);
  for (int i = 0; i < 200; i++) {
    zx_handle_t next = make_child(chain, ZX_VMO_CHILD_SLICE, 0, PAGE);
    assert_ok(zx_handle_close(chain));
    chain = next;
  }
  write_u32(chain, 0, 77);
  assert_int_equal(77, read_u32(parent, 0));
  zx_handle_t list[] = {parent, rp, slice, chain};
  assert_ok(zx_handle_close_many(list, 4));
}

// ---- references -------------------------------------------------------------------------------

static void reference_shares_pages_and_size(void** state) {
  zx_handle_t parent = make_vmo(PAGE, ZX_VMO_RESIZABLE);
  write_u32(parent, 0, 1);
  zx_handle_t ref = make_child(parent, ZX_VMO_CHILD_REFERENCE | ZX_VMO_CHILD_RESIZABLE, 0, 0);
  assert_int_equal(PAGE, vmo_size(ref));
  assert_int_equal(1, read_u32(ref, 0));
  write_u32(ref, 0, 2);
  assert_int_equal(2, read_u32(parent, 0));
  // A resize through either is seen by both.
  assert_ok(zx_vmo_set_size(parent, 3 * PAGE));
  assert_int_equal(3 * PAGE, vmo_size(ref));
  write_u32(ref, 2 * PAGE, 3);
  assert_int_equal(3, read_u32(parent, 2 * PAGE));
  assert_ok(zx_vmo_set_size(ref, PAGE));
  assert_int_equal(PAGE, vmo_size(parent));
  assert_ok(zx_vmo_set_size(ref, 2 * PAGE));
  assert_int_equal(0, read_u32(parent, PAGE));
  // A reference made without RESIZABLE still shares a resizable VMO, but its handle cannot resize.
  zx_handle_t plain = make_child(parent, ZX_VMO_CHILD_REFERENCE, 0, 0);
  assert_int_equal(0, handle_rights(plain) & ZX_RIGHT_RESIZE);
  assert_status(ZX_ERR_ACCESS_DENIED, zx_vmo_set_size(plain, PAGE));
  assert_ok(zx_vmo_set_size(parent, 4 * PAGE));
  assert_int_equal(4 * PAGE, vmo_size(plain));
  // References are not copy-on-write clones and own no memory.
  zx_info_vmo_t info = vmo_info(ref);
  assert_int_equal(0, info.flags & ZX_INFO_VMO_IS_COW_CLONE);
  assert_int_equal(ZX_INFO_VMO_RESIZABLE, info.flags & ZX_INFO_VMO_RESIZABLE);
  assert_int_equal(0, info.populated_bytes);
  assert_int_equal(koid_of(parent), info.parent_koid);
  // Of a non-resizable VMO: no RESIZABLE reference; a plain one cannot resize (UNAVAILABLE).
  zx_handle_t fixed = make_vmo(PAGE, 0);
  zx_handle_t c;
  assert_status(
      ZX_ERR_NOT_SUPPORTED,
      zx_vmo_create_child(fixed, ZX_VMO_CHILD_REFERENCE | ZX_VMO_CHILD_RESIZABLE, 0, 0, &c));
  zx_handle_t fref = make_child(fixed, ZX_VMO_CHILD_REFERENCE, 0, 0);
  assert_status(ZX_ERR_UNAVAILABLE, zx_vmo_set_size(fref, 2 * PAGE));
  // A reference spans the whole parent: offset and size must be 0; no other option goes with it.
  assert_status(ZX_ERR_INVALID_ARGS,
                zx_vmo_create_child(fixed, ZX_VMO_CHILD_REFERENCE, PAGE, 0, &c));
  assert_status(ZX_ERR_INVALID_ARGS,
                zx_vmo_create_child(fixed, ZX_VMO_CHILD_REFERENCE, 0, PAGE, &c));
  assert_status(
      ZX_ERR_INVALID_ARGS,
      zx_vmo_create_child(fixed, ZX_VMO_CHILD_REFERENCE | ZX_VMO_CHILD_SNAPSHOT, 0, 0, &c));
  zx_handle_t list[] = {parent, ref, plain, fixed, fref};
  assert_ok(zx_handle_close_many(list, 5));
}

// ---- NO_WRITE ---------------------------------------------------------------------------------

static void no_write_children(void** state) {
  zx_handle_t parent = make_vmo(PAGE, 0);
  write_u32(parent, 0, 4);
  // SNAPSHOT | NO_WRITE: an immutable VMO.
  zx_handle_t frozen = make_child(parent, ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_NO_WRITE, 0, PAGE);
  assert_int_equal(0, handle_rights(frozen) & ZX_RIGHT_WRITE);
  assert_status(ZX_ERR_ACCESS_DENIED, zx_vmo_write(frozen, "x", 0, 1));
  assert_status(ZX_ERR_ACCESS_DENIED, zx_vmo_op_range(frozen, ZX_VMO_OP_COMMIT, 0, PAGE, NULL, 0));
  write_u32(parent, 0, 5);
  assert_int_equal(4, read_u32(frozen, 0));
  zx_info_vmo_t info = vmo_info(frozen);
  assert_int_equal(ZX_INFO_VMO_IMMUTABLE, info.flags & ZX_INFO_VMO_IMMUTABLE);
  assert_int_equal(ZX_INFO_VMO_IS_COW_CLONE, info.flags & ZX_INFO_VMO_IS_COW_CLONE);
  // Only the explicit SNAPSHOT type is reported immutable.
  const uint32_t others[] = {ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
                             ZX_VMO_CHILD_SNAPSHOT_MODIFIED, ZX_VMO_CHILD_SLICE};
  for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
    zx_handle_t c = make_child(parent, others[i] | ZX_VMO_CHILD_NO_WRITE, 0, PAGE);
    assert_int_equal(0, handle_rights(c) & ZX_RIGHT_WRITE);
    assert_int_equal(0, vmo_info(c).flags & ZX_INFO_VMO_IMMUTABLE);
    assert_ok(zx_handle_close(c));
  }
  zx_handle_t plain = make_child(parent, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE);
  assert_int_equal(0, vmo_info(plain).flags & ZX_INFO_VMO_IMMUTABLE);
  assert_int_equal(0, vmo_info(parent).flags & ZX_INFO_VMO_IMMUTABLE);
  // A read-only mapping of the immutable VMO works; a writable one is refused.
  zx_vaddr_t addr;
  assert_status(ZX_ERR_ACCESS_DENIED,
                zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, frozen, 0,
                            PAGE, &addr));
  assert_ok(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, frozen, 0, PAGE, &addr));
  uint32_t v = 0;
  assert_ok(zxvm_user_read(zx_process_self(), addr, &v, sizeof(v)));
  assert_int_equal(4, v);
  assert_ok(zx_vmar_unmap(zx_vmar_root_self(), addr, PAGE));
  zx_handle_t list[] = {parent, frozen, plain};
  assert_ok(zx_handle_close_many(list, 3));
}

// ---- rights -----------------------------------------------------------------------------------

struct rights_case {
  const char* what;
  zx_rights_t parent;  // rights of the parent handle (0: the default VMO rights)
  bool parent_exec;    // the parent handle also has EXECUTE (replace_as_executable)
  uint32_t options;
  uint64_t size;
  zx_rights_t expected;
};

#define BASE_RIGHTS (ZX_RIGHT_DUPLICATE | ZX_RIGHT_READ | ZX_RIGHT_MAP)
#define PROP_RIGHTS (ZX_RIGHT_GET_PROPERTY | ZX_RIGHT_SET_PROPERTY)

static const struct rights_case kRightsCases[] = {
    {"snapshot of default", 0, false, ZX_VMO_CHILD_SNAPSHOT, 1, ZX_DEFAULT_VMO_RIGHTS},
    {"snapshot gains WRITE", BASE_RIGHTS, false, ZX_VMO_CHILD_SNAPSHOT, 1,
     BASE_RIGHTS | PROP_RIGHTS | ZX_RIGHT_WRITE},
    {"at-least-on-write gains WRITE", BASE_RIGHTS, false, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
     1, BASE_RIGHTS | PROP_RIGHTS | ZX_RIGHT_WRITE},
    {"snapshot-modified gains WRITE", BASE_RIGHTS, false, ZX_VMO_CHILD_SNAPSHOT_MODIFIED, 1,
     BASE_RIGHTS | PROP_RIGHTS | ZX_RIGHT_WRITE},
    {"snapshot drops EXECUTE", 0, true, ZX_VMO_CHILD_SNAPSHOT, 1, ZX_DEFAULT_VMO_RIGHTS},
    {"snapshot NO_WRITE", 0, false, ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_NO_WRITE, 1,
     ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_WRITE},
    {"snapshot NO_WRITE keeps EXECUTE", 0, true, ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_NO_WRITE, 1,
     (ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_WRITE) | ZX_RIGHT_EXECUTE},
    {"snapshot RESIZABLE", 0, false, ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_RESIZABLE, 1,
     ZX_DEFAULT_VMO_RIGHTS | ZX_RIGHT_RESIZE},
    {"slice keeps EXECUTE", 0, true, ZX_VMO_CHILD_SLICE, 1,
     ZX_DEFAULT_VMO_RIGHTS | ZX_RIGHT_EXECUTE},
    {"slice never gains WRITE", BASE_RIGHTS, false, ZX_VMO_CHILD_SLICE, 1,
     BASE_RIGHTS | PROP_RIGHTS},
    {"slice NO_WRITE", 0, false, ZX_VMO_CHILD_SLICE | ZX_VMO_CHILD_NO_WRITE, 1,
     ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_WRITE},
    {"reference", 0, true, ZX_VMO_CHILD_REFERENCE, 0, ZX_DEFAULT_VMO_RIGHTS | ZX_RIGHT_EXECUTE},
    {"reference NO_WRITE", BASE_RIGHTS | ZX_RIGHT_WRITE, false,
     ZX_VMO_CHILD_REFERENCE | ZX_VMO_CHILD_NO_WRITE, 0, BASE_RIGHTS | PROP_RIGHTS},
};

static void child_rights_per_type(void** state) {
  for (size_t i = 0; i < sizeof(kRightsCases) / sizeof(kRightsCases[0]); i++) {
    const struct rights_case* t = &kRightsCases[i];
    zx_handle_t vmo = make_vmo(PAGE, 0);
    if (t->parent_exec) {
      zx_handle_t exec;
      assert_ok(zx_vmo_replace_as_executable(vmo, ZX_HANDLE_INVALID, &exec));
      vmo = exec;
    }
    zx_handle_t parent = vmo;
    if (t->parent != 0) parent = dup_with(vmo, t->parent | (t->parent_exec ? ZX_RIGHT_EXECUTE : 0));
    zx_handle_t child = make_child(parent, t->options, 0, t->size);
    zx_rights_t got = handle_rights(child);
    if (got != t->expected) {
      print_error("%s: rights %#x, expected %#x\n", t->what, got, t->expected);
      fail();
    }
    // The rights ZX_INFO_VMO reports are the handle's.
    assert_int_equal(got, vmo_info(child).handle_rights);
    assert_ok(zx_handle_close(child));
    if (parent != vmo) assert_ok(zx_handle_close(parent));
    assert_ok(zx_handle_close(vmo));
  }
  // A resizable parent's RESIZE is not inherited.
  zx_handle_t rp = make_vmo(PAGE, ZX_VMO_RESIZABLE);
  zx_handle_t c = make_child(rp, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE);
  assert_int_equal(ZX_DEFAULT_VMO_RIGHTS, handle_rights(c));
  zx_handle_t list[] = {rp, c};
  assert_ok(zx_handle_close_many(list, 2));
}

// The child takes the parent's name, but only for a caller whose handle could read it.
static void child_name(void** state) {
  zx_handle_t parent = make_vmo(PAGE, 0);
  assert_ok(zx_object_set_property(parent, ZX_PROP_NAME, "parent-name", 11));
  char name[ZX_MAX_NAME_LEN];
  zx_handle_t c = make_child(parent, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE);
  assert_ok(zx_object_get_property(c, ZX_PROP_NAME, name, sizeof(name)));
  assert_string_equal("parent-name", name);
  assert_string_equal("parent-name", vmo_info(c).name);
  zx_handle_t blind = dup_with(parent, ZX_RIGHT_DUPLICATE | ZX_RIGHT_READ);
  zx_handle_t c2 = make_child(blind, ZX_VMO_CHILD_SLICE, 0, PAGE);
  assert_ok(zx_object_get_property(c2, ZX_PROP_NAME, name, sizeof(name)));
  assert_string_equal("", name);
  // Renaming the child leaves the parent alone.
  assert_ok(zx_object_set_property(c, ZX_PROP_NAME, "child", 5));
  assert_ok(zx_object_get_property(parent, ZX_PROP_NAME, name, sizeof(name)));
  assert_string_equal("parent-name", name);
  zx_handle_t list[] = {parent, c, blind, c2};
  assert_ok(zx_handle_close_many(list, 4));
}

// ---- ZX_VMO_ZERO_CHILDREN ---------------------------------------------------------------------

static void zero_children_transitions(void** state) {
  const uint32_t types[] = {ZX_VMO_CHILD_SNAPSHOT, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
                            ZX_VMO_CHILD_SLICE, ZX_VMO_CHILD_REFERENCE};
  for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
    uint64_t size = types[i] == ZX_VMO_CHILD_REFERENCE ? 0 : PAGE;
    zx_handle_t parent = make_vmo(PAGE, 0);
    assert_true(has_zero_children(parent));
    zx_handle_t child = make_child(parent, types[i], 0, size);
    // Creation is synchronous: the signal is already gone.
    assert_false(has_zero_children(parent));
    assert_true(has_zero_children(child));
    // A grandchild keeps the grandparent's signal off after the child closes.
    zx_handle_t grandchild = make_child(child, types[i], 0, size);
    assert_false(has_zero_children(child));
    assert_ok(zx_handle_close(child));
    assert_false(has_zero_children(parent));
    assert_ok(zx_handle_close(grandchild));
    assert_true(has_zero_children(parent));
    // Two children: the signal returns only after both are gone.
    zx_handle_t a = make_child(parent, types[i], 0, size);
    zx_handle_t b = make_child(parent, types[i], 0, size);
    assert_ok(zx_handle_close(a));
    assert_false(has_zero_children(parent));
    assert_ok(zx_handle_close(b));
    assert_true(has_zero_children(parent));
    assert_ok(zx_handle_close(parent));
  }
}

// A child whose only reference is a mapping still counts.
static void zero_children_child_kept_by_mapping(void** state) {
  zx_handle_t parent = make_vmo(PAGE, 0);
  zx_handle_t child = make_child(parent, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE);
  zx_vaddr_t addr;
  assert_ok(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, child, 0, PAGE, &addr));
  assert_ok(zx_handle_close(child));
  assert_false(has_zero_children(parent));
  zx_info_vmo_t info = vmo_info(parent);
  assert_int_equal(1, info.num_children);
  assert_ok(zx_vmar_unmap(zx_vmar_root_self(), addr, PAGE));
  assert_true(has_zero_children(parent));
  assert_int_equal(0, vmo_info(parent).num_children);
  assert_ok(zx_handle_close(parent));
}

struct waiter {
  zx_handle_t vmo;
  zx_status_t status;
  zx_signals_t observed;
};

static void* wait_zero_children(void* arg) {
  struct waiter* w = arg;
  w->status = zx_object_wait_one(w->vmo, ZX_VMO_ZERO_CHILDREN, ZX_TIME_INFINITE, &w->observed);
  return NULL;
}

// A thread blocked on ZX_VMO_ZERO_CHILDREN wakes when the last child goes.
static void zero_children_wakes_waiter(void** state) {
  zx_handle_t parent = make_vmo(PAGE, 0);
  zx_handle_t child = make_child(parent, ZX_VMO_CHILD_SLICE, 0, PAGE);
  struct waiter w = {.vmo = parent, .status = ZX_ERR_INTERNAL};
  pthread_t t;
  assert_int_equal(0, pthread_create(&t, NULL, wait_zero_children, &w));
  struct timespec pause = {0, 20 * 1000 * 1000};
  nanosleep(&pause, NULL);
  assert_ok(zx_handle_close(child));
  assert_int_equal(0, pthread_join(t, NULL));
  assert_ok(w.status);
  assert_true(w.observed & ZX_VMO_ZERO_CHILDREN);
  assert_ok(zx_handle_close(parent));
}

// ---- ZX_INFO_VMO ------------------------------------------------------------------------------

static void info_fields_of_children(void** state) {
  zx_handle_t parent = make_vmo(2 * PAGE, 0);
  write_u32(parent, 0, 1);
  write_u32(parent, PAGE, 2);
  zx_info_vmo_t info = vmo_info(parent);
  assert_int_equal(0, info.parent_koid);
  assert_int_equal(0, info.num_children);
  assert_int_equal(0, info.flags & ZX_INFO_VMO_IS_COW_CLONE);
  assert_int_equal(1, info.share_count);  // Fuchsia: 1 below two mappings
  assert_int_equal(2 * PAGE, info.populated_bytes);
  assert_int_equal(2 * PAGE, info.populated_private_bytes);

  zx_handle_t child = make_child(parent, ZX_VMO_CHILD_SNAPSHOT, 0, 2 * PAGE);
  zx_handle_t slice = make_child(parent, ZX_VMO_CHILD_SLICE, 0, PAGE);
  info = vmo_info(parent);
  assert_int_equal(2, info.num_children);
  info = vmo_info(child);
  assert_int_equal(koid_of(child), info.koid);
  assert_int_equal(koid_of(parent), info.parent_koid);
  assert_int_equal(0, info.num_children);
  assert_int_equal(ZX_INFO_VMO_IS_COW_CLONE, info.flags & ZX_INFO_VMO_IS_COW_CLONE);
  assert_int_equal(ZX_INFO_VMO_TYPE_PAGED, ZX_INFO_VMO_TYPE(info.flags));
  assert_int_equal(ZX_INFO_VMO_VIA_HANDLE, info.flags & ZX_INFO_VMO_VIA_HANDLE);
  assert_int_equal(2 * PAGE, info.size_bytes);
  // Both pages are shared: each side can reach them, owns none alone, and carries half of each.
  assert_int_equal(2 * PAGE, info.populated_bytes);
  assert_int_equal(0, info.populated_private_bytes);
  assert_int_equal(PAGE, info.populated_scaled_bytes);
  assert_int_equal(PAGE, vmo_info(parent).populated_scaled_bytes);
  assert_int_equal(koid_of(parent), vmo_info(slice).parent_koid);
  // The child writes one page: that copy is its own.
  write_u32(child, 0, 3);
  info = vmo_info(child);
  assert_int_equal(2 * PAGE, info.populated_bytes);
  assert_int_equal(PAGE, info.populated_private_bytes);
  assert_int_equal(PAGE + PAGE / 2, info.populated_scaled_bytes);
  // The older record versions are prefixes of the same data.
  zx_info_vmo_v1_t v1;
  assert_ok(zx_object_get_info(child, ZX_INFO_VMO_V1, &v1, sizeof(v1), NULL, NULL));
  assert_int_equal(koid_of(parent), v1.parent_koid);
  assert_int_equal(ZX_INFO_VMO_IS_COW_CLONE, v1.flags & ZX_INFO_VMO_IS_COW_CLONE);
  zx_info_vmo_v3_t v3;
  assert_ok(zx_object_get_info(child, ZX_INFO_VMO_V3, &v3, sizeof(v3), NULL, NULL));
  assert_int_equal(info.populated_bytes, v3.populated_bytes);
  assert_int_equal(info.num_children, v3.num_children);
  // The parent's koid outlives the parent.
  zx_koid_t parent_koid = koid_of(parent);
  assert_ok(zx_handle_close(parent));
  assert_int_equal(parent_koid, vmo_info(child).parent_koid);
  zx_handle_t list[] = {child, slice};
  assert_ok(zx_handle_close_many(list, 2));
}

static void info_share_count(void** state) {
  zx_handle_t vmo = make_vmo(PAGE, 0);
  assert_int_equal(1, vmo_info(vmo).share_count);
  zx_vaddr_t a, b;
  assert_ok(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, vmo, 0, PAGE, &a));
  assert_int_equal(1, vmo_info(vmo).share_count);
  assert_ok(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, vmo, 0, PAGE, &b));
  assert_int_equal(1, vmo_info(vmo).share_count);  // two mappings, one address space
  zx_handle_t proc, vmar;
  make_process(&proc, &vmar);
  zx_vaddr_t c;
  assert_ok(zx_vmar_map(vmar, ZX_VM_PERM_READ, 0, vmo, 0, PAGE, &c));
  zx_info_vmo_t info = vmo_info(vmo);
  assert_int_equal(3, info.num_mappings);
  assert_int_equal(2, info.share_count);
  assert_ok(zx_vmar_unmap(zx_vmar_root_self(), a, PAGE));
  assert_ok(zx_vmar_unmap(zx_vmar_root_self(), b, PAGE));
  zx_handle_t list[] = {vmo, proc, vmar};
  assert_ok(zx_handle_close_many(list, 3));
}

// ---- zx_vmo_create_child errors, in Fuchsia's order --------------------------------------------

static void create_child_errors_in_order(void** state) {
  zx_handle_t h = make_vmo(2 * PAGE, 0);
  zx_handle_t c;
  // 1. The size must round: checked before anything else, even the handle.
  assert_status(ZX_ERR_OUT_OF_RANGE,
                zx_vmo_create_child(ZX_HANDLE_INVALID, ZX_VMO_CHILD_SNAPSHOT, 0, UINT64_MAX, &c));
  assert_status(ZX_ERR_OUT_OF_RANGE, zx_vmo_create_child(ZX_HANDLE_INVALID, 0, 0, UINT64_MAX, &c));
  // 2. NO_WRITE | RESIZABLE, before the handle.
  assert_status(
      ZX_ERR_INVALID_ARGS,
      zx_vmo_create_child(ZX_HANDLE_INVALID,
                          ZX_VMO_CHILD_SLICE | ZX_VMO_CHILD_NO_WRITE | ZX_VMO_CHILD_RESIZABLE, 0,
                          PAGE, &c));
  // 3. The handle: BAD_HANDLE, WRONG_TYPE, then DUPLICATE and READ.
  assert_status(ZX_ERR_BAD_HANDLE, zx_vmo_create_child(ZX_HANDLE_INVALID, 0, 0, PAGE, &c));
  assert_status(ZX_ERR_WRONG_TYPE, zx_vmo_create_child(zx_vmar_root_self(), 0, 0, PAGE, &c));
  zx_handle_t nodup = dup_with(h, ZX_RIGHT_READ);
  zx_handle_t noread = dup_with(h, ZX_RIGHT_DUPLICATE);
  assert_status(ZX_ERR_ACCESS_DENIED, zx_vmo_create_child(nodup, 0, 0, PAGE, &c));
  assert_status(ZX_ERR_ACCESS_DENIED, zx_vmo_create_child(noread, 0, 0, PAGE, &c));
  // 4. A discardable VMO has no children of any kind, whatever the options.
  zx_handle_t disc = make_vmo(PAGE, ZX_VMO_DISCARDABLE);
  assert_status(ZX_ERR_NOT_SUPPORTED, zx_vmo_create_child(disc, 0, 0, PAGE, &c));
  assert_status(ZX_ERR_NOT_SUPPORTED, zx_vmo_create_child(disc, ZX_VMO_CHILD_SLICE, 0, PAGE, &c));
  // 5. Options: exactly one type, no unknown bit.
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmo_create_child(h, 0, 0, PAGE, &c));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmo_create_child(h, ZX_VMO_CHILD_RESIZABLE, 0, PAGE, &c));
  assert_status(ZX_ERR_INVALID_ARGS,
                zx_vmo_create_child(h, ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_SLICE, 0, PAGE, &c));
  assert_status(
      ZX_ERR_INVALID_ARGS,
      zx_vmo_create_child(h, ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, 0,
                          PAGE, &c));
  assert_status(ZX_ERR_INVALID_ARGS,
                zx_vmo_create_child(h, ZX_VMO_CHILD_SNAPSHOT | (1u << 1), 0, PAGE, &c));
  assert_status(ZX_ERR_INVALID_ARGS,
                zx_vmo_create_child(h, ZX_VMO_CHILD_SNAPSHOT | (1u << 30), 0, PAGE, &c));
  // 6. Offset alignment, then the range.
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmo_create_child(h, ZX_VMO_CHILD_SNAPSHOT, 1, PAGE, &c));
  assert_status(ZX_ERR_OUT_OF_RANGE,
                zx_vmo_create_child(h, ZX_VMO_CHILD_SNAPSHOT, UINT64_MAX - PAGE + 1, 2 * PAGE, &c));
  assert_status(ZX_ERR_OUT_OF_RANGE,
                zx_vmo_create_child(h, ZX_VMO_CHILD_SNAPSHOT, 0, UINT64_MAX - PAGE + 1, &c));
  // 7. The parent's state: not cached → BAD_STATE for every type.
  zx_handle_t uncached = make_vmo(PAGE, 0);
  assert_ok(zx_vmo_set_cache_policy(uncached, ZX_CACHE_POLICY_UNCACHED));
  assert_status(ZX_ERR_BAD_STATE,
                zx_vmo_create_child(uncached, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE, &c));
  assert_status(ZX_ERR_BAD_STATE, zx_vmo_create_child(uncached, ZX_VMO_CHILD_SLICE, 0, PAGE, &c));
  // 8. A bad out pointer, once everything else is fine; nothing was created.
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmo_create_child(h, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE, NULL));
  assert_true(has_zero_children(h));
  assert_int_equal(0, vmo_info(h).num_children);
  // Accumulated offsets that overflow through a chain: INVALID_ARGS, for creation and resizes.
  zx_handle_t empty = make_vmo(0, 0);
  zx_handle_t deep = make_child(empty, ZX_VMO_CHILD_SNAPSHOT, 0 - 8 * PAGE, 0);
  assert_status(ZX_ERR_INVALID_ARGS,
                zx_vmo_create_child(deep, ZX_VMO_CHILD_SNAPSHOT, 8 * PAGE, 0, &c));
  zx_handle_t deeper =
      make_child(deep, ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_RESIZABLE, 4 * PAGE, 0);
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmo_set_size(deeper, 8 * PAGE));
  zx_handle_t list[] = {h, nodup, noread, disc, uncached, empty, deep, deeper};
  assert_ok(zx_handle_close_many(list, 8));
}

// ---- decommit ---------------------------------------------------------------------------------

static void decommit_rules_with_children(void** state) {
  zx_handle_t parent = make_vmo(2 * PAGE, 0);
  write_u32(parent, 0, 1);
  zx_handle_t child = make_child(parent, ZX_VMO_CHILD_SNAPSHOT, 0, 2 * PAGE);
  write_u32(child, PAGE, 2);
  // Not on a copy-on-write clone, nor on a VMO while it has such children.
  assert_status(ZX_ERR_NOT_SUPPORTED, zx_vmo_op_range(child, ZX_VMO_OP_DECOMMIT, 0, PAGE, NULL, 0));
  assert_status(ZX_ERR_NOT_SUPPORTED,
                zx_vmo_op_range(parent, ZX_VMO_OP_DECOMMIT, 0, PAGE, NULL, 0));
  // Alignment is still checked first.
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmo_op_range(child, ZX_VMO_OP_DECOMMIT, 1, PAGE, NULL, 0));
  // ZERO works on both and keeps them apart.
  assert_ok(zx_vmo_op_range(child, ZX_VMO_OP_ZERO, 0, PAGE, NULL, 0));
  assert_int_equal(0, read_u32(child, 0));
  assert_int_equal(1, read_u32(parent, 0));
  // Once the child is gone the parent may decommit again.
  assert_ok(zx_handle_close(child));
  assert_ok(zx_vmo_op_range(parent, ZX_VMO_OP_DECOMMIT, 0, PAGE, NULL, 0));
  assert_int_equal(0, read_u32(parent, 0));
  // Slices do not stand in the way.
  write_u32(parent, 0, 1);
  zx_handle_t slice = make_child(parent, ZX_VMO_CHILD_SLICE, 0, PAGE);
  assert_ok(zx_vmo_op_range(parent, ZX_VMO_OP_DECOMMIT, 0, PAGE, NULL, 0));
  assert_int_equal(0, read_u32(slice, 0));
  zx_handle_t list[] = {parent, slice};
  assert_ok(zx_handle_close_many(list, 2));
}

// ---- zx_process_write_memory into a read-only mapping -----------------------------------------

static void write_memory_read_only_mapping_is_private(void** state) {
  zx_handle_t proc, vmar;
  make_process(&proc, &vmar);
  zx_handle_t vmo = make_vmo(2 * PAGE, 0);
  assert_ok(zx_vmo_write(vmo, "original", 0, 8));
  assert_ok(zx_vmo_write(vmo, "second", PAGE, 6));
  // Mapped read-only from a handle that could not write: a debugger poke must not reach the VMO.
  zx_handle_t ro = dup_with(vmo, ZX_RIGHT_READ | ZX_RIGHT_MAP | ZX_RIGHT_DUPLICATE);
  zx_vaddr_t addr;
  assert_ok(zx_vmar_map(vmar, ZX_VM_PERM_READ, 0, ro, 0, 2 * PAGE, &addr));
  size_t actual = 0;
  assert_ok(zx_process_write_memory(proc, addr + 2, "PATCH", 5, &actual));
  assert_int_equal(5, actual);
  char buf[16] = {0};
  // The process sees the patch...
  assert_ok(zx_process_read_memory(proc, addr, buf, 8, &actual));
  assert_memory_equal(buf, "orPATCHl", 8);
  assert_ok(zxvm_user_read(proc, addr, buf, 8));
  assert_memory_equal(buf, "orPATCHl", 8);
  // ...and the untouched page still shows the VMO's data; the VMO itself is unchanged.
  assert_ok(zxvm_user_read(proc, addr + PAGE, buf, 6));
  assert_memory_equal(buf, "second", 6);
  assert_ok(zx_vmo_read(vmo, buf, 0, 8));
  assert_memory_equal(buf, "original", 8);
  // The mapping stays read-only to the process itself.
  assert_status(ZX_ERR_ACCESS_DENIED, zxvm_user_write(proc, addr, "x", 1));
  // A second poke goes to the same private copy.
  assert_ok(zx_process_write_memory(proc, addr + PAGE, "S", 1, &actual));
  assert_ok(zx_process_read_memory(proc, addr, buf, 8, &actual));
  assert_memory_equal(buf, "orPATCHl", 8);
  assert_ok(zx_vmo_read(vmo, buf, PAGE, 6));
  assert_memory_equal(buf, "second", 6);
  assert_ok(zxvm_check(proc));
  zx_handle_t list[] = {vmo, ro, proc, vmar};
  assert_ok(zx_handle_close_many(list, 4));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(snapshot_isolation_every_page),
      cmocka_unit_test(snapshot_window_and_sizes),
      cmocka_unit_test(snapshot_resize_rules),
      cmocka_unit_test(snapshot_of_mapped_parent),
      cmocka_unit_test(slice_window_writes_through),
      cmocka_unit_test(slice_size_rules),
      cmocka_unit_test(reference_shares_pages_and_size),
      cmocka_unit_test(no_write_children),
      cmocka_unit_test(child_rights_per_type),
      cmocka_unit_test(child_name),
      cmocka_unit_test(zero_children_transitions),
      cmocka_unit_test(zero_children_child_kept_by_mapping),
      cmocka_unit_test(zero_children_wakes_waiter),
      cmocka_unit_test(info_fields_of_children),
      cmocka_unit_test(info_share_count),
      cmocka_unit_test(create_child_errors_in_order),
      cmocka_unit_test(decommit_rules_with_children),
      cmocka_unit_test(write_memory_read_only_mapping_is_private),
  };
  return cmocka_run_group_tests(tests, zx_test_init, NULL);
}
