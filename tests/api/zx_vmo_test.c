// VMO calls, black box: create, read/write boundaries, sizes, stream size, op_range (every op),
// create_child argument validation, cache policy, replace_as_executable, zero-children signal.
// Ported in spirit from Fuchsia's core vmo and zero tests.
#include "zx_test_util.h"

static void vmo_create_options_and_rights(void** state) {
  zx_handle_t h;
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmo_create(PAGE, 1u << 0, &h));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmo_create(PAGE, 1u << 7, &h));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmo_create(PAGE, ZX_VMO_UNBOUNDED | ZX_VMO_RESIZABLE, &h));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmo_create(PAGE, 0, NULL));
  assert_status(ZX_ERR_OUT_OF_RANGE, zx_vmo_create(UINT64_MAX, 0, &h));
  assert_status(ZX_ERR_OUT_OF_RANGE, zx_vmo_create(UINT64_MAX - PAGE + 2, 0, &h));
  // Fuchsia checks the size before unknown option bits; an unbounded VMO ignores the size.
  assert_status(ZX_ERR_OUT_OF_RANGE, zx_vmo_create(UINT64_MAX, 1u << 7, &h));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmo_create(UINT64_MAX, ZX_VMO_UNBOUNDED | 1u << 7, &h));
  assert_status(ZX_ERR_INVALID_ARGS,
                zx_vmo_create(UINT64_MAX, ZX_VMO_UNBOUNDED | ZX_VMO_RESIZABLE, &h));
  // The largest size is still accepted (nothing is committed).
  h = make_vmo(UINT64_MAX - 64 * PAGE + 1, 0);
  assert_ok(zx_handle_close(h));
  h = make_vmo(0, 0);
  uint64_t size = 1;
  assert_ok(zx_vmo_get_size(h, &size));
  assert_int_equal(0, size);
  assert_int_equal(ZX_DEFAULT_VMO_RIGHTS, handle_rights(h));
  assert_int_equal(0xD0EF, handle_rights(h));
  assert_ok(zx_handle_close(h));
  h = make_vmo(PAGE + 1, ZX_VMO_RESIZABLE);
  assert_int_equal(ZX_DEFAULT_VMO_RIGHTS | ZX_RIGHT_RESIZE, handle_rights(h));
  assert_ok(zx_vmo_get_size(h, &size));
  assert_int_equal(2 * PAGE, size);
  uint64_t content = 0;
  assert_ok(zx_object_get_property(h, ZX_PROP_VMO_CONTENT_SIZE, &content, sizeof(content)));
  assert_int_equal(PAGE + 1, content);
  assert_ok(zx_handle_close(h));
}

static void vmo_read_write_boundaries(void** state) {
  zx_handle_t h = make_vmo(2 * PAGE, 0);
  char buf[16];
  assert_ok(zx_vmo_write(h, "abcdef", PAGE - 3, 6));
  assert_ok(zx_vmo_read(h, buf, PAGE - 3, 6));
  assert_memory_equal(buf, "abcdef", 6);
  // Exactly up to the end is fine; one byte past is not.
  assert_ok(zx_vmo_read(h, buf, 2 * PAGE - 4, 4));
  assert_status(ZX_ERR_OUT_OF_RANGE, zx_vmo_read(h, buf, 2 * PAGE - 3, 4));
  assert_status(ZX_ERR_OUT_OF_RANGE, zx_vmo_write(h, buf, 2 * PAGE - 3, 4));
  // Zero bytes at the end: OK; one past: OUT_OF_RANGE.
  assert_ok(zx_vmo_read(h, buf, 2 * PAGE, 0));
  assert_status(ZX_ERR_OUT_OF_RANGE, zx_vmo_read(h, buf, 2 * PAGE + 1, 0));
  // The range is checked before the (tiny) buffer.
  assert_status(ZX_ERR_OUT_OF_RANGE, zx_vmo_read(h, buf, 0, SIZE_MAX - PAGE));
  assert_status(ZX_ERR_OUT_OF_RANGE, zx_vmo_write(h, buf, PAGE, UINT64_MAX));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmo_read(h, NULL, 0, 1));
  // Unwritten bytes read as zero.
  assert_ok(zx_vmo_read(h, buf, PAGE + 100, 8));
  for (int i = 0; i < 8; i++) assert_int_equal(0, buf[i]);
  // Rights are checked even for zero-length transfers.
  zx_handle_t ro = dup_with(h, ZX_RIGHT_READ);
  zx_handle_t wo = dup_with(h, ZX_RIGHT_WRITE);
  assert_status(ZX_ERR_ACCESS_DENIED, zx_vmo_write(ro, buf, 0, 0));
  assert_status(ZX_ERR_ACCESS_DENIED, zx_vmo_read(wo, buf, 0, 0));
  zx_handle_t list[] = {h, ro, wo};
  assert_ok(zx_handle_close_many(list, 3));
}

