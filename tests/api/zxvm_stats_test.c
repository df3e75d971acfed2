// zxvm_get_stats, black box: the copy-on-write counter counts exactly the pages a write had to
// copy (a page the other side no longer needs moves instead, and is not counted), through VMO
// writes and through mapped writes alike; the pager counter counts each READ and DIRTY request
// sent (not COMPLETE).
#include <pthread.h>

#include "zx_test_util.h"

static uint64_t cow_copies(void) {
  zxvm_stats_t s;
  assert_ok(zxvm_get_stats(&s));
  return s.cow_copies;
}

static void stats_count_copy_on_write_copies(void** state) {
  zx_handle_t parent = make_vmo(2 * PAGE, 0), child;
  assert_ok(zx_vmo_write(parent, "ab", 0, 1));
  assert_ok(zx_vmo_write(parent, "cd", PAGE, 1));
  uint64_t base = cow_copies();
  assert_ok(zx_vmo_create_child(parent, ZX_VMO_CHILD_SNAPSHOT, 0, 2 * PAGE, &child));
  assert_int_equal(base, cow_copies());        // a snapshot copies nothing
  assert_ok(zx_vmo_write(parent, "x", 0, 1));  // the child still needs page 0: copied
  assert_int_equal(base + 1, cow_copies());
  zx_vaddr_t a;
  assert_ok(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, child, 0,
                        2 * PAGE, &a));
  assert_ok(zxvm_user_write(zx_process_self(), a + PAGE, "y", 1));  // parent needs page 1: copied
  assert_int_equal(base + 2, cow_copies());
  // Page 1 of the hidden node is now the parent's alone: its write moves it, no copy.
  assert_ok(zx_vmo_write(parent, "z", PAGE, 1));
  assert_int_equal(base + 2, cow_copies());
  // Page 0 likewise for the child.
  assert_ok(zxvm_user_write(zx_process_self(), a, "w", 1));
  assert_int_equal(base + 2, cow_copies());
  char c;
  assert_ok(zx_vmo_read(child, &c, 0, 1));
  assert_int_equal('w', c);
  assert_ok(zx_vmo_read(parent, &c, 0, 1));
  assert_int_equal('x', c);
  assert_ok(zxvm_check(zx_process_self()));
  assert_ok(zx_vmar_unmap(zx_vmar_root_self(), a, 2 * PAGE));
  zx_handle_t list[] = {parent, child};
  assert_ok(zx_handle_close_many(list, 2));
}

static uint64_t pager_requests(void) {
  zxvm_stats_t s;
  assert_ok(zxvm_get_stats(&s));
  return s.pager_requests;
}

struct rd {
  zx_handle_t vmo;
  zx_status_t status;
};

static void* read_main(void* arg) {
  struct rd* r = arg;
  char c;
  r->status = zx_vmo_read(r->vmo, &c, PAGE, 1);
  return NULL;
}

struct wr {
  zx_handle_t vmo;
  zx_status_t status;
};

static void* write_main(void* arg) {
  struct wr* w = arg;
  w->status = zx_vmo_write(w->vmo, "w", 2 * PAGE, 1);
  return NULL;
}

static void stats_count_pager_requests(void** state) {
  zx_handle_t pager, port, vmo, aux = make_vmo(4 * PAGE, 0);
  assert_ok(zx_pager_create(0, &pager));
  assert_ok(zx_port_create(0, &port));
  assert_ok(zx_pager_create_vmo(pager, ZX_VMO_TRAP_DIRTY, port, 1, 4 * PAGE, &vmo));
  uint64_t base = pager_requests();
  struct rd r = {vmo, 1};
  pthread_t t;
  assert_int_equal(0, pthread_create(&t, NULL, read_main, &r));
  zx_port_packet_t p;
  assert_ok(zx_port_wait(port, zx_deadline_after(ZX_SEC(10)), &p));
  assert_int_equal(ZX_PAGER_VMO_READ, p.page_request.command);
  assert_int_equal(base + 1, pager_requests());
  assert_ok(
      zx_pager_supply_pages(pager, vmo, p.page_request.offset, p.page_request.length, aux, 0));
  assert_int_equal(0, pthread_join(t, NULL));
  assert_ok(r.status);
  assert_int_equal(base + 1, pager_requests());  // a supply sends nothing
  // A TRAP_DIRTY write to a clean page sends a DIRTY request; a page the pager dirtied first
  // needs none.
  zx_handle_t aux2 = make_vmo(4 * PAGE, 0);
  assert_ok(zx_pager_supply_pages(pager, vmo, 0, 4 * PAGE, aux2, 0));  // the rest; present kept
  assert_ok(zx_handle_close(aux2));
  struct wr w = {vmo, 1};
  assert_int_equal(0, pthread_create(&t, NULL, write_main, &w));
  assert_ok(zx_port_wait(port, zx_deadline_after(ZX_SEC(10)), &p));
  assert_int_equal(ZX_PAGER_VMO_DIRTY, p.page_request.command);
  assert_int_equal(base + 2, pager_requests());
  assert_ok(zx_pager_op_range(pager, ZX_PAGER_OP_DIRTY, vmo, p.page_request.offset,
                              p.page_request.length, 0));
  assert_int_equal(0, pthread_join(t, NULL));
  assert_ok(w.status);
  assert_ok(zx_pager_op_range(pager, ZX_PAGER_OP_DIRTY, vmo, 0, PAGE, 0));
  assert_ok(zx_vmo_write(vmo, "d", 0, 1));
  assert_int_equal(base + 2, pager_requests());
  // Detach sends COMPLETE, which is not a request.
  assert_ok(zx_pager_detach_vmo(pager, vmo));
  assert_ok(zx_port_wait(port, zx_deadline_after(ZX_SEC(10)), &p));
  assert_int_equal(ZX_PAGER_VMO_COMPLETE, p.page_request.command);
  assert_int_equal(base + 2, pager_requests());
  zx_handle_t list[] = {vmo, aux, port, pager};
  assert_ok(zx_handle_close_many(list, 4));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(stats_count_copy_on_write_copies),
      cmocka_unit_test(stats_count_pager_requests),
  };
  return cmocka_run_group_tests(tests, zx_test_init, NULL);
}
