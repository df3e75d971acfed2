// Mappings made with ZX_VM_FAULT_BEYOND_STREAM_SIZE, black box, as Fuchsia's vmar core tests
// (FaultBeyondStreamSize, FaultBeyondReducedStreamSize, FaultBeyondStreamSizeRange) expect: an
// access to a page wholly past the VMO's stream size is ZX_ERR_OUT_OF_RANGE even where the VMO
// holds pages; the page that contains the stream's end stays accessible; raising the stream size
// opens pages up, lowering it closes them again (and zeroes what lay beyond); MAP_RANGE maps
// nothing past it; and a COMMIT, DECOMMIT or PREFETCH through the VMAR that reaches past it is
// ZX_ERR_OUT_OF_RANGE. Simulated accesses (zxvm_user_read/write) stand in for loads and stores.
#include "zx_test_util.h"

#define RW (ZX_VM_PERM_READ | ZX_VM_PERM_WRITE)
#define FB (ZX_VM_SPECIFIC | ZX_VM_FAULT_BEYOND_STREAM_SIZE | ZX_VM_ALLOW_FAULTS)

static zx_handle_t sub_vmar(size_t pages, zx_vaddr_t* base) {
  zx_handle_t vmar;
  assert_ok(zx_vmar_allocate(zx_vmar_root_self(),
                             ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC, 0,
                             pages * PAGE, &vmar, base));
  return vmar;
}

static zx_status_t rd(zx_vaddr_t va) {
  uint64_t v;
  return zxvm_user_read(zx_process_self(), va, &v, sizeof(v));
}

static zx_status_t wr(zx_vaddr_t va, uint64_t v) {
  return zxvm_user_write(zx_process_self(), va, &v, sizeof(v));
}

static uint64_t vmo_u64(zx_handle_t vmo, uint64_t offset) {
  uint64_t v = 1;
  assert_ok(zx_vmo_read(vmo, &v, offset, sizeof(v)));
  return v;
}

static void destroy(zx_handle_t vmar) {
  assert_ok(zxvm_check(zx_process_self()));
  assert_ok(zx_vmar_destroy(vmar));
  assert_ok(zx_handle_close(vmar));
}

static void faults_stop_at_the_stream_size(void** state) {
  zx_vaddr_t base, addr;
  zx_handle_t vmar = sub_vmar(6, &base);
  zx_handle_t vmo = make_vmo(3 * PAGE, ZX_VMO_UNBOUNDED);
  uint64_t stream = 0, size = 0;
  assert_ok(zx_vmo_get_stream_size(vmo, &stream));
  assert_ok(zx_vmo_get_size(vmo, &size));
  assert_int_equal(3 * PAGE, stream);
  assert_true(size > stream);
  assert_status(ZX_ERR_INVALID_ARGS,
                zx_vmar_map(vmar, RW | ZX_VM_SPECIFIC | ZX_VM_FAULT_BEYOND_STREAM_SIZE, 0, vmo, 0,
                            4 * PAGE, &addr));
  assert_ok(zx_vmar_map(vmar, RW | FB, 0, vmo, 0, 4 * PAGE, &addr));
  assert_ok(rd(addr));
  assert_status(ZX_ERR_OUT_OF_RANGE, rd(addr + 3 * PAGE));
  assert_status(ZX_ERR_OUT_OF_RANGE, wr(addr + 3 * PAGE, 1));
  // The VMO itself is not bounded by the stream: a write past it lands, faults still do not.
  uint8_t buf[4 * 4096];
  memset(buf, 0x5a, sizeof(buf));
  assert_ok(zx_vmo_write(vmo, buf, 0, 4 * PAGE));
  assert_status(ZX_ERR_OUT_OF_RANGE, rd(addr + 3 * PAGE));
  assert_int_equal(0x5a5a5a5a5a5a5a5aull, vmo_u64(vmo, 3 * PAGE));
  assert_ok(wr(addr, 7));
  // Lowering the stream closes the page between the old and the new end.
  assert_ok(zx_vmo_set_stream_size(vmo, 2 * PAGE));
  assert_status(ZX_ERR_OUT_OF_RANGE, wr(addr + 2 * PAGE, 1));
  assert_status(ZX_ERR_OUT_OF_RANGE, rd(addr + 2 * PAGE));
  assert_ok(rd(addr + PAGE));

  // A half-page stream: its page is reachable to the end, the next one is not. The read-only
  // overwrite also takes write access away from the first two pages.
  zx_handle_t vmo2 = make_vmo(PAGE / 2, ZX_VMO_UNBOUNDED);
  zx_vaddr_t addr2;
  assert_status(ZX_ERR_ALREADY_EXISTS,
                zx_vmar_map(vmar, ZX_VM_PERM_READ | FB, 0, vmo2, 0, 2 * PAGE, &addr2));
  assert_ok(zx_vmar_map(vmar, ZX_VM_PERM_READ | FB | ZX_VM_SPECIFIC_OVERWRITE, 0, vmo2, 0, 2 * PAGE,
                        &addr2));
  assert_int_equal(addr, addr2);
  assert_status(ZX_ERR_ACCESS_DENIED, wr(addr2, 1));
  assert_ok(rd(addr2));
  assert_ok(rd(addr2 + PAGE - 8));
  assert_status(ZX_ERR_OUT_OF_RANGE, rd(addr2 + PAGE));
  destroy(vmar);

  // Pages past the stream fault although the VMO has them; raising and lowering the stream
  // opens and closes them.
  vmar = sub_vmar(6, &base);
  zx_handle_t vmo3 = make_vmo(2 * PAGE, ZX_VMO_UNBOUNDED);
  assert_ok(zx_vmo_write(vmo3, buf, 0, 4 * PAGE));
  zx_vaddr_t addr3;
  assert_ok(zx_vmar_map(vmar, RW | FB, 0, vmo3, 0, 6 * PAGE, &addr3));
  assert_ok(rd(addr3 + PAGE));  // its optimistic neighbours must not include page 2
  assert_status(ZX_ERR_OUT_OF_RANGE, rd(addr3 + 2 * PAGE));
  assert_ok(zx_vmo_set_stream_size(vmo3, 4 * PAGE));
  assert_ok(rd(addr3 + 2 * PAGE));
  assert_ok(rd(addr3 + 3 * PAGE));
  assert_status(ZX_ERR_OUT_OF_RANGE, rd(addr3 + 4 * PAGE));
  assert_ok(zx_vmo_set_stream_size(vmo3, 2 * PAGE));
  assert_status(ZX_ERR_OUT_OF_RANGE, rd(addr3 + 2 * PAGE));
  assert_status(ZX_ERR_OUT_OF_RANGE, rd(addr3 + 3 * PAGE));
  destroy(vmar);
  zx_handle_t list[] = {vmo, vmo2, vmo3};
  assert_ok(zx_handle_close_many(list, 3));
}