static void vmo_set_size_rules(void** state) {
  zx_handle_t fixed = make_vmo(PAGE, 0);
  assert_status(ZX_ERR_UNAVAILABLE, zx_vmo_set_size(fixed, 2 * PAGE));
  // Fuchsia rounds the size before asking the VMO: a size that cannot be rounded is out of range
  // on any VMO; one that rounds but exceeds the maximum is the VMO's to refuse.
  assert_status(ZX_ERR_OUT_OF_RANGE, zx_vmo_set_size(fixed, UINT64_MAX));
  assert_status(ZX_ERR_OUT_OF_RANGE, zx_vmo_set_size(fixed, UINT64_MAX - PAGE + 2));
  assert_status(ZX_ERR_UNAVAILABLE, zx_vmo_set_size(fixed, UINT64_MAX - PAGE + 1));
  zx_handle_t h = make_vmo(PAGE, ZX_VMO_RESIZABLE);
  assert_ok(zx_vmo_write(h, "xyz", 0, 3));
  assert_ok(zx_vmo_set_size(h, 3 * PAGE + 5));
  uint64_t size, content;
  assert_ok(zx_vmo_get_size(h, &size));
  assert_int_equal(4 * PAGE, size);
  assert_ok(zx_object_get_property(h, ZX_PROP_VMO_CONTENT_SIZE, &content, sizeof(content)));
  assert_int_equal(3 * PAGE + 5, content);
  // Shrinking into the first page zeroes the tail of that page.
  assert_ok(zx_vmo_set_size(h, 1));
  assert_ok(zx_vmo_set_size(h, PAGE));
  char buf[3];
  assert_ok(zx_vmo_read(h, buf, 0, 3));
  assert_memory_equal(buf, "x\0\0", 3);
  assert_status(ZX_ERR_OUT_OF_RANGE, zx_vmo_set_size(h, UINT64_MAX));
  // A handle without RESIZE (or WRITE) cannot resize.
  zx_handle_t norz = dup_with(h, ZX_DEFAULT_VMO_RIGHTS);
  assert_status(ZX_ERR_ACCESS_DENIED, zx_vmo_set_size(norz, PAGE));
  zx_handle_t nowr = dup_with(h, ZX_RIGHT_RESIZE | ZX_RIGHT_READ);
  assert_status(ZX_ERR_ACCESS_DENIED, zx_vmo_set_size(nowr, PAGE));
  zx_handle_t list[] = {fixed, h, norz, nowr};
  assert_ok(zx_handle_close_many(list, 4));
}

