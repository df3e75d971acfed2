// The handle table under concurrency: threads create, duplicate, replace, look up and close
// handles, some closing handles another thread made, while the table must stay consistent (every
// lookup of a live handle succeeds, every closed value fails with ZX_ERR_BAD_HANDLE). Runs under
// ThreadSanitizer (label concurrency).
#include <pthread.h>
#include <stdatomic.h>

#include "zx_test_util.h"

#define THREADS 4
#define ITERATIONS 2000
#define SHARED_SLOTS 64

static _Atomic zx_handle_t shared[SHARED_SLOTS];
static _Atomic int failures;

static void expect(bool ok) {
  if (!ok) atomic_fetch_add(&failures, 1);
}

static void* churn(void* arg) {
  unsigned seed = (unsigned)(uintptr_t)arg * 7919u + 1;
  for (int i = 0; i < ITERATIONS; i++) {
    seed = seed * 1103515245u + 12345u;
    zx_handle_t vmo;
    expect(zx_vmo_create(PAGE, 0, &vmo) == ZX_OK);
    zx_handle_t dup;
    expect(zx_handle_duplicate(vmo, ZX_RIGHT_READ | ZX_RIGHT_DUPLICATE, &dup) == ZX_OK);
    uint64_t size = 0;
    expect(zx_vmo_get_size(dup, &size) == ZX_OK && size == PAGE);
    zx_handle_t rep;
    expect(zx_handle_replace(dup, ZX_RIGHT_READ, &rep) == ZX_OK);
    expect(zx_vmo_get_size(dup, &size) == ZX_ERR_BAD_HANDLE);
    expect(zx_handle_close(rep) == ZX_OK);
    expect(zx_handle_close(rep) == ZX_ERR_BAD_HANDLE);
    // Park the VMO in a shared slot; close whatever was there (made by any thread).
    zx_handle_t old = atomic_exchange(&shared[(seed >> 8) % SHARED_SLOTS], vmo);
    if (old != ZX_HANDLE_INVALID) {
      expect(zx_vmo_get_size(old, &size) == ZX_OK);
      expect(zx_handle_close(old) == ZX_OK);
    }
  }
  return NULL;
}

static void handle_table_concurrent_churn(void** state) {
  size_t before;
  zxvm_stats_t stats;
  assert_ok(zxvm_get_stats(&stats));
  before = stats.handles;
  pthread_t threads[THREADS];
  for (uintptr_t i = 0; i < THREADS; i++) {
    assert_int_equal(0, pthread_create(&threads[i], NULL, churn, (void*)i));
  }
  for (int i = 0; i < THREADS; i++) pthread_join(threads[i], NULL);
  assert_int_equal(0, atomic_load(&failures));
  for (int i = 0; i < SHARED_SLOTS; i++) {
    zx_handle_t h = atomic_exchange(&shared[i], ZX_HANDLE_INVALID);
    if (h != ZX_HANDLE_INVALID) assert_ok(zx_handle_close(h));
  }
  assert_ok(zxvm_get_stats(&stats));
  assert_int_equal(before, stats.handles);
  assert_ok(zxvm_check(zx_process_self()));
}

static void* wait_for_signal(void* arg) {
  zx_handle_t vmo = (zx_handle_t)(uintptr_t)arg;
  zx_signals_t observed = 0;
  zx_status_t status = zx_object_wait_one(vmo, ZX_USER_SIGNAL_1, ZX_TIME_INFINITE, &observed);
  expect(status == ZX_OK && (observed & ZX_USER_SIGNAL_1));
  return NULL;
}

static void handle_signal_wakes_waiters(void** state) {
  zx_handle_t vmo = make_vmo(PAGE, 0);
  pthread_t threads[THREADS];
  for (int i = 0; i < THREADS; i++) {
    assert_int_equal(0, pthread_create(&threads[i], NULL, wait_for_signal, (void*)(uintptr_t)vmo));
  }
  assert_ok(zx_nanosleep(zx_deadline_after(ZX_MSEC(20))));
  assert_ok(zx_object_signal(vmo, 0, ZX_USER_SIGNAL_1));
  for (int i = 0; i < THREADS; i++) pthread_join(threads[i], NULL);
  assert_int_equal(0, atomic_load(&failures));
  assert_ok(zx_handle_close(vmo));
}

static void* close_soon(void* arg) {
  zx_nanosleep(zx_deadline_after(ZX_MSEC(20)));
  expect(zx_handle_close((zx_handle_t)(uintptr_t)arg) == ZX_OK);
  return NULL;
}

static void handle_close_cancels_wait(void** state) {
  zx_handle_t vmo = make_vmo(PAGE, 0);
  pthread_t t;
  assert_int_equal(0, pthread_create(&t, NULL, close_soon, (void*)(uintptr_t)vmo));
  zx_signals_t observed = 0;
  assert_status(ZX_ERR_CANCELED,
                zx_object_wait_one(vmo, ZX_USER_SIGNAL_0, ZX_TIME_INFINITE, &observed));
  assert_true(observed & ZX_SIGNAL_HANDLE_CLOSED);
  pthread_join(t, NULL);
  assert_int_equal(0, atomic_load(&failures));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(handle_table_concurrent_churn),
      cmocka_unit_test(handle_signal_wakes_waiters),
      cmocka_unit_test(handle_close_cancels_wait),
  };
  return cmocka_run_group_tests(tests, zx_test_init, NULL);
}
