// Model-based tests for paged VMOs: random operations checked against a plain byte array, and an
// allocation-failure sweep that fails the n-th allocation of a fixed scenario for every n. The
// invariant checker runs after every step. Seeds print and replay through ZXVM_TEST_SEED.
#include <string.h>

#include "test_util.h"
// The library headers after the test harness.
#include "base/alloc_fail.h"
#include "base/platform.h"
#include "base/prng.h"
#include "pmm/pmm.h"
#include "vm/vm_object_paged.h"

#define P PAGE_SIZE
#define MODEL_MAX (96 * P)  // largest size the random test gives the VMO

static int setup(void** state) {
  (void)state;
  assert_ok(pmm_init(64u << 20));
  return 0;
}

static int teardown(void** state) {
  (void)state;
  alloc_fail_arm(0);
  struct pmm_counts c;
  pmm_get_counts(&c);
  if (c.free_pages + 1 != c.total_pages) {
    print_error("test left %" PRIu64 " pages allocated\n", c.total_pages - 1 - c.free_pages);
    return -1;
  }
  pmm_check();
  pmm_shutdown();
  return 0;
}

// The model: bytes [0, MODEL_MAX), always zero at and beyond the VMO size.
struct model {
  uint8_t bytes[MODEL_MAX];
  uint64_t size;  // page rounded
  uint64_t content_size;
};

static uint8_t scratch[MODEL_MAX + 2 * P];

static void assert_matches_model(struct vm_object_paged* vmo, const struct model* m) {
  assert_int_equal(vm_object_paged_get_size(vmo), m->size);
  assert_int_equal(vm_object_paged_get_content_size(vmo), m->content_size);
  memset(scratch, 0xee, m->size);
  assert_ok(vm_object_paged_read(vmo, scratch, 0, m->size));
  assert_memory_equal(scratch, m->bytes, m->size);
  struct vm_object_paged_stats st;
  vm_object_paged_get_stats(vmo, &st);
  assert_true(st.committed_bytes <= m->size);
}

static uint64_t rand_below(struct prng* r, uint64_t bound) {
  return bound == 0 ? 0 : prng_uniform(r, bound);
}

// A random [offset, offset+len) mostly inside |size|, sometimes just outside.
static void rand_range(struct prng* r, uint64_t size, uint64_t* offset, uint64_t* len) {
  *offset = rand_below(r, size + P / 2);
  switch (prng_uniform(r, 4)) {
    case 0:
      *len = rand_below(r, 64);
      break;
    case 1:
      *len = rand_below(r, 3 * P);
      break;
    case 2:
      *len = rand_below(r, size + 1);
      break;
    default:
      *offset = ROUNDDOWN_PAGE(*offset);
      *len = P * rand_below(r, 8);
      break;
  }
}

static bool in_range(uint64_t offset, uint64_t len, uint64_t size) {
  return offset <= size && len <= size - offset;
}

static void step_write(struct prng* r, struct vm_object_paged* vmo, struct model* m) {
  uint64_t offset, len;
  rand_range(r, m->size, &offset, &len);
  if (len > sizeof(scratch)) len = sizeof(scratch);
  uint8_t seed = (uint8_t)prng_next(r);
  for (uint64_t i = 0; i < len; i++) scratch[i] = (uint8_t)(seed + i * 13);
  zx_status_t status = vm_object_paged_write(vmo, scratch, offset, len);
  if (!in_range(offset, len, m->size)) {
    assert_status(ZX_ERR_OUT_OF_RANGE, status);
    return;
  }
  assert_ok(status);
  memcpy(m->bytes + offset, scratch, len);
}

static void step_read(struct prng* r, struct vm_object_paged* vmo, struct model* m) {
  uint64_t offset, len;
  rand_range(r, m->size, &offset, &len);
  if (len > sizeof(scratch)) len = sizeof(scratch);
  struct vm_object_paged_stats before, after;
  vm_object_paged_get_stats(vmo, &before);
  zx_status_t status = vm_object_paged_read(vmo, scratch, offset, len);
  vm_object_paged_get_stats(vmo, &after);
  assert_int_equal(before.committed_bytes, after.committed_bytes);  // reads never commit
  if (!in_range(offset, len, m->size)) {
    assert_status(ZX_ERR_OUT_OF_RANGE, status);
    return;
  }
  assert_ok(status);
  assert_memory_equal(scratch, m->bytes + offset, len);
}

