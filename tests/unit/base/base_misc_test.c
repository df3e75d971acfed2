// Unit tests for the small base modules: list, checked math, prng, mutex and the lock-order
// checker's bookkeeping.
#include "test_util.h"
// zxvm headers after cmocka.
#include "base/checked_math.h"
#include "base/list.h"
#include "base/mutex.h"
#include "base/prng.h"

struct item {
  int v;
  struct list_node node;
};

static void list_add_remove_keeps_order(void** state) {
  struct list_node l = LIST_INITIAL_VALUE(l);
  struct item items[5];
  for (int i = 0; i < 5; i++) {
    items[i].v = i;
    list_node_init(&items[i].node);
    assert_false(list_in_list(&items[i].node));
    list_add_tail(&l, &items[i].node);
  }
  assert_int_equal(5, list_length(&l));
  list_delete(&items[2].node);
  assert_false(list_in_list(&items[2].node));
  int expect[] = {0, 1, 3, 4}, k = 0;
  list_for_every(&l, n) { assert_int_equal(expect[k++], list_entry(n, struct item, node)->v); }
  assert_int_equal(4, k);
  struct list_node other = LIST_INITIAL_VALUE(other);
  list_splice_tail(&other, &l);
  assert_true(list_is_empty(&l));
  assert_int_equal(4, list_length(&other));
  assert_int_equal(0, list_entry(list_remove_head(&other), struct item, node)->v);
  assert_int_equal(4, list_entry(list_remove_tail(&other), struct item, node)->v);
}

static void checked_math_detects_overflow(void** state) {
  uint64_t out;
  assert_false(add_u64(UINT64_MAX, 1, &out));
  assert_true(add_u64(UINT64_MAX - 1, 1, &out));
  assert_int_equal(UINT64_MAX, out);
  assert_false(roundup_page_u64(UINT64_MAX - 10, &out));
  assert_true(roundup_page_u64(1, &out));
  assert_int_equal(4096, out);
  assert_true(roundup_page_u64(0, &out));
  assert_int_equal(0, out);
  assert_true(range_in_bounds(4096, 0, 4096));
  assert_false(range_in_bounds(4097, 0, 4096));
  assert_false(range_in_bounds(1, UINT64_MAX, UINT64_MAX));
  uint64_t b, l;
  assert_true(range_intersect(0, 10, 5, 10, &b, &l));
  assert_int_equal(5, b);
  assert_int_equal(5, l);
  assert_false(range_intersect(0, 5, 5, 10, &b, &l));
  assert_true(range_intersect(UINT64_MAX - 9, 10, UINT64_MAX, 1, &b, &l));
  assert_int_equal(UINT64_MAX, b);
  assert_int_equal(1, l);
}

static void prng_is_deterministic_and_bounded(void** state) {
  struct prng a, b;
  prng_seed(&a, 42);
  prng_seed(&b, 42);
  for (int i = 0; i < 100; i++) assert_int_equal(prng_next(&a), prng_next(&b));
  int hist[7] = {0};
  for (int i = 0; i < 7000; i++) hist[prng_uniform(&a, 7)]++;
  for (int i = 0; i < 7; i++) assert_in_range(hist[i], 700, 1300);
}

static const struct lock_class outer_class = {"test_outer", 10};
static const struct lock_class inner_class = {"test_inner", 20};

static void mutex_tracks_owner(void** state) {
  struct mutex a, b;
  mutex_init(&a, &outer_class);
  mutex_init(&b, &inner_class);
  mutex_lock(&a);
  mutex_lock(&b);
  if (ZXVM_DEBUG_ENABLED) {
    assert_true(mutex_held(&a));
    assert_true(mutex_held(&b));
  }
  mutex_unlock(&a);  // out-of-order release is allowed
  if (ZXVM_DEBUG_ENABLED) assert_false(mutex_held(&a));
  mutex_unlock(&b);
  // Nested same-class locks with increasing subclass are in order.
  struct mutex c;
  mutex_init(&c, &outer_class);
  mutex_lock(&a);
  mutex_lock_nested(&c, 1);
  mutex_unlock(&c);
  mutex_unlock(&a);
  mutex_destroy(&a);
  mutex_destroy(&b);
  mutex_destroy(&c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(list_add_remove_keeps_order),
      cmocka_unit_test(checked_math_detects_overflow),
      cmocka_unit_test(prng_is_deterministic_and_bounded),
      cmocka_unit_test(mutex_tracks_owner),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
