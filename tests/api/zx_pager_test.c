// Pager calls, black box: zx_pager_create / create_vmo / detach_vmo / supply_pages / op_range /
// query_dirty_ranges / query_vmo_stats with a port, every documented error, packets byte-exact,
// a blocked zx_vmo_read and a blocked mapped access resumed by a supply (or failed by FAIL or
// detach), TRAP_DIRTY writes acked with OP_DIRTY, writeback, and COMPLETE on close.
#include <pthread.h>
#include <zircon/syscalls-next.h>

#include "zx_test_util.h"

#define KEY 0xfeedull

struct fx {
  zx_handle_t pager, port, vmo;
};
static struct fx fx;

static int setup_vmo(uint32_t options) {
  assert_ok(zx_pager_create(0, &fx.pager));
  assert_ok(zx_port_create(0, &fx.port));
  assert_ok(zx_pager_create_vmo(fx.pager, options, fx.port, KEY, 16 * PAGE, &fx.vmo));
  return 0;
}
static int setup(void** state) { return setup_vmo(0); }
static int setup_trap_dirty(void** state) { return setup_vmo(ZX_VMO_TRAP_DIRTY); }

static int teardown(void** state) {
  zx_handle_t list[] = {fx.vmo, fx.port, fx.pager};
  assert_ok(zx_handle_close_many(list, 3));
  assert_ok(zxvm_check(zx_process_self()));
  memset(&fx, 0, sizeof(fx));
  return 0;
}

static zx_port_packet_t wait_packet_at(int line) {
  zx_port_packet_t p;
  memset(&p, 0xcc, sizeof(p));
  zx_status_t st = zx_port_wait(fx.port, zx_deadline_after(ZX_SEC(10)), &p);
  if (st != ZX_OK) fprintf(stderr, "wait_packet from line %d\n", line);
  assert_ok(st);
  return p;
}

#define wait_packet() wait_packet_at(__LINE__)

static void assert_page_request(zx_port_packet_t p, uint16_t command, uint64_t offset,
                                uint64_t length) {
  zx_port_packet_t exp;
  memset(&exp, 0, sizeof(exp));
  exp.key = KEY;
  exp.type = ZX_PKT_TYPE_PAGE_REQUEST;
  exp.page_request.command = command;
  exp.page_request.offset = offset;
  exp.page_request.length = length;
  assert_int_equal(command, p.page_request.command);
  assert_int_equal(offset, p.page_request.offset);
  assert_int_equal(length, p.page_request.length);
  assert_memory_equal(&exp, &p, sizeof(p));
}

static void supply_fill(uint64_t offset, uint64_t len, uint8_t fill) {
  zx_handle_t aux = make_vmo(len, 0);
  uint8_t* buf = malloc(len);
  memset(buf, fill, len);
  assert_ok(zx_vmo_write(aux, buf, 0, len));
  free(buf);
  assert_ok(zx_pager_supply_pages(fx.pager, fx.vmo, offset, len, aux, 0));
  assert_ok(zx_handle_close(aux));
}

struct reader {
  pthread_t t;
  zx_handle_t vmo;  // fx.vmo when left 0
  uint64_t offset;
  uint8_t byte;
  zx_status_t status;
};

static void* read_main(void* arg) {
  struct reader* r = arg;
  r->status = zx_vmo_read(r->vmo ? r->vmo : fx.vmo, &r->byte, r->offset, 1);
  return NULL;
}

static void start_read(struct reader* r, uint64_t offset) {
  r->vmo = ZX_HANDLE_INVALID;
  r->offset = offset;
  r->status = 1;
  assert_int_equal(0, pthread_create(&r->t, NULL, read_main, r));
}

static zx_status_t join(struct reader* r) {
  assert_int_equal(0, pthread_join(r->t, NULL));
  return r->status;
}

// ---- creation and handle errors ----------------------------------------------------------------