static void lowering_the_stream_unmaps_and_zeroes(void** state) {
  zx_vaddr_t base, addr;
  zx_handle_t vmar = sub_vmar(6, &base);
  zx_handle_t vmo = make_vmo(5 * PAGE, ZX_VMO_UNBOUNDED);
  assert_ok(zx_vmar_map(vmar, RW | FB, 0, vmo, 0, 6 * PAGE, &addr));
  for (uint64_t i = 0; i < 5; i++) assert_ok(wr(addr + i * PAGE, 0xdeadbeef));
  assert_status(ZX_ERR_OUT_OF_RANGE, wr(addr + 5 * PAGE, 1));
  assert_int_equal(0xdeadbeef, vmo_u64(vmo, 0));
  assert_int_equal(0xdeadbeef, vmo_u64(vmo, 4 * PAGE));
  // One page less: the page that was mapped faults now.
  assert_ok(rd(addr + 4 * PAGE));
  assert_ok(zx_vmo_set_stream_size(vmo, 4 * PAGE));
  assert_status(ZX_ERR_OUT_OF_RANGE, rd(addr + 4 * PAGE));
  // Half a page less: the page stays accessible, its tail past the stream reads as zero.
  assert_ok(wr(addr + 4 * PAGE - 8, 0xdeadbeef));
  assert_ok(zx_vmo_set_stream_size(vmo, 3 * PAGE + PAGE / 2));
  assert_ok(rd(addr + 3 * PAGE));
  assert_int_equal(0, vmo_u64(vmo, 3 * PAGE + PAGE / 2));
  assert_int_equal(0xdeadbeef, vmo_u64(vmo, 3 * PAGE));
  assert_int_equal(0, vmo_u64(vmo, 4 * PAGE - 8));
  uint64_t v = 1;
  assert_ok(zxvm_user_read(zx_process_self(), addr + 4 * PAGE - 8, &v, sizeof(v)));
  assert_int_equal(0, v);  // the mapping sees the zeroed tail too
  // The content-size property is the same size: setting it closes pages as well.
  uint64_t content = 2 * PAGE;
  assert_ok(zx_object_set_property(vmo, ZX_PROP_VMO_CONTENT_SIZE, &content, sizeof(content)));
  assert_status(ZX_ERR_OUT_OF_RANGE, rd(addr + 3 * PAGE));
  assert_status(ZX_ERR_OUT_OF_RANGE, rd(addr + 2 * PAGE));
  assert_ok(rd(addr + PAGE));
  assert_ok(rd(addr));
  destroy(vmar);

  // A bounded VMO has a stream size too.
  vmar = sub_vmar(4, &base);
  zx_handle_t bounded = make_vmo(4 * PAGE, 0);
  assert_ok(zx_vmar_map(vmar, RW | FB, 0, bounded, 0, 4 * PAGE, &addr));
  assert_ok(zx_vmo_set_stream_size(bounded, 2 * PAGE));
  uint8_t buf[4 * 4096];
  memset(buf, 1, sizeof(buf));
  assert_ok(zx_vmo_write(bounded, buf, 0, 4 * PAGE));
  assert_status(ZX_ERR_OUT_OF_RANGE, rd(addr + 3 * PAGE));
  assert_status(ZX_ERR_OUT_OF_RANGE, rd(addr + 2 * PAGE));
  assert_ok(rd(addr + PAGE));
  destroy(vmar);
  zx_handle_t list[] = {vmo, bounded};
  assert_ok(zx_handle_close_many(list, 2));
}