static void vmo_stream_size(void** state) {
  zx_handle_t h = make_vmo(2 * PAGE, 0);
  uint64_t s;
  assert_ok(zx_vmo_get_stream_size(h, &s));
  assert_int_equal(2 * PAGE, s);
  assert_ok(zx_vmo_write(h, "stream", 10, 6));
  assert_ok(zx_vmo_set_stream_size(h, 12));
  assert_ok(zx_vmo_get_stream_size(h, &s));
  assert_int_equal(12, s);
  // Bytes past the new stream size were zeroed.
  char buf[6];
  assert_ok(zx_vmo_read(h, buf, 10, 6));
  assert_memory_equal(buf, "st\0\0\0\0", 6);
  assert_status(ZX_ERR_OUT_OF_RANGE, zx_vmo_set_stream_size(h, 2 * PAGE + 1));
  // Growing the stream size zeroes everything from the old size to the end of the VMO, also
  // bytes written past the stream size (Fuchsia's SetStreamSize).
  assert_ok(zx_vmo_write(h, "tail", 2 * PAGE - 4, 4));
  assert_ok(zx_vmo_set_stream_size(h, PAGE));
  assert_ok(zx_vmo_read(h, buf, 2 * PAGE - 4, 4));
  assert_memory_equal(buf, "\0\0\0\0", 4);
  assert_ok(zx_vmo_read(h, buf, 10, 2));
  assert_memory_equal(buf, "st", 2);
  // An unchanged size zeroes nothing.
  assert_ok(zx_vmo_write(h, "tail", 2 * PAGE - 4, 4));
  assert_ok(zx_vmo_set_stream_size(h, PAGE));
  assert_ok(zx_vmo_read(h, buf, 2 * PAGE - 4, 4));
  assert_memory_equal(buf, "tail", 4);
  assert_ok(zx_vmo_set_stream_size(h, 12));
  // Reading the stream size needs no right (like zx_vmo_get_size); setting it needs WRITE.
  zx_handle_t bare = dup_with(h, 0);
  assert_ok(zx_vmo_get_stream_size(bare, &s));
  assert_int_equal(12, s);
  assert_status(ZX_ERR_ACCESS_DENIED, zx_vmo_set_stream_size(bare, 4));
  assert_ok(zx_handle_close(bare));
  assert_ok(zx_handle_close(h));
  // Unbounded: the size argument is the stream size.
  h = make_vmo(100, ZX_VMO_UNBOUNDED);
  assert_ok(zx_vmo_get_stream_size(h, &s));
  assert_int_equal(100, s);
  uint64_t size;
  assert_ok(zx_vmo_get_size(h, &size));
  assert_true(size > ((uint64_t)1 << 60));
  assert_status(ZX_ERR_UNAVAILABLE, zx_vmo_set_size(h, PAGE));
  // Moving an unbounded VMO's stream size zeroes up to its (huge) end: only what is committed
  // costs anything.
  assert_ok(zx_vmo_set_stream_size(h, 201));
  assert_ok(zx_vmo_write(h, "abc", 200, 3));
  assert_ok(zx_vmo_set_stream_size(h, 4 * PAGE));
  assert_ok(zx_vmo_read(h, buf, 199, 4));
  assert_memory_equal(buf, "\0a\0\0", 4);
  assert_ok(zx_handle_close(h));
}

static void vmo_op_commit_decommit_zero(void** state) {
  zx_handle_t h = make_vmo(4 * PAGE, 0);
  zx_info_vmo_t info;
  assert_ok(zx_vmo_op_range(h, ZX_VMO_OP_COMMIT, 1, 2 * PAGE, NULL, 0));
  assert_ok(zx_object_get_info(h, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL));
  assert_int_equal(3 * PAGE, info.committed_bytes);
  assert_status(ZX_ERR_OUT_OF_RANGE,
                zx_vmo_op_range(h, ZX_VMO_OP_COMMIT, PAGE, UINT64_MAX - PAGE + 1, NULL, 0));
  assert_status(ZX_ERR_OUT_OF_RANGE, zx_vmo_op_range(h, ZX_VMO_OP_COMMIT, 0, 5 * PAGE, NULL, 0));
  // DECOMMIT needs alignment, checked before the range.
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmo_op_range(h, ZX_VMO_OP_DECOMMIT, 1, PAGE, NULL, 0));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmo_op_range(h, ZX_VMO_OP_DECOMMIT, 0, 1, NULL, 0));
  // A range running past the end is trimmed (Fuchsia's DecommitChildSliceTests); a start past
  // the end is refused.
  assert_ok(zx_vmo_op_range(h, ZX_VMO_OP_COMMIT, 0, 4 * PAGE, NULL, 0));
  assert_ok(zx_vmo_op_range(h, ZX_VMO_OP_DECOMMIT, 3 * PAGE, 2 * PAGE, NULL, 0));
  assert_ok(zx_object_get_info(h, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL));
  assert_int_equal(3 * PAGE, info.committed_bytes);
  assert_ok(zx_vmo_op_range(h, ZX_VMO_OP_DECOMMIT, 4 * PAGE, PAGE, NULL, 0));
  assert_status(ZX_ERR_OUT_OF_RANGE,
                zx_vmo_op_range(h, ZX_VMO_OP_DECOMMIT, 5 * PAGE, PAGE, NULL, 0));
  assert_ok(zx_vmo_op_range(h, ZX_VMO_OP_DECOMMIT, 0, 5 * PAGE, NULL, 0));
  assert_ok(zx_object_get_info(h, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL));
  assert_int_equal(0, info.committed_bytes);
  // ZERO: any byte range; zero length anywhere is fine.
  assert_ok(zx_vmo_write(h, "0123456789", 0, 10));
  assert_ok(zx_vmo_op_range(h, ZX_VMO_OP_ZERO, 2, 3, NULL, 0));
  char buf[10];
  assert_ok(zx_vmo_read(h, buf, 0, 10));
  assert_memory_equal(buf,
                      "01\0\0\0"
                      "56789",
                      10);
  assert_ok(zx_vmo_op_range(h, ZX_VMO_OP_ZERO, 5 * PAGE + 3, 0, NULL, 0));
  assert_status(ZX_ERR_OUT_OF_RANGE, zx_vmo_op_range(h, ZX_VMO_OP_ZERO, 4 * PAGE, 1, NULL, 0));
  // Rights.
  zx_handle_t ro = dup_with(h, ZX_RIGHT_READ);
  assert_status(ZX_ERR_ACCESS_DENIED, zx_vmo_op_range(ro, ZX_VMO_OP_COMMIT, 0, PAGE, NULL, 0));
  assert_status(ZX_ERR_ACCESS_DENIED, zx_vmo_op_range(ro, ZX_VMO_OP_DECOMMIT, 0, PAGE, NULL, 0));
  assert_status(ZX_ERR_ACCESS_DENIED, zx_vmo_op_range(ro, ZX_VMO_OP_ZERO, 0, PAGE, NULL, 0));
  zx_handle_t list[] = {h, ro};
  assert_ok(zx_handle_close_many(list, 2));
}

