// zxvm_get_stats, black box: the copy-on-write counter counts exactly the pages a write had to
// copy (a page the other side no longer needs moves instead, and is not counted), through VMO
// writes and through mapped writes alike.
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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(stats_count_copy_on_write_copies),
  };
  return cmocka_run_group_tests(tests, zx_test_init, NULL);
}