static void step_zero(struct prng* r, struct vm_object_paged* vmo, struct model* m) {
  uint64_t offset, len;
  rand_range(r, m->size, &offset, &len);
  zx_status_t status = vm_object_paged_zero_range(vmo, offset, len);
  if (len != 0 && !in_range(offset, len, m->size)) {
    assert_status(ZX_ERR_OUT_OF_RANGE, status);
    return;
  }
  assert_ok(status);
  if (len != 0) memset(m->bytes + offset, 0, len);
}

static void step_commit(struct prng* r, struct vm_object_paged* vmo, struct model* m) {
  uint64_t offset, len;
  rand_range(r, m->size, &offset, &len);
  zx_status_t status = vm_object_paged_commit_range(vmo, offset, len);
  assert_status(in_range(offset, len, m->size) ? ZX_OK : ZX_ERR_OUT_OF_RANGE, status);
}

static void step_decommit(struct prng* r, struct vm_object_paged* vmo, struct model* m) {
  uint64_t offset, len;
  rand_range(r, m->size, &offset, &len);
  zx_status_t status = vm_object_paged_decommit_range(vmo, offset, len);
  if (!IS_PAGE_ALIGNED(offset) || !IS_PAGE_ALIGNED(len)) {
    assert_status(ZX_ERR_INVALID_ARGS, status);
  } else if (offset > m->size) {
    assert_status(ZX_ERR_OUT_OF_RANGE, status);  // a range past the end is trimmed (Zircon)
  } else {
    assert_ok(status);
    memset(m->bytes + offset, 0, len < m->size - offset ? len : m->size - offset);
  }
}

// Applies set_size(|size|) to the model: everything from the exact new size on reads as zero.
static void model_set_size(struct model* m, uint64_t size) {
  memset(m->bytes + size, 0, MODEL_MAX - size);
  m->size = (size + PAGE_MASK) & ~PAGE_MASK;
  m->content_size = size;
}

static void step_set_size(struct prng* r, struct vm_object_paged* vmo, struct model* m) {
  uint64_t size = rand_below(r, MODEL_MAX + 1);
  assert_ok(vm_object_paged_set_size(vmo, size));
  model_set_size(m, size);
}

static void step_fault(struct prng* r, struct vm_object_paged* vmo, struct model* m) {
  uint64_t offset = rand_below(r, m->size + P);
  bool write = prng_uniform(r, 2);
  struct vm_page* page;
  bool writable;
  vm_object_lock(&vmo->base);
  zx_status_t status =
      vm_object_paged_lookup_page_locked(vmo, offset, write, NULL, &page, &writable);
  if (offset >= m->size) {
    assert_status(ZX_ERR_OUT_OF_RANGE, status);
  } else {
    assert_ok(status);
    assert_int_equal(writable, page != pmm_zero_page());
    if (write) assert_true(writable);
    assert_memory_equal(vm_page_to_physmap(page), m->bytes + ROUNDDOWN_PAGE(offset), P);
  }
  vm_object_unlock(&vmo->base);
}