static void vmo_op_cache_hint_prefetch(void** state) {
  zx_handle_t h = make_vmo(2 * PAGE, 0);
  const uint32_t cache_ops[] = {ZX_VMO_OP_CACHE_SYNC, ZX_VMO_OP_CACHE_INVALIDATE,
                                ZX_VMO_OP_CACHE_CLEAN, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE};
  for (size_t i = 0; i < 4; i++) {
    assert_ok(zx_vmo_op_range(h, cache_ops[i], 1, 5, NULL, 0));
    assert_status(ZX_ERR_INVALID_ARGS, zx_vmo_op_range(h, cache_ops[i], 0, 0, NULL, 0));
    assert_status(ZX_ERR_OUT_OF_RANGE, zx_vmo_op_range(h, cache_ops[i], 2 * PAGE, 1, NULL, 0));
    assert_status(ZX_ERR_OUT_OF_RANGE, zx_vmo_op_range(h, cache_ops[i], 1, UINT64_MAX, NULL, 0));
  }
  assert_ok(zx_vmo_op_range(h, ZX_VMO_OP_DONT_NEED, 0, 2 * PAGE, NULL, 0));
  assert_ok(zx_vmo_op_range(h, ZX_VMO_OP_ALWAYS_NEED, 3, 10, NULL, 0));
  assert_ok(zx_vmo_op_range(h, ZX_VMO_OP_PREFETCH, 7, 0, NULL, 0));
  assert_status(ZX_ERR_OUT_OF_RANGE, zx_vmo_op_range(h, ZX_VMO_OP_PREFETCH, 0, 3 * PAGE, NULL, 0));
  // Hints on a VMO no pager backs are ignored before the range is looked at (Fuchsia's
  // EvictionHintsOpRange); PREFETCH checks it.
  assert_ok(zx_vmo_op_range(h, ZX_VMO_OP_DONT_NEED, PAGE, 2 * PAGE, NULL, 0));
  assert_ok(zx_vmo_op_range(h, ZX_VMO_OP_ALWAYS_NEED, PAGE, UINT64_MAX, NULL, 0));
  zx_handle_t wo = dup_with(h, ZX_RIGHT_WRITE);
  assert_status(ZX_ERR_ACCESS_DENIED, zx_vmo_op_range(wo, ZX_VMO_OP_PREFETCH, 0, PAGE, NULL, 0));
  assert_status(ZX_ERR_ACCESS_DENIED, zx_vmo_op_range(wo, ZX_VMO_OP_CACHE_SYNC, 0, 1, NULL, 0));
  assert_ok(zx_vmo_op_range(wo, ZX_VMO_OP_DONT_NEED, 0, PAGE, NULL, 0));
  // Unknown ops (5 is the retired LOOKUP).
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmo_op_range(h, 5, 0, PAGE, NULL, 0));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmo_op_range(h, 99, 0, PAGE, NULL, 0));
  zx_handle_t list[] = {h, wo};
  assert_ok(zx_handle_close_many(list, 2));
}