static void pager_create_and_create_vmo_errors(void** state) {
  zx_handle_t h;
  assert_status(ZX_ERR_INVALID_ARGS, zx_pager_create(1, &h));
  assert_int_equal(ZX_DEFAULT_PAGER_RIGHTS, handle_rights(fx.pager));
  assert_int_equal(ZX_DEFAULT_VMO_RIGHTS, handle_rights(fx.vmo));
  assert_status(ZX_ERR_INVALID_ARGS,
                zx_pager_create_vmo(fx.pager, ZX_VMO_DISCARDABLE, fx.port, 0, PAGE, &h));
  assert_status(
      ZX_ERR_INVALID_ARGS,
      zx_pager_create_vmo(fx.pager, ZX_VMO_UNBOUNDED | ZX_VMO_RESIZABLE, fx.port, 0, PAGE, &h));
  assert_status(ZX_ERR_BAD_HANDLE, zx_pager_create_vmo(123456, 0, fx.port, 0, PAGE, &h));
  assert_status(ZX_ERR_WRONG_TYPE, zx_pager_create_vmo(fx.port, 0, fx.port, 0, PAGE, &h));
  assert_status(ZX_ERR_WRONG_TYPE, zx_pager_create_vmo(fx.pager, 0, fx.pager, 0, PAGE, &h));
  zx_handle_t ro_port = dup_with(fx.port, ZX_RIGHT_READ);
  assert_status(ZX_ERR_ACCESS_DENIED, zx_pager_create_vmo(fx.pager, 0, ro_port, 0, PAGE, &h));
  // Pager handles lack DUPLICATE: a weaker one comes from replacing a second pager's handle.
  zx_handle_t second, weak_pager;
  assert_ok(zx_pager_create(0, &second));
  assert_ok(zx_handle_replace(second, ZX_RIGHT_MANAGE_VMO, &weak_pager));
  assert_status(ZX_ERR_ACCESS_DENIED, zx_pager_create_vmo(weak_pager, 0, fx.port, 0, PAGE, &h));
  assert_status(ZX_ERR_OUT_OF_RANGE, zx_pager_create_vmo(fx.pager, 0, fx.port, 0, UINT64_MAX, &h));
  assert_ok(zx_pager_create_vmo(fx.pager, ZX_VMO_RESIZABLE, fx.port, 0, PAGE + 1, &h));
  assert_int_equal(ZX_DEFAULT_VMO_RIGHTS | ZX_RIGHT_RESIZE, handle_rights(h));
  zx_info_vmo_t info;
  assert_ok(zx_object_get_info(h, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL));
  assert_ok(zx_handle_close(h));
  // Closing the last handle of an undetached pager VMO sends COMPLETE (key 0 for that one).
  zx_port_packet_t p = wait_packet();
  assert_int_equal(0, p.key);
  assert_int_equal(ZX_PAGER_VMO_COMPLETE, p.page_request.command);
  zx_handle_t list[] = {ro_port, weak_pager};
  assert_ok(zx_handle_close_many(list, 2));
}

