// Tests for the VMO mapping tree (vm_object.c): fake mapping nodes recording their range_change
// calls; random inserts, removals and range changes compared with a brute-force scan (exactly
// the intersecting nodes, each once, in {object_offset, address} order); augmentation and the
// maximal mapped range.
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
// The library headers after the test harness.
#include "base/prng.h"
#include "pmm/pmm.h"
#include "vm/vm_object_paged.h"

#define P PAGE_SIZE
#define MAX_NODES 300

struct fake_mapping {
  struct vm_object_mapping_node node;
  bool in_tree;
  uint32_t calls;
};

static struct fake_mapping fakes[MAX_NODES];
static struct fake_mapping* visited[MAX_NODES + 1];
static size_t visited_count;
static uint32_t expected_op;

static void record(struct vm_object_mapping_node* n, uint32_t op, uint64_t offset, uint64_t len) {
  struct fake_mapping* f = containerof(n, struct fake_mapping, node);
  assert_int_equal(op, expected_op);
  assert_true(visited_count < MAX_NODES);
  visited[visited_count++] = f;
  f->calls++;
}

static int setup(void** state) {
  (void)state;
  assert_ok(pmm_init(16u << 20));
  return 0;
}

static int teardown(void** state) {
  (void)state;
  pmm_shutdown();
  return 0;
}

static int key_order(const void* a, const void* b) {
  const struct fake_mapping* x = *(struct fake_mapping* const*)a;
  const struct fake_mapping* y = *(struct fake_mapping* const*)b;
  if (x->node.object_offset != y->node.object_offset) {
    return x->node.object_offset < y->node.object_offset ? -1 : 1;
  }
  return (uintptr_t)&x->node < (uintptr_t)&y->node ? -1 : 1;
}

static bool intersects(const struct fake_mapping* f, uint64_t offset, uint64_t len) {
  uint64_t last = offset + len - 1 < offset ? UINT64_MAX : offset + len - 1;
  return len != 0 && f->node.object_offset <= last &&
         f->node.object_offset + (f->node.size - 1) >= offset;
}

// Runs one range change and compares the visit sequence with brute force.
static void check_range(struct vm_object* obj, uint64_t offset, uint64_t len, uint32_t op) {
  static struct fake_mapping* expect[MAX_NODES];
  size_t n = 0;
  for (size_t i = 0; i < MAX_NODES; i++) {
    if (fakes[i].in_tree && intersects(&fakes[i], offset, len)) expect[n++] = &fakes[i];
  }
  qsort(expect, n, sizeof(expect[0]), key_order);
  visited_count = 0;
  expected_op = op;
  vm_object_lock(obj);
  vm_object_range_change_update_locked(obj, offset, len, (enum vm_range_change_op)op);
  vm_object_unlock(obj);
  if (visited_count != n) {
    print_error("range %#" PRIx64 "+%#" PRIx64 ": visited %zu, expected %zu\n", offset, len,
                visited_count, n);
  }
  assert_int_equal(visited_count, n);
  for (size_t i = 0; i < n; i++) assert_ptr_equal(visited[i], expect[i]);
}

static void check_tree(struct vm_object* obj) {
  uint64_t lo = UINT64_MAX, max_last = 0;
  size_t count = 0;
  for (size_t i = 0; i < MAX_NODES; i++) {
    if (!fakes[i].in_tree) continue;
    count++;
    if (fakes[i].node.object_offset < lo) lo = fakes[i].node.object_offset;
    uint64_t last = fakes[i].node.object_offset + fakes[i].node.size - 1;
    if (last > max_last) max_last = last;
  }
  vm_object_lock(obj);
  vm_object_check_locked(obj);  // wavl_check verifies every subtree_max_last_offset
  assert_int_equal(vm_object_mapping_count_locked(obj), count);
  uint64_t off = 0, len = 0;
  bool any = vm_object_get_maximal_mapped_range_locked(obj, &off, &len);
  vm_object_unlock(obj);
  assert_int_equal(any, count != 0);
  if (any) {
    assert_int_equal(off, lo);
    assert_int_equal(off + (len - 1), max_last);
  }
}

static void random_node(struct prng* r, struct fake_mapping* f) {
  memset(f, 0, sizeof(*f));
  switch (prng_uniform(r, 4)) {
    case 0:  // few distinct offsets: many equal keys broken by address
      f->node.object_offset = P * prng_uniform(r, 4);
      f->node.size = P * (1 + prng_uniform(r, 8));
      break;
    case 1:  // near the top of the 64-bit space, up to the last byte
      f->node.size = P * (1 + prng_uniform(r, 4));
      f->node.object_offset = (UINT64_MAX - f->node.size + 1) - P * prng_uniform(r, 4);
      break;
    default:
      f->node.object_offset = prng_uniform(r, 1000 * P);
      f->node.size = 1 + prng_uniform(r, 64 * P);
      break;
  }
  f->node.range_change = record;
}