static void vmo_op_lock_discardable(void** state) {
  zx_handle_t plain = make_vmo(PAGE, 0);
  zx_vmo_lock_state_t ls;
  assert_status(ZX_ERR_NOT_SUPPORTED,
                zx_vmo_op_range(plain, ZX_VMO_OP_LOCK, 0, PAGE, &ls, sizeof(ls)));
  assert_status(ZX_ERR_NOT_SUPPORTED, zx_vmo_op_range(plain, ZX_VMO_OP_TRY_LOCK, 0, PAGE, NULL, 0));
  assert_status(ZX_ERR_NOT_SUPPORTED, zx_vmo_op_range(plain, ZX_VMO_OP_UNLOCK, 0, PAGE, NULL, 0));
  // Fuchsia's order for LOCK: not discardable, then the range, then the state buffer.
  assert_status(ZX_ERR_NOT_SUPPORTED, zx_vmo_op_range(plain, ZX_VMO_OP_LOCK, 0, PAGE, NULL, 0));
  zx_handle_t h = make_vmo(2 * PAGE, ZX_VMO_DISCARDABLE);
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmo_op_range(h, ZX_VMO_OP_LOCK, 0, 2 * PAGE, NULL, 0));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmo_op_range(h, ZX_VMO_OP_LOCK, 0, 2 * PAGE, &ls, 8));
  assert_status(ZX_ERR_OUT_OF_RANGE, zx_vmo_op_range(h, ZX_VMO_OP_LOCK, 0, PAGE, &ls, sizeof(ls)));
  assert_status(ZX_ERR_OUT_OF_RANGE, zx_vmo_op_range(h, ZX_VMO_OP_LOCK, 0, PAGE, NULL, 0));
  assert_status(ZX_ERR_OUT_OF_RANGE, zx_vmo_op_range(h, ZX_VMO_OP_TRY_LOCK, PAGE, PAGE, NULL, 0));
  assert_status(ZX_ERR_BAD_STATE, zx_vmo_op_range(h, ZX_VMO_OP_UNLOCK, 0, 2 * PAGE, NULL, 0));
  // A refused LOCK left nothing locked.
  assert_status(ZX_ERR_BAD_STATE, zx_vmo_op_range(h, ZX_VMO_OP_UNLOCK, 0, 2 * PAGE, NULL, 0));
  // A larger state buffer is fine; only the first 32 bytes are written.
  uint8_t big[sizeof(ls) + 8];
  memset(big, 0xab, sizeof(big));
  assert_ok(zx_vmo_op_range(h, ZX_VMO_OP_LOCK, 0, 2 * PAGE, big, sizeof(big)));
  assert_int_equal(0xab, big[sizeof(ls)]);
  assert_ok(zx_vmo_op_range(h, ZX_VMO_OP_UNLOCK, 0, 2 * PAGE, NULL, 0));
  assert_ok(zx_vmo_op_range(h, ZX_VMO_OP_LOCK, 0, 2 * PAGE, &ls, sizeof(ls)));
  assert_int_equal(0, ls.offset);
  assert_int_equal(2 * PAGE, ls.size);
  assert_int_equal(0, ls.discarded_size);
  assert_ok(zx_vmo_op_range(h, ZX_VMO_OP_TRY_LOCK, 0, 2 * PAGE, NULL, 0));
  assert_ok(zx_vmo_op_range(h, ZX_VMO_OP_UNLOCK, 0, 2 * PAGE, NULL, 0));
  assert_ok(zx_vmo_op_range(h, ZX_VMO_OP_UNLOCK, 0, 2 * PAGE, NULL, 0));
  assert_status(ZX_ERR_BAD_STATE, zx_vmo_op_range(h, ZX_VMO_OP_UNLOCK, 0, 2 * PAGE, NULL, 0));
  zx_handle_t none = dup_with(h, ZX_RIGHT_MAP);
  assert_status(ZX_ERR_ACCESS_DENIED,
                zx_vmo_op_range(none, ZX_VMO_OP_TRY_LOCK, 0, 2 * PAGE, NULL, 0));
  // Discardable VMOs can be mapped only with ALLOW_FAULTS, and have no children.
  zx_vaddr_t addr;
  assert_status(ZX_ERR_NOT_SUPPORTED,
                zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, h, 0, PAGE, &addr));
  assert_ok(
      zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_ALLOW_FAULTS, 0, h, 0, PAGE, &addr));
  assert_ok(zx_vmar_unmap(zx_vmar_root_self(), addr, PAGE));
  zx_handle_t child;
  assert_status(ZX_ERR_NOT_SUPPORTED,
                zx_vmo_create_child(h, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE, &child));
  zx_info_vmo_t info;
  assert_ok(zx_object_get_info(h, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL));
  assert_true(info.flags & ZX_INFO_VMO_DISCARDABLE);
  zx_handle_t list[] = {plain, h, none};
  assert_ok(zx_handle_close_many(list, 3));
  // DISCARDABLE combines with RESIZABLE; a lock always spans the current size.
  h = make_vmo(PAGE, ZX_VMO_DISCARDABLE | ZX_VMO_RESIZABLE);
  assert_ok(zx_object_get_info(h, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL));
  assert_true(info.flags & ZX_INFO_VMO_DISCARDABLE);
  assert_true(info.flags & ZX_INFO_VMO_RESIZABLE);
  assert_ok(zx_vmo_set_size(h, 3 * PAGE));
  assert_status(ZX_ERR_OUT_OF_RANGE, zx_vmo_op_range(h, ZX_VMO_OP_LOCK, 0, PAGE, &ls, sizeof(ls)));
  assert_ok(zx_vmo_op_range(h, ZX_VMO_OP_LOCK, 0, 3 * PAGE, &ls, sizeof(ls)));
  assert_int_equal(3 * PAGE, ls.size);
  assert_ok(zx_vmo_op_range(h, ZX_VMO_OP_UNLOCK, 0, 3 * PAGE, NULL, 0));
  assert_ok(zx_handle_close(h));
}