static void pager_calls_reject_foreign_vmos(void** state) {
  zx_handle_t plain = make_vmo(PAGE, 0), other_pager, aux = make_vmo(PAGE, 0);
  assert_ok(zx_pager_create(0, &other_pager));
  assert_status(ZX_ERR_INVALID_ARGS, zx_pager_detach_vmo(fx.pager, plain));
  assert_status(ZX_ERR_INVALID_ARGS, zx_pager_detach_vmo(other_pager, fx.vmo));
  assert_status(ZX_ERR_INVALID_ARGS, zx_pager_supply_pages(other_pager, fx.vmo, 0, PAGE, aux, 0));
  assert_status(ZX_ERR_INVALID_ARGS,
                zx_pager_op_range(fx.pager, ZX_PAGER_OP_DIRTY, plain, 0, PAGE, 0));
  zx_pager_vmo_stats_t st;
  assert_status(ZX_ERR_INVALID_ARGS, zx_pager_query_vmo_stats(fx.pager, plain, 0, &st, sizeof(st)));
  assert_status(ZX_ERR_WRONG_TYPE, zx_pager_detach_vmo(fx.vmo, fx.vmo));
  assert_status(ZX_ERR_BAD_HANDLE, zx_pager_supply_pages(fx.pager, 99999, 0, PAGE, aux, 0));
  zx_handle_t ro_vmo = dup_with(fx.vmo, ZX_RIGHT_READ);
  assert_status(ZX_ERR_ACCESS_DENIED, zx_pager_supply_pages(fx.pager, ro_vmo, 0, PAGE, aux, 0));
  zx_handle_t ro_aux = dup_with(aux, ZX_RIGHT_READ);
  assert_status(ZX_ERR_ACCESS_DENIED, zx_pager_supply_pages(fx.pager, fx.vmo, 0, PAGE, ro_aux, 0));
  zx_handle_t list[] = {plain, other_pager, aux, ro_vmo, ro_aux};
  assert_ok(zx_handle_close_many(list, 5));
}

// ---- supply, fail, detach -----------------------------------------------------------------

static void pager_vmo_read_blocks_until_supply(void** state) {
  struct reader r;
  start_read(&r, 5 * PAGE + 3);
  zx_port_packet_t p = wait_packet();
  // One byte read: the request covers that page only (Zircon batches over the access, no further).
  assert_page_request(p, ZX_PAGER_VMO_READ, 5 * PAGE, PAGE);
  supply_fill(5 * PAGE, 11 * PAGE, 0x5c);
  assert_ok(join(&r));
  assert_int_equal(0x5c, r.byte);
  zx_info_vmo_t info;
  assert_ok(zx_object_get_info(fx.vmo, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL));
  assert_int_equal(11 * PAGE, info.committed_bytes);
}

struct mapped_reader {
  pthread_t t;
  zx_vaddr_t va;
  uint8_t byte;
  zx_status_t status;
};

static void* mapped_read_main(void* arg) {
  struct mapped_reader* r = arg;
  r->status = zxvm_user_read(zx_process_self(), r->va, &r->byte, 1);
  return NULL;
}

static void pager_mapped_access_blocks_until_supply(void** state) {
  zx_vaddr_t addr;
  assert_ok(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, fx.vmo, 0,
                        16 * PAGE, &addr));
  struct mapped_reader r = {.va = addr + 3 * PAGE + 10, .status = 1};
  assert_int_equal(0, pthread_create(&r.t, NULL, mapped_read_main, &r));
  // A fault asks for its own page (Zircon: mapped faults fault pages in one by one).
  assert_page_request(wait_packet(), ZX_PAGER_VMO_READ, 3 * PAGE, PAGE);
  supply_fill(3 * PAGE, 13 * PAGE, 0x11);
  assert_int_equal(0, pthread_join(r.t, NULL));
  assert_ok(r.status);
  assert_int_equal(0x11, r.byte);
  // Not TRAP_DIRTY: a write goes through and marks the VMO modified.
  uint8_t b = 0x22;
  assert_ok(zxvm_user_write(zx_process_self(), addr + 3 * PAGE + 10, &b, 1));
  zx_pager_vmo_stats_t st = {0};
  assert_ok(zx_pager_query_vmo_stats(fx.pager, fx.vmo, ZX_PAGER_RESET_VMO_STATS, &st, sizeof(st)));
  assert_int_equal(ZX_PAGER_VMO_STATS_MODIFIED, st.modified);
  assert_ok(zx_pager_query_vmo_stats(fx.pager, fx.vmo, 0, &st, sizeof(st)));
  assert_int_equal(0, st.modified);
  assert_status(ZX_ERR_BUFFER_TOO_SMALL, zx_pager_query_vmo_stats(fx.pager, fx.vmo, 0, &st, 2));
  assert_status(ZX_ERR_INVALID_ARGS,
                zx_pager_query_vmo_stats(fx.pager, fx.vmo, 2, &st, sizeof(st)));
  assert_ok(zx_vmar_unmap(zx_vmar_root_self(), addr, 16 * PAGE));
}

