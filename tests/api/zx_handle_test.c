// Handles: values, close, duplicate, replace, rights reduction, stale and forged values, koids,
// and the library's implicit initialization (this binary never calls zxvm_init first).
#include "zx_test_util.h"

static void handle_implicit_init_then_init_is_bad_state(void** state) {
  zx_handle_t self = zx_process_self();
  assert_int_not_equal(self, ZX_HANDLE_INVALID);
  assert_int_not_equal(zx_vmar_root_self(), ZX_HANDLE_INVALID);
  assert_int_not_equal(zx_job_default(), ZX_HANDLE_INVALID);
  zxvm_config_t c = {.backend = ZXVM_BACKEND_SOFT};
  assert_status(ZX_ERR_BAD_STATE, zxvm_init(&c));
  // The defaults are stable.
  assert_int_equal(self, zx_process_self());
}

static void handle_values_have_fixed_bits(void** state) {
  for (int i = 0; i < 16; i++) {
    zx_handle_t h = make_vmo(PAGE, 0);
    assert_int_equal(h & ZX_HANDLE_FIXED_BITS_MASK, ZX_HANDLE_FIXED_BITS_MASK);
    assert_ok(zx_handle_close(h));
  }
}

static void handle_close_invalid_is_ok(void** state) {
  assert_ok(zx_handle_close(ZX_HANDLE_INVALID));
}

static void handle_close_stale_is_bad_handle(void** state) {
  zx_handle_t h = make_vmo(PAGE, 0);
  assert_ok(zx_handle_close(h));
  assert_status(ZX_ERR_BAD_HANDLE, zx_handle_close(h));
  uint64_t size;
  assert_status(ZX_ERR_BAD_HANDLE, zx_vmo_get_size(h, &size));
  zx_handle_t dup;
  assert_status(ZX_ERR_BAD_HANDLE, zx_handle_duplicate(h, ZX_RIGHT_SAME_RIGHTS, &dup));
}

static void handle_reused_slot_keeps_old_value_invalid(void** state) {
  zx_handle_t old[64];
  for (int i = 0; i < 64; i++) {
    old[i] = make_vmo(0, 0);
    assert_ok(zx_handle_close(old[i]));
  }
  // New handles reuse slots but never an old value.
  for (int i = 0; i < 64; i++) {
    zx_handle_t h = make_vmo(0, 0);
    for (int j = 0; j < 64; j++) assert_int_not_equal(h, old[j]);
    assert_ok(zx_handle_close(h));
  }
  for (int i = 0; i < 64; i++) assert_status(ZX_ERR_BAD_HANDLE, zx_handle_close(old[i]));
}

static void handle_forged_values_are_bad_handle(void** state) {
  zx_handle_t h = make_vmo(PAGE, 0);
  uint64_t size;
  const zx_handle_t forged[] = {
      1u,                 // low bits not both set
      h & ~1u,            // one fixed bit cleared
      h ^ (1u << 31),     // another generation
      h + (1000u << 2),   // a slot never handed out
      0xfffffffbu & ~0u,  // huge slot index
      ZX_HANDLE_FIXED_BITS_MASK,
  };
  for (size_t i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
    if (forged[i] == h) continue;
    assert_status(ZX_ERR_BAD_HANDLE, zx_vmo_get_size(forged[i], &size));
  }
  assert_ok(zx_vmo_get_size(h, &size));
  assert_ok(zx_handle_close(h));
}

static void handle_duplicate_same_and_fewer_rights(void** state) {
  zx_handle_t h = make_vmo(PAGE, 0);
  zx_handle_t same = dup_with(h, ZX_RIGHT_SAME_RIGHTS);
  assert_int_not_equal(same, h);
  assert_int_equal(handle_rights(same), ZX_DEFAULT_VMO_RIGHTS);
  zx_handle_t ro = dup_with(h, ZX_RIGHT_READ | ZX_RIGHT_INSPECT);
  assert_int_equal(handle_rights(ro), ZX_RIGHT_READ | ZX_RIGHT_INSPECT);
  // Both name the same object.
  zx_info_handle_basic_t a, b;
  assert_ok(zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &a, sizeof(a), NULL, NULL));
  assert_ok(zx_object_get_info(ro, ZX_INFO_HANDLE_BASIC, &b, sizeof(b), NULL, NULL));
  assert_int_equal(a.koid, b.koid);
  // Rights reduction is enforced.
  char buf[4] = {0};
  assert_ok(zx_vmo_read(ro, buf, 0, sizeof(buf)));
  assert_status(ZX_ERR_ACCESS_DENIED, zx_vmo_write(ro, buf, 0, sizeof(buf)));
  // Zero rights is allowed.
  zx_handle_t none = dup_with(h, 0);
  assert_status(ZX_ERR_ACCESS_DENIED, zx_vmo_read(none, buf, 0, sizeof(buf)));
  zx_handle_t handles[] = {h, same, ro, none};
  assert_ok(zx_handle_close_many(handles, 4));
}

static void handle_duplicate_errors(void** state) {
  zx_handle_t h = make_vmo(PAGE, 0);
  zx_handle_t out;
  // More rights than the source: INVALID_ARGS.
  assert_status(ZX_ERR_INVALID_ARGS,
                zx_handle_duplicate(h, ZX_DEFAULT_VMO_RIGHTS | ZX_RIGHT_EXECUTE, &out));
  // Source without DUPLICATE: ACCESS_DENIED (before the rights subset check).
  zx_handle_t nodup = dup_with(h, ZX_RIGHT_READ);
  assert_status(ZX_ERR_ACCESS_DENIED, zx_handle_duplicate(nodup, ZX_RIGHT_READ, &out));
  assert_status(ZX_ERR_ACCESS_DENIED, zx_handle_duplicate(nodup, ZX_RIGHT_WRITE, &out));
  assert_status(ZX_ERR_BAD_HANDLE, zx_handle_duplicate(ZX_HANDLE_INVALID, 0, &out));
  assert_ok(zx_handle_close(nodup));
  assert_ok(zx_handle_close(h));
}