static void vmo_create_child_validation(void** state) {
  zx_handle_t h = make_vmo(2 * PAGE, 0);
  zx_handle_t c;
  // NO_WRITE|RESIZABLE is refused before the handle is even looked at.
  assert_status(
      ZX_ERR_INVALID_ARGS,
      zx_vmo_create_child(ZX_HANDLE_INVALID,
                          ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_NO_WRITE | ZX_VMO_CHILD_RESIZABLE, 0,
                          PAGE, &c));
  assert_status(ZX_ERR_BAD_HANDLE,
                zx_vmo_create_child(ZX_HANDLE_INVALID, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE, &c));
  assert_status(ZX_ERR_WRONG_TYPE,
                zx_vmo_create_child(zx_vmar_root_self(), ZX_VMO_CHILD_SNAPSHOT, 0, PAGE, &c));
  zx_handle_t nodup = dup_with(h, ZX_RIGHT_READ);
  assert_status(ZX_ERR_ACCESS_DENIED,
                zx_vmo_create_child(nodup, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE, &c));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmo_create_child(h, 0, 0, PAGE, &c));
  assert_status(ZX_ERR_INVALID_ARGS,
                zx_vmo_create_child(h, ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_SLICE, 0, PAGE, &c));
  assert_status(ZX_ERR_INVALID_ARGS,
                zx_vmo_create_child(h, ZX_VMO_CHILD_SNAPSHOT | (1u << 1), 0, PAGE, &c));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmo_create_child(h, ZX_VMO_CHILD_SNAPSHOT, 1, PAGE, &c));
  assert_status(ZX_ERR_OUT_OF_RANGE,
                zx_vmo_create_child(h, ZX_VMO_CHILD_SNAPSHOT, 0, UINT64_MAX, &c));
  assert_status(ZX_ERR_OUT_OF_RANGE,
                zx_vmo_create_child(h, ZX_VMO_CHILD_SNAPSHOT, 0, UINT64_MAX - PAGE + 1, &c));
  // Slices must lie inside the parent and cannot be resizable.
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmo_create_child(h, ZX_VMO_CHILD_SLICE, 0, 3 * PAGE, &c));
  assert_status(ZX_ERR_INVALID_ARGS,
                zx_vmo_create_child(h, ZX_VMO_CHILD_SLICE, PAGE, 2 * PAGE, &c));
  assert_status(ZX_ERR_INVALID_ARGS,
                zx_vmo_create_child(h, ZX_VMO_CHILD_SLICE | ZX_VMO_CHILD_RESIZABLE, 0, PAGE, &c));
  // A valid request succeeds (zx_clone_test.c covers children in detail); once the child is
  // closed the parent has ZX_VMO_ZERO_CHILDREN again.
  assert_ok(zx_vmo_create_child(h, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE, &c));
  assert_ok(zx_handle_close(c));
  zx_signals_t observed = 0;
  assert_ok(zx_object_wait_one(h, ZX_VMO_ZERO_CHILDREN, 0, &observed));
  assert_true(observed & ZX_VMO_ZERO_CHILDREN);
  zx_handle_t list[] = {h, nodup};
  assert_ok(zx_handle_close_many(list, 2));
}