static void pager_fail_reaches_the_reader(void** state) {
  struct reader r;
  start_read(&r, 2 * PAGE);
  zx_port_packet_t p = wait_packet();
  assert_status(ZX_ERR_INVALID_ARGS, zx_pager_op_range(fx.pager, ZX_PAGER_OP_FAIL, fx.vmo, 2 * PAGE,
                                                       PAGE, (uint64_t)(int64_t)ZX_ERR_NO_MEMORY));
  assert_ok(zx_pager_op_range(fx.pager, ZX_PAGER_OP_FAIL, fx.vmo, p.page_request.offset,
                              p.page_request.length, (uint64_t)(int64_t)ZX_ERR_IO));
  assert_status(ZX_ERR_IO, join(&r));
}

static void pager_detach_fails_reader_and_sends_complete(void** state) {
  struct reader r;
  start_read(&r, 0);
  (void)wait_packet();
  assert_ok(zx_pager_detach_vmo(fx.pager, fx.vmo));
  assert_status(ZX_ERR_BAD_STATE, join(&r));
  assert_page_request(wait_packet(), ZX_PAGER_VMO_COMPLETE, 0, 0);
  uint8_t b;
  assert_status(ZX_ERR_BAD_STATE, zx_vmo_read(fx.vmo, &b, PAGE, 1));
  zx_handle_t aux = make_vmo(PAGE, 0);
  assert_status(ZX_ERR_BAD_STATE, zx_pager_supply_pages(fx.pager, fx.vmo, 0, PAGE, aux, 0));
  assert_ok(zx_handle_close(aux));
  zx_port_packet_t p;
  assert_status(ZX_ERR_TIMED_OUT, zx_port_wait(fx.port, 0, &p));  // COMPLETE only once
}

static void pager_supply_argument_errors(void** state) {
  zx_handle_t aux = make_vmo(2 * PAGE, 0);
  assert_status(ZX_ERR_INVALID_ARGS, zx_pager_supply_pages(fx.pager, fx.vmo, 1, PAGE, aux, 0));
  assert_status(ZX_ERR_OUT_OF_RANGE,
                zx_pager_supply_pages(fx.pager, fx.vmo, 16 * PAGE, PAGE, aux, 0));
  assert_status(ZX_ERR_OUT_OF_RANGE,
                zx_pager_supply_pages(fx.pager, fx.vmo, 0, PAGE, aux, 2 * PAGE));
  zx_handle_t other;
  assert_ok(zx_pager_create_vmo(fx.pager, 0, fx.port, 1, PAGE, &other));
  assert_status(ZX_ERR_NOT_SUPPORTED, zx_pager_supply_pages(fx.pager, fx.vmo, 0, PAGE, other, 0));
  assert_ok(zx_handle_close(other));
  (void)wait_packet();  // other's COMPLETE
  assert_ok(zx_pager_supply_pages(fx.pager, fx.vmo, 0, PAGE, aux, 0));
  zx_info_vmo_t info;
  assert_ok(zx_object_get_info(aux, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL));
  assert_int_equal(0, info.committed_bytes);
  assert_ok(zx_handle_close(aux));
}

// ---- dirty tracking ----------------------------------------------------------------------------

struct writer {
  pthread_t t;
  zx_status_t status;
};

static void* write_main(void* arg) {
  struct writer* w = arg;
  uint8_t b = 0x77;
  w->status = zx_vmo_write(fx.vmo, &b, PAGE + 1, 1);
  return NULL;
}