static void vmo_random_ops_match_model(void** state) {
  (void)state;
  struct prng r;
  prng_seed(&r, test_seed("vmo_random_ops_match_model"));
  static struct model m;
  for (int round = 0; round < 4; round++) {
    memset(&m, 0, sizeof(m));
    uint64_t size = rand_below(&r, MODEL_MAX + 1);
    struct vm_object_paged* vmo;
    assert_ok(vm_object_paged_create(VM_OBJECT_PAGED_RESIZABLE, size, &vmo));
    m.size = (size + PAGE_MASK) & ~PAGE_MASK;
    m.content_size = size;
    for (int step = 0; step < 1500; step++) {
      uint64_t pick = prng_uniform(&r, 100);
      if (pick < 30) {
        step_write(&r, vmo, &m);
      } else if (pick < 50) {
        step_read(&r, vmo, &m);
      } else if (pick < 62) {
        step_zero(&r, vmo, &m);
      } else if (pick < 72) {
        step_commit(&r, vmo, &m);
      } else if (pick < 82) {
        step_decommit(&r, vmo, &m);
      } else if (pick < 90) {
        step_set_size(&r, vmo, &m);
      } else {
        step_fault(&r, vmo, &m);
      }
      vm_object_paged_check(vmo);
      if (step % 50 == 0) assert_matches_model(vmo, &m);
    }
    assert_matches_model(vmo, &m);
    vm_object_paged_release(vmo);
  }
}

// ---- allocation-failure sweep ----

struct sweep {
  struct vm_object_paged* vmo;
  struct model m;
  uint32_t no_memory;  // steps that returned ZX_ERR_NO_MEMORY
};

// Checks a step's status: OK (then |apply| the model) or NO_MEMORY (model unchanged); then the
// checker and a full comparison.
static bool sweep_status(struct sweep* s, zx_status_t status) {
  if (status == ZX_ERR_NO_MEMORY) {
    s->no_memory++;
  } else {
    assert_ok(status);
  }
  vm_object_paged_check(s->vmo);
  return status == ZX_OK;
}

static void sweep_write(struct sweep* s, uint64_t offset, uint64_t len, uint8_t seed) {
  for (uint64_t i = 0; i < len; i++) scratch[i] = (uint8_t)(seed + i * 31);
  if (sweep_status(s, vm_object_paged_write(s->vmo, scratch, offset, len))) {
    memcpy(s->m.bytes + offset, scratch, len);
  }
  assert_matches_model(s->vmo, &s->m);
}

static void sweep_scenario(struct sweep* s) {
  const uint64_t size = 40 * P + 100;
  zx_status_t status = vm_object_paged_create(VM_OBJECT_PAGED_RESIZABLE, size, &s->vmo);
  if (status == ZX_ERR_NO_MEMORY) {
    s->no_memory++;
    s->vmo = NULL;
    return;
  }
  assert_ok(status);
  s->m.size = 41 * P;
  s->m.content_size = size;
  sweep_write(s, 100, 10 * P - 100, 1);
  sweep_status(s, vm_object_paged_commit_range(s->vmo, 12 * P, 8 * P));
  assert_matches_model(s->vmo, &s->m);
  assert_ok(vm_object_paged_set_size(s->vmo, 60 * P));
  model_set_size(&s->m, 60 * P);
  sweep_write(s, 50 * P - 7, 8 * P + 7, 2);
  assert_ok(vm_object_paged_set_size(s->vmo, 30 * P + 5));
  model_set_size(&s->m, 30 * P + 5);
  assert_ok(vm_object_paged_zero_range(s->vmo, 5 * P + 3, 10 * P));
  memset(s->m.bytes + 5 * P + 3, 0, 10 * P);
  sweep_write(s, P / 2, 3 * P, 3);
  sweep_write(s, 20 * P + 1, 9 * P, 4);
  struct vm_page* page;
  bool writable;
  vm_object_lock(&s->vmo->base);
  status = vm_object_paged_lookup_page_locked(s->vmo, 25 * P, true, NULL, &page, &writable);
  vm_object_unlock(&s->vmo->base);
  sweep_status(s, status);
  assert_ok(vm_object_paged_decommit_range(s->vmo, 20 * P, 4 * P));
  memset(s->m.bytes + 20 * P, 0, 4 * P);
  assert_matches_model(s->vmo, &s->m);
}