static void vmo_cache_policy(void** state) {
  zx_handle_t h = make_vmo(PAGE, 0);
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmo_set_cache_policy(h, ZX_CACHE_POLICY_MASK + 1));
  zx_handle_t nomap = dup_with(h, ZX_RIGHT_READ | ZX_RIGHT_WRITE);
  assert_status(ZX_ERR_ACCESS_DENIED, zx_vmo_set_cache_policy(nomap, ZX_CACHE_POLICY_UNCACHED));
  // The policy value is checked before the handle (Fuchsia's sys_vmo_set_cache_policy).
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmo_set_cache_policy(nomap, ZX_CACHE_POLICY_MASK + 1));
  assert_status(ZX_ERR_INVALID_ARGS, zx_vmo_set_cache_policy(ZX_HANDLE_INVALID, 1u << 31));
  assert_status(ZX_ERR_BAD_HANDLE,
                zx_vmo_set_cache_policy(ZX_HANDLE_INVALID, ZX_CACHE_POLICY_UNCACHED));
  assert_ok(zx_vmo_set_cache_policy(h, ZX_CACHE_POLICY_UNCACHED));
  char c = 0;
  assert_status(ZX_ERR_BAD_STATE, zx_vmo_read(h, &c, 0, 1));
  assert_status(ZX_ERR_BAD_STATE, zx_vmo_write(h, &c, 0, 1));
  zx_info_vmo_t info;
  assert_ok(zx_object_get_info(h, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL));
  assert_int_equal(ZX_CACHE_POLICY_UNCACHED, info.cache_policy);
  assert_ok(zx_vmo_set_cache_policy(h, ZX_CACHE_POLICY_CACHED));
  assert_ok(zx_vmo_write(h, &c, 0, 1));
  // A mapped VMO cannot change policy.
  zx_vaddr_t addr;
  assert_ok(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, h, 0, PAGE, &addr));
  assert_status(ZX_ERR_BAD_STATE, zx_vmo_set_cache_policy(h, ZX_CACHE_POLICY_UNCACHED));
  assert_ok(zx_vmar_unmap(zx_vmar_root_self(), addr, PAGE));
  // Nor one with children, or one that is a child (snapshot or slice): Fuchsia's Cache test.
  zx_handle_t snap, slice;
  assert_ok(zx_vmo_create_child(h, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE, &snap));
  assert_status(ZX_ERR_BAD_STATE, zx_vmo_set_cache_policy(h, ZX_CACHE_POLICY_CACHED));
  assert_status(ZX_ERR_BAD_STATE, zx_vmo_set_cache_policy(snap, ZX_CACHE_POLICY_CACHED));
  assert_status(ZX_ERR_BAD_STATE, zx_vmo_set_cache_policy(snap, ZX_CACHE_POLICY_UNCACHED));
  assert_ok(zx_handle_close(snap));
  assert_ok(zx_vmo_set_cache_policy(h, ZX_CACHE_POLICY_CACHED));
  assert_ok(zx_vmo_create_child(h, ZX_VMO_CHILD_SLICE, 0, PAGE, &slice));
  assert_status(ZX_ERR_BAD_STATE, zx_vmo_set_cache_policy(h, ZX_CACHE_POLICY_CACHED));
  assert_status(ZX_ERR_BAD_STATE, zx_vmo_set_cache_policy(slice, ZX_CACHE_POLICY_CACHED));
  assert_ok(zx_handle_close(slice));
  assert_ok(zx_vmo_set_cache_policy(h, ZX_CACHE_POLICY_CACHED));
  zx_handle_t list[] = {h, nomap};
  assert_ok(zx_handle_close_many(list, 2));
}