static void pager_trap_dirty_write_and_writeback(void** state) {
  supply_fill(0, 4 * PAGE, 0);
  struct writer w = {.status = 1};
  assert_int_equal(0, pthread_create(&w.t, NULL, write_main, &w));
  // The one page the write touches, not the clean run after it.
  assert_page_request(wait_packet(), ZX_PAGER_VMO_DIRTY, PAGE, PAGE);
  assert_status(ZX_ERR_NOT_FOUND,
                zx_pager_op_range(fx.pager, ZX_PAGER_OP_DIRTY, fx.vmo, PAGE, 15 * PAGE, 0));
  assert_ok(zx_pager_op_range(fx.pager, ZX_PAGER_OP_DIRTY, fx.vmo, PAGE, PAGE, 0));
  assert_int_equal(0, pthread_join(w.t, NULL));
  assert_ok(w.status);
  zx_vmo_dirty_range_t ranges[4];
  size_t actual = 0, avail = 0;
  assert_ok(zx_pager_query_dirty_ranges(fx.pager, fx.vmo, 0, 16 * PAGE, ranges, sizeof(ranges),
                                        &actual, &avail));
  assert_int_equal(1, actual);
  assert_int_equal(1, avail);
  assert_int_equal(PAGE, ranges[0].offset);
  assert_int_equal(PAGE, ranges[0].length);
  assert_ok(zx_pager_op_range(fx.pager, ZX_PAGER_OP_WRITEBACK_BEGIN, fx.vmo, 0, 4 * PAGE, 0));
  assert_status(ZX_ERR_INVALID_ARGS,
                zx_pager_op_range(fx.pager, ZX_PAGER_OP_WRITEBACK_BEGIN, fx.vmo, 0, PAGE, 5));
  assert_ok(zx_pager_op_range(fx.pager, ZX_PAGER_OP_WRITEBACK_END, fx.vmo, 0, 4 * PAGE, 0));
  assert_ok(zx_pager_query_dirty_ranges(fx.pager, fx.vmo, 0, 16 * PAGE, ranges, sizeof(ranges),
                                        &actual, &avail));
  assert_int_equal(0, actual);
  assert_status(ZX_ERR_INVALID_ARGS, zx_pager_op_range(fx.pager, 9, fx.vmo, 0, PAGE, 0));
  assert_status(ZX_ERR_OUT_OF_RANGE,
                zx_pager_op_range(fx.pager, ZX_PAGER_OP_WRITEBACK_END, fx.vmo, 0, 17 * PAGE, 0));
  uint8_t b;
  assert_ok(zx_vmo_read(fx.vmo, &b, PAGE + 1, 1));
  assert_int_equal(0x77, b);
}

// ---- clones of pager-backed VMOs ---------------------------------------------------------------

static uint8_t read_byte(zx_handle_t vmo, uint64_t offset) {
  uint8_t b = 0xee;
  assert_ok(zx_vmo_read(vmo, &b, offset, 1));
  return b;
}

static void start_read_of(struct reader* r, zx_handle_t vmo, uint64_t offset) {
  r->vmo = vmo;
  r->offset = offset;
  r->status = 1;
  assert_int_equal(0, pthread_create(&r->t, NULL, read_main, r));
}