static void handle_replace_consumes(void** state) {
  zx_handle_t h = make_vmo(PAGE, 0);
  zx_handle_t r;
  // replace needs no DUPLICATE right.
  zx_handle_t nodup = dup_with(h, ZX_RIGHT_READ | ZX_RIGHT_WRITE);
  assert_ok(zx_handle_replace(nodup, ZX_RIGHT_READ, &r));
  assert_status(ZX_ERR_BAD_HANDLE, zx_handle_close(nodup));
  assert_int_equal(handle_rights(r), ZX_RIGHT_READ);
  // Asking for more rights fails and still consumes the handle.
  zx_handle_t r2;
  assert_status(ZX_ERR_INVALID_ARGS, zx_handle_replace(r, ZX_RIGHT_WRITE, &r2));
  assert_status(ZX_ERR_BAD_HANDLE, zx_handle_close(r));
  assert_ok(zx_handle_replace(h, ZX_RIGHT_SAME_RIGHTS, &r2));
  assert_int_equal(handle_rights(r2), ZX_DEFAULT_VMO_RIGHTS);
  assert_status(ZX_ERR_BAD_HANDLE, zx_handle_replace(h, ZX_RIGHT_SAME_RIGHTS, &r));
  assert_ok(zx_handle_close(r2));
}

static void handle_close_many_closes_the_valid_ones(void** state) {
  zx_handle_t a = make_vmo(PAGE, 0), b = make_vmo(PAGE, 0);
  zx_handle_t bad = make_vmo(PAGE, 0);
  assert_ok(zx_handle_close(bad));
  zx_handle_t list[] = {a, ZX_HANDLE_INVALID, bad, b};
  assert_status(ZX_ERR_BAD_HANDLE, zx_handle_close_many(list, 4));
  assert_status(ZX_ERR_BAD_HANDLE, zx_handle_close(a));
  assert_status(ZX_ERR_BAD_HANDLE, zx_handle_close(b));
  assert_ok(zx_handle_close_many(NULL, 0));
  assert_status(ZX_ERR_INVALID_ARGS, zx_handle_close_many(NULL, 1));
}

static void handle_koids_unique_and_reserved_range(void** state) {
  zx_koid_t prev = 0;
  for (int i = 0; i < 8; i++) {
    zx_handle_t h = make_vmo(0, 0);
    zx_info_handle_basic_t info;
    assert_ok(zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL));
    assert_true(info.koid >= ZX_KOID_FIRST);
    assert_true(info.koid > prev);
    assert_int_equal(info.type, ZX_OBJ_TYPE_VMO);
    prev = info.koid;
    assert_ok(zx_handle_close(h));
  }
}

static void handle_type_checked_before_arguments(void** state) {
  zx_handle_t vmo = make_vmo(PAGE, 0);
  // A VMO handle given to a VMAR call: WRONG_TYPE even with bad arguments.
  assert_status(ZX_ERR_WRONG_TYPE, zx_vmar_unmap(vmo, 0, 0));
  assert_status(ZX_ERR_WRONG_TYPE, zx_vmar_protect(vmo, 0, 1, 0));
  assert_status(ZX_ERR_WRONG_TYPE, zx_vmar_destroy(vmo));
  // A zero-rights port handle given to a VMO call: WRONG_TYPE, not ACCESS_DENIED.
  zx_handle_t port, port0;
  assert_ok(zx_port_create(0, &port));
  assert_ok(zx_handle_replace(port, 0, &port0));
  char c;
  assert_status(ZX_ERR_WRONG_TYPE, zx_vmo_read(port0, &c, 0, 1));
  assert_status(ZX_ERR_WRONG_TYPE, zx_vmo_get_size(zx_vmar_root_self(), NULL));
  assert_ok(zx_handle_close(port0));
  assert_ok(zx_handle_close(vmo));
}

static void handle_closing_vmo_handle_keeps_mapping(void** state) {
  zx_handle_t vmo = make_vmo(PAGE, 0);
  assert_ok(zx_vmo_write(vmo, "keep", 0, 5));
  zx_vaddr_t addr;
  assert_ok(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, vmo, 0, PAGE, &addr));
  assert_ok(zx_handle_close(vmo));
  char buf[5];
  assert_ok(zxvm_user_read(zx_process_self(), addr, buf, 5));
  assert_string_equal(buf, "keep");
  assert_ok(zx_vmar_unmap(zx_vmar_root_self(), addr, PAGE));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(handle_implicit_init_then_init_is_bad_state),
      cmocka_unit_test(handle_values_have_fixed_bits),
      cmocka_unit_test(handle_close_invalid_is_ok),
      cmocka_unit_test(handle_close_stale_is_bad_handle),
      cmocka_unit_test(handle_reused_slot_keeps_old_value_invalid),
      cmocka_unit_test(handle_forged_values_are_bad_handle),
      cmocka_unit_test(handle_duplicate_same_and_fewer_rights),
      cmocka_unit_test(handle_duplicate_errors),
      cmocka_unit_test(handle_replace_consumes),
      cmocka_unit_test(handle_close_many_closes_the_valid_ones),
      cmocka_unit_test(handle_koids_unique_and_reserved_range),
      cmocka_unit_test(handle_type_checked_before_arguments),
      cmocka_unit_test(handle_closing_vmo_handle_keeps_mapping),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