static void range_ops_stop_at_the_stream_size(void** state) {
  zx_vaddr_t base, addr;
  zx_handle_t vmar = sub_vmar(6, &base);
  zx_handle_t vmo = make_vmo(2 * PAGE, ZX_VMO_UNBOUNDED);
  uint8_t buf[4 * 4096], back[4 * 4096];
  memset(buf, 1, sizeof(buf));
  assert_ok(zx_vmo_write(vmo, buf, 0, 4 * PAGE));
  // MAP_RANGE maps the stream's pages only.
  assert_ok(zx_vmar_map(vmar, RW | FB | ZX_VM_MAP_RANGE, 0, vmo, 0, 6 * PAGE, &addr));
  assert_status(ZX_ERR_OUT_OF_RANGE,
                zx_vmar_op_range(vmar, ZX_VMAR_OP_PREFETCH, addr, 3 * PAGE, NULL, 0));
  assert_status(ZX_ERR_OUT_OF_RANGE, rd(addr + 2 * PAGE));
  assert_status(ZX_ERR_OUT_OF_RANGE,
                zx_vmar_op_range(vmar, ZX_VMAR_OP_COMMIT, addr, 3 * PAGE, NULL, 0));
  assert_status(ZX_ERR_OUT_OF_RANGE, rd(addr + 2 * PAGE));
  assert_status(ZX_ERR_OUT_OF_RANGE, wr(addr + 2 * PAGE, 1));
  assert_status(ZX_ERR_OUT_OF_RANGE,
                zx_vmar_op_range(vmar, ZX_VMAR_OP_DECOMMIT, addr, 3 * PAGE, NULL, 0));
  assert_ok(zx_vmo_read(vmo, back, 0, 4 * PAGE));
  assert_memory_equal(buf, back, 4 * PAGE);  // the refused decommit changed nothing
  assert_ok(zx_vmar_op_range(vmar, ZX_VMAR_OP_PREFETCH, addr, 2 * PAGE, NULL, 0));
  assert_ok(zx_vmar_op_range(vmar, ZX_VMAR_OP_COMMIT, addr, 2 * PAGE, NULL, 0));
  assert_ok(zx_vmar_op_range(vmar, ZX_VMAR_OP_DECOMMIT, addr, 2 * PAGE, NULL, 0));
  assert_status(ZX_ERR_OUT_OF_RANGE,
                zx_vmar_op_range(vmar, ZX_VMAR_OP_COMMIT, addr + PAGE, 2 * PAGE, NULL, 0));
  // The decommit of the stream's pages took them; the two past it are still there.
  assert_ok(zx_vmo_read(vmo, back, 0, 4 * PAGE));
  for (uint64_t i = 0; i < 2 * PAGE; i++) {
    if (back[i] != 0) fail_msg("byte %lu not decommitted", (unsigned long)i);
  }
  assert_memory_equal(buf + 2 * PAGE, back + 2 * PAGE, 2 * PAGE);
  destroy(vmar);
  assert_ok(zx_handle_close(vmo));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(faults_stop_at_the_stream_size),
      cmocka_unit_test(lowering_the_stream_unmaps_and_zeroes),
      cmocka_unit_test(range_ops_stop_at_the_stream_size),
  };
  return cmocka_run_group_tests(tests, zx_test_init, NULL);
}