static void pager_clones_read_through_the_pager(void** state) {
  zx_handle_t child, slice;
  // A pager-backed VMO has no eager snapshot (the pager could not keep both sides apart).
  assert_status(ZX_ERR_NOT_SUPPORTED,
                zx_vmo_create_child(fx.vmo, ZX_VMO_CHILD_SNAPSHOT, 0, 8 * PAGE, &child));
  assert_ok(zx_vmo_create_child(fx.vmo, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, 4 * PAGE, 8 * PAGE,
                                &child));
  // A read of the child at a page nobody has asks the parent's pager, at the parent's offset.
  struct reader r;
  start_read_of(&r, child, PAGE + 7);
  zx_port_packet_t p = wait_packet();
  assert_int_equal(ZX_PAGER_VMO_READ, p.page_request.command);
  assert_int_equal(5 * PAGE, p.page_request.offset);
  assert_true(p.page_request.length >= PAGE &&
              p.page_request.offset + p.page_request.length <= 16 * PAGE);
  supply_fill(p.page_request.offset, p.page_request.length, 0x31);
  assert_ok(join(&r));
  assert_int_equal(0x31, r.byte);
  // The child's write is its own; the parent keeps the pager's content.
  uint8_t b = 0x42;
  assert_ok(zx_vmo_write(child, &b, PAGE + 7, 1));
  assert_int_equal(0x42, read_byte(child, PAGE + 7));
  assert_int_equal(0x31, read_byte(fx.vmo, 5 * PAGE + 7));
  // At least on write: the parent's later write to a page the child never wrote shows through.
  supply_fill(6 * PAGE, PAGE, 0x31);  // kept as it is if the first request covered it already
  assert_int_equal(0x31, read_byte(child, 2 * PAGE + 100));
  b = 0x55;
  assert_ok(zx_vmo_write(fx.vmo, &b, 6 * PAGE + 100, 1));
  assert_int_equal(0x55, read_byte(child, 2 * PAGE + 100));
  // ... but not to a page the child wrote.
  assert_ok(zx_vmo_write(fx.vmo, &b, 5 * PAGE + 7, 1));
  assert_int_equal(0x42, read_byte(child, PAGE + 7));

  // Through a mapping of the child, a missing page blocks the simulated CPU until supplied.
  zx_vaddr_t addr;
  assert_ok(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, child, 0,
                        8 * PAGE, &addr));
  // (Child page 0 is parent page 4, which no request has covered: the first began at page 5.)
  struct mapped_reader m = {.va = addr, .status = 1};
  assert_int_equal(0, pthread_create(&m.t, NULL, mapped_read_main, &m));
  p = wait_packet();
  assert_int_equal(ZX_PAGER_VMO_READ, p.page_request.command);
  assert_int_equal(4 * PAGE, p.page_request.offset);
  supply_fill(p.page_request.offset, p.page_request.length, 0x77);
  assert_int_equal(0, pthread_join(m.t, NULL));
  assert_ok(m.status);
  assert_int_equal(0x77, m.byte);
  // A write through the mapping forks the page for the child only.
  b = 0x88;
  assert_ok(zxvm_user_write(zx_process_self(), addr, &b, 1));
  assert_int_equal(0x88, read_byte(child, 0));
  assert_int_equal(0x77, read_byte(fx.vmo, 4 * PAGE));
  assert_ok(zxvm_check(zx_process_self()));
  assert_ok(zx_vmar_unmap(zx_vmar_root_self(), addr, 8 * PAGE));

  // A slice reads the parent's pages, and waits on the pager for missing ones like the parent.
  assert_ok(zx_vmo_create_child(fx.vmo, ZX_VMO_CHILD_SLICE, 0, 4 * PAGE, &slice));
  start_read_of(&r, slice, 2 * PAGE);
  p = wait_packet();
  assert_int_equal(ZX_PAGER_VMO_READ, p.page_request.command);
  assert_int_equal(2 * PAGE, p.page_request.offset);
  // The request covers the read's one page: never more than the access (and so the view) covers.
  assert_int_equal(PAGE, p.page_request.length);
  supply_fill(2 * PAGE, 2 * PAGE, 0x66);
  assert_ok(join(&r));
  assert_int_equal(0x66, r.byte);
  assert_int_equal(0x66, read_byte(fx.vmo, 2 * PAGE));

  zx_handle_t list[] = {child, slice};
  assert_ok(zx_handle_close_many(list, 2));
}

// A request covers the absent pages the access itself covers, through whatever view: a read of a
// slice or a child is not batched past the view's end, nor past the read's end.
struct range_reader {
  pthread_t t;
  zx_handle_t vmo;
  uint64_t offset, len;
  uint8_t buf[4 * 4096];
  zx_status_t status;
};