static void vmo_alloc_failure_sweep(void** state) {
  (void)state;
  struct pmm_counts baseline;
  pmm_get_counts(&baseline);
  static struct sweep s;
  uint64_t n = 1;
  for (;; n++) {
    memset(&s, 0, sizeof(s));
    alloc_fail_arm(n);
    sweep_scenario(&s);
    bool fired = alloc_fail_fired();
    alloc_fail_arm(0);
    if (fired) assert_true(s.no_memory >= 1);
    if (!fired) assert_int_equal(s.no_memory, 0);
    if (s.vmo) vm_object_paged_release(s.vmo);
    struct pmm_counts now;
    pmm_get_counts(&now);
    assert_int_equal(now.free_pages, baseline.free_pages);
    assert_int_equal(now.by_state[VM_PAGE_STATE_OBJECT], baseline.by_state[VM_PAGE_STATE_OBJECT]);
    pmm_check();
    if (!fired) break;
  }
  printf("[sweep] %" PRIu64 " allocation sites exercised\n", n - 1);
  assert_true(n > 5);  // the scenario has several allocating steps
}

// ---- concurrency ----

#define THREADS 4
#define REGION (16 * P)  // each thread owns one region of the shared VMO

struct worker {
  struct vm_object_paged* vmo;
  uint64_t seed;
  uint32_t index;
  uint32_t mismatches;
  uint8_t model[REGION];
  uint8_t buf[REGION];
};

static void* worker_main(void* arg) {
  struct worker* w = arg;
  struct prng r;
  prng_seed(&r, w->seed + w->index);
  const uint64_t base = w->index * REGION;
  for (int i = 0; i < 3000; i++) {
    uint64_t off = prng_uniform(&r, REGION), len = 1 + prng_uniform(&r, REGION - off);
    switch (prng_uniform(&r, 5)) {
      case 0:
      case 1:
        for (uint64_t k = 0; k < len; k++) w->buf[k] = (uint8_t)prng_next(&r);
        if (vm_object_paged_write(w->vmo, w->buf, base + off, len) != ZX_OK) w->mismatches++;
        memcpy(w->model + off, w->buf, len);
        break;
      case 2:
        if (vm_object_paged_zero_range(w->vmo, base + off, len) != ZX_OK) w->mismatches++;
        memset(w->model + off, 0, len);
        break;
      case 3:
        off = ROUNDDOWN_PAGE(off);
        len = ROUNDDOWN_PAGE(len);
        if (off + len > REGION) len = REGION - off;
        if (vm_object_paged_decommit_range(w->vmo, base + off, len) != ZX_OK) w->mismatches++;
        memset(w->model + off, 0, len);
        break;
      default:
        if (vm_object_paged_read(w->vmo, w->buf, base + off, len) != ZX_OK ||
            memcmp(w->buf, w->model + off, len) != 0) {
          w->mismatches++;
        }
        break;
    }
  }
  return NULL;
}

static void vmo_concurrent_disjoint_regions(void** state) {
  (void)state;
  uint64_t seed = test_seed("vmo_concurrent_disjoint_regions");
  struct vm_object_paged* vmo;
  assert_ok(vm_object_paged_create(0, THREADS * REGION, &vmo));
  static struct worker workers[THREADS];
  struct platform_thread* threads[THREADS];
  for (uint32_t t = 0; t < THREADS; t++) {
    memset(&workers[t], 0, sizeof(workers[t]));
    workers[t].vmo = vmo;
    workers[t].seed = seed;
    workers[t].index = t;
    assert_ok(platform_thread_create(worker_main, &workers[t], &threads[t]));
  }
  for (uint32_t t = 0; t < THREADS; t++) platform_thread_join(threads[t]);
  for (uint32_t t = 0; t < THREADS; t++) {
    assert_int_equal(workers[t].mismatches, 0);
    assert_ok(vm_object_paged_read(vmo, scratch, t * REGION, REGION));
    assert_memory_equal(scratch, workers[t].model, REGION);
  }
  vm_object_paged_check(vmo);
  vm_object_paged_release(vmo);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(vmo_random_ops_match_model, setup, teardown),
      cmocka_unit_test_setup_teardown(vmo_alloc_failure_sweep, setup, teardown),
      cmocka_unit_test_setup_teardown(vmo_concurrent_disjoint_regions, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