// A query touching an edge of a mapping in the tree: ending at its first byte, or starting at its
// last byte or just after it (the off-by-one cases of the pruning).
static bool edge_query(struct prng* r, uint64_t* offset, uint64_t* len) {
  const struct fake_mapping* f = &fakes[prng_uniform(r, MAX_NODES)];
  if (!f->in_tree) return false;
  uint64_t first = f->node.object_offset, last = first + (f->node.size - 1);
  switch (prng_uniform(r, 3)) {
    case 0:
      *len = 1 + prng_uniform(r, 4 * P);
      *offset = first >= *len - 1 ? first - (*len - 1) : 0;
      return true;
    case 1:
      *offset = last;
      break;
    default:
      if (last == UINT64_MAX) return false;
      *offset = last + 1;
      break;
  }
  *len = 1 + prng_uniform(r, 4 * P);
  return true;
}

static void random_query(struct prng* r, uint64_t* offset, uint64_t* len) {
  if (prng_uniform(r, 3) == 0 && edge_query(r, offset, len)) return;
  switch (prng_uniform(r, 5)) {
    case 0:
      *offset = prng_uniform(r, 4 * P);
      *len = 1 + prng_uniform(r, P);
      break;
    case 1:
      *offset = UINT64_MAX - prng_uniform(r, 8 * P);
      *len = 1 + prng_uniform(r, 16 * P);  // may run past 2^64: clipped
      break;
    case 2:
      *offset = 0;
      *len = UINT64_MAX;
      break;
    case 3:
      *offset = prng_uniform(r, 1100 * P);
      *len = prng_uniform(r, 2);  // includes len 0
      break;
    default:
      *offset = prng_uniform(r, 1100 * P);
      *len = 1 + prng_uniform(r, 200 * P);
      break;
  }
}

static void vmo_mapping_tree_range_change_matches_brute_force(void** state) {
  (void)state;
  struct prng r;
  prng_seed(&r, test_seed("vmo_mapping_tree_range_change_matches_brute_force"));
  struct vm_object_paged* vmo;
  assert_ok(vm_object_paged_create(0, P, &vmo));
  struct vm_object* obj = &vmo->base;
  memset(fakes, 0, sizeof(fakes));
  check_tree(obj);
  for (int step = 0; step < 4000; step++) {
    size_t i = prng_uniform(&r, MAX_NODES);
    vm_object_lock(obj);
    if (fakes[i].in_tree) {
      vm_object_remove_mapping_locked(obj, &fakes[i].node);
      fakes[i].in_tree = false;
    } else {
      random_node(&r, &fakes[i]);
      vm_object_add_mapping_locked(obj, &fakes[i].node);
      fakes[i].in_tree = true;
    }
    vm_object_unlock(obj);
    if (step % 16 == 0) check_tree(obj);
    uint64_t offset, len;
    random_query(&r, &offset, &len);
    check_range(obj, offset, len, (uint32_t)prng_uniform(&r, 5));
  }
  check_tree(obj);
  vm_object_lock(obj);
  for (size_t i = 0; i < MAX_NODES; i++) {
    if (fakes[i].in_tree) vm_object_remove_mapping_locked(obj, &fakes[i].node);
    fakes[i].in_tree = false;
  }
  vm_object_unlock(obj);
  check_tree(obj);
  vm_object_paged_release(vmo);
}

static void vmo_mapping_tree_small_cases(void** state) {
  (void)state;
  struct vm_object_paged* vmo;
  assert_ok(vm_object_paged_create(0, P, &vmo));
  struct vm_object* obj = &vmo->base;
  memset(fakes, 0, sizeof(fakes));
  // [0,P) [P,3P) [2P,2P+1) and a zero-offset mapping covering everything.
  const uint64_t ranges[][2] = {{0, P}, {P, 2 * P}, {2 * P, 1}, {0, 10 * P}};
  vm_object_lock(obj);
  for (size_t i = 0; i < countof(ranges); i++) {
    fakes[i].node.object_offset = ranges[i][0];
    fakes[i].node.size = ranges[i][1];
    fakes[i].node.range_change = record;
    vm_object_add_mapping_locked(obj, &fakes[i].node);
    fakes[i].in_tree = true;
  }
  vm_object_unlock(obj);
  check_tree(obj);
  check_range(obj, P - 1, 1, RANGE_CHANGE_OP_UNMAP);  // [0,P) and the big one
  assert_int_equal(visited_count, 2);
  check_range(obj, P, 1, RANGE_CHANGE_OP_REMOVE_WRITE);  // [P,3P) and the big one
  assert_int_equal(visited_count, 2);
  check_range(obj, 2 * P, P, RANGE_CHANGE_OP_UNMAP);  // three
  assert_int_equal(visited_count, 3);
  check_range(obj, 10 * P, P, RANGE_CHANGE_OP_UNMAP);  // none
  assert_int_equal(visited_count, 0);
  check_range(obj, 0, 0, RANGE_CHANGE_OP_UNMAP);  // empty range: none
  assert_int_equal(visited_count, 0);
  vm_object_lock(obj);
  for (size_t i = 0; i < countof(ranges); i++) vm_object_remove_mapping_locked(obj, &fakes[i].node);
  vm_object_unlock(obj);
  vm_object_paged_release(vmo);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(vmo_mapping_tree_small_cases, setup, teardown),
      cmocka_unit_test_setup_teardown(vmo_mapping_tree_range_change_matches_brute_force, setup,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