static void* range_read_main(void* arg) {
  struct range_reader* r = arg;
  r->status = zx_vmo_read(r->vmo, r->buf, r->offset, r->len);
  return NULL;
}

static void read_range_expecting(zx_handle_t vmo, uint64_t offset, uint64_t len,
                                 uint64_t req_offset, uint64_t req_len, uint8_t fill) {
  struct range_reader r = {.vmo = vmo, .offset = offset, .len = len, .status = 1};
  assert_int_equal(0, pthread_create(&r.t, NULL, range_read_main, &r));
  assert_page_request(wait_packet(), ZX_PAGER_VMO_READ, req_offset, req_len);
  supply_fill(req_offset, req_len, fill);
  assert_int_equal(0, pthread_join(r.t, NULL));
  assert_ok(r.status);
  for (uint64_t i = 0; i < len; i++) assert_int_equal(fill, r.buf[i]);
}

static void pager_requests_stay_inside_the_access_and_its_view(void** state) {
  zx_handle_t slice, child;
  assert_ok(zx_vmo_create_child(fx.vmo, ZX_VMO_CHILD_SLICE, 4 * PAGE, 3 * PAGE, &slice));
  assert_ok(zx_vmo_create_child(fx.vmo, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, 8 * PAGE, 2 * PAGE,
                                &child));
  // The whole slice: parent pages 4-6, though 7-15 are absent too.
  read_range_expecting(slice, 0, 3 * PAGE, 4 * PAGE, 3 * PAGE, 0x41);
  // The whole child: parent pages 8-9.
  read_range_expecting(child, 0, 2 * PAGE, 8 * PAGE, 2 * PAGE, 0x42);
  // The parent itself, unaligned: the pages the bytes [10P + 5, 12P + 5) touch.
  read_range_expecting(fx.vmo, 10 * PAGE + 5, 2 * PAGE, 10 * PAGE, 3 * PAGE, 0x43);
  zx_port_packet_t p;
  assert_status(ZX_ERR_TIMED_OUT, zx_port_wait(fx.port, 0, &p));
  zx_handle_t list[] = {slice, child};
  assert_ok(zx_handle_close_many(list, 2));
}

// ---- closing the pager -----------------------------------------------------------------------

static void pager_close_detaches_without_complete(void** state) {
  struct reader r;
  start_read(&r, 0);
  (void)wait_packet();
  assert_ok(zx_handle_close(fx.pager));
  fx.pager = ZX_HANDLE_INVALID;
  assert_status(ZX_ERR_BAD_STATE, join(&r));
  zx_port_packet_t p;
  assert_status(ZX_ERR_TIMED_OUT, zx_port_wait(fx.port, 0, &p));
  // Closing the VMO later sends nothing either.
  assert_ok(zx_handle_close(fx.vmo));
  fx.vmo = ZX_HANDLE_INVALID;
  assert_status(ZX_ERR_TIMED_OUT, zx_port_wait(fx.port, 0, &p));
}

int main(void) {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(pager_create_and_create_vmo_errors),
      T(pager_calls_reject_foreign_vmos),
      T(pager_vmo_read_blocks_until_supply),
      T(pager_mapped_access_blocks_until_supply),
      T(pager_fail_reaches_the_reader),
      T(pager_detach_fails_reader_and_sends_complete),
      T(pager_supply_argument_errors),
      cmocka_unit_test_setup_teardown(pager_trap_dirty_write_and_writeback, setup_trap_dirty,
                                      teardown),
      T(pager_close_detaches_without_complete),
      T(pager_clones_read_through_the_pager),
      T(pager_requests_stay_inside_the_access_and_its_view),
  };
#undef T
  return cmocka_run_group_tests(tests, zx_test_init, NULL);
}