static void vmo_replace_as_executable(void** state) {
  zx_handle_t h = make_vmo(PAGE, 0);
  zx_handle_t x;
  assert_ok(zx_vmo_replace_as_executable(h, ZX_HANDLE_INVALID, &x));
  assert_status(ZX_ERR_BAD_HANDLE, zx_handle_close(h));
  assert_int_equal(ZX_DEFAULT_VMO_RIGHTS | ZX_RIGHT_EXECUTE, handle_rights(x));
  // Reduced rights stay reduced, EXECUTE is added.
  zx_handle_t ro = dup_with(x, ZX_RIGHT_READ), rx;
  assert_ok(zx_vmo_replace_as_executable(ro, ZX_HANDLE_INVALID, &rx));
  assert_int_equal(ZX_RIGHT_READ | ZX_RIGHT_EXECUTE, handle_rights(rx));
  // A vmex that is not a resource: the VMO handle is still consumed.
  zx_handle_t y = make_vmo(PAGE, 0), z;
  zx_handle_t port;
  assert_ok(zx_port_create(0, &port));
  assert_status(ZX_ERR_WRONG_TYPE, zx_vmo_replace_as_executable(y, port, &z));
  assert_status(ZX_ERR_BAD_HANDLE, zx_handle_close(y));
  assert_status(ZX_ERR_BAD_HANDLE, zx_vmo_replace_as_executable(y, ZX_HANDLE_INVALID, &z));
  zx_handle_t list[] = {x, rx, port};
  assert_ok(zx_handle_close_many(list, 3));
}

static void vmo_zero_page_reads(void** state) {
  // Port of the zero tests: untouched pages read as zero, through the VMO and a mapping, and a
  // read commits nothing.
  zx_handle_t h = make_vmo(4 * PAGE, 0);
  zx_vaddr_t addr;
  assert_ok(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, h, 0, 4 * PAGE,
                        &addr));
  uint8_t buf[64];
  for (uint64_t p = 0; p < 4; p++) {
    memset(buf, 0xff, sizeof(buf));
    assert_ok(zxvm_user_read(zx_process_self(), addr + p * PAGE + 100, buf, sizeof(buf)));
    for (size_t i = 0; i < sizeof(buf); i++) assert_int_equal(0, buf[i]);
  }
  zx_info_vmo_t info;
  assert_ok(zx_object_get_info(h, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL));
  assert_int_equal(0, info.committed_bytes);
  // Write then zero through the VMO: the mapping sees zeros again.
  assert_ok(zxvm_user_write(zx_process_self(), addr + PAGE, "data", 4));
  assert_ok(zx_vmo_op_range(h, ZX_VMO_OP_ZERO, PAGE, PAGE, NULL, 0));
  assert_ok(zxvm_user_read(zx_process_self(), addr + PAGE, buf, 4));
  assert_memory_equal(buf, "\0\0\0\0", 4);
  assert_ok(zx_vmar_unmap(zx_vmar_root_self(), addr, 4 * PAGE));
  assert_ok(zx_handle_close(h));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(vmo_create_options_and_rights),
      cmocka_unit_test(vmo_read_write_boundaries),
      cmocka_unit_test(vmo_set_size_rules),
      cmocka_unit_test(vmo_stream_size),
      cmocka_unit_test(vmo_op_commit_decommit_zero),
      cmocka_unit_test(vmo_op_cache_hint_prefetch),
      cmocka_unit_test(vmo_op_lock_discardable),
      cmocka_unit_test(vmo_create_child_validation),
      cmocka_unit_test(vmo_cache_policy),
      cmocka_unit_test(vmo_replace_as_executable),
      cmocka_unit_test(vmo_zero_page_reads),
  };
  return cmocka_run_group_tests(tests, zx_test_init, NULL);
}
