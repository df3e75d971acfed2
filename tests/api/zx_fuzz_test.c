// Randomized calls of the zx_ API with arguments that are often wrong: stale, forged and
// wrong-type handles, reduced rights, unknown options and ops, unaligned and overflowing ranges,
// short buffers, addresses inside and outside mappings. Whatever the call returns must be a
// documented status (never a crash, never a success where the handle cannot be valid), and the
// invariant checker must pass after every step. At the end every handle is closed and the pages
// the test's VMOs held are all back. The seed is printed; ZXVM_TEST_SEED=<seed> replays a run.
#include <pthread.h>

#include "zx_test_util.h"

#define STEPS 6000u
#define POOL 24u

struct rng {
  uint64_t s;
};

static uint64_t next(struct rng* r) {  // xorshift64*
  r->s ^= r->s >> 12;
  r->s ^= r->s << 25;
  r->s ^= r->s >> 27;
  return r->s * 0x2545f4914f6cdd1dull;
}

static uint64_t below(struct rng* r, uint64_t n) { return n ? next(r) % n : 0; }

static bool chance(struct rng* r, unsigned percent) { return below(r, 100) < percent; }

// A handle from the pool (possibly closed since), or a forged or invalid value now and then.
static zx_handle_t pick(struct rng* r, const zx_handle_t* pool) {
  switch (below(r, 20)) {
    case 0:
      return ZX_HANDLE_INVALID;
    case 1:
      return (zx_handle_t)(next(r) | 3u);  // forged: low bits set like a real one
    case 2:
      return zx_vmar_root_self();
    case 3:
      return zx_process_self();
    default:
      return pool[below(r, POOL)];
  }
}

// Offsets and lengths around the interesting edges: 0, page multiples, sizes, overflow.
static uint64_t edge(struct rng* r) {
  switch (below(r, 8)) {
    case 0:
      return 0;
    case 1:
      return below(r, 16) * PAGE;
    case 2:
      return below(r, 16 * PAGE);
    case 3:
      return UINT64_MAX - below(r, 2 * PAGE);
    case 4:
      return (uint64_t)1 << below(r, 64);
    case 5:
      return PAGE - 1 + below(r, 3);
    default:
      return below(r, 64) * PAGE;
  }
}

static uint32_t some_options(struct rng* r, uint32_t known) {
  if (chance(r, 10)) return (uint32_t)next(r);  // unknown bits too
  return (uint32_t)next(r) & known;
}

// Adds |h| to the pool, closing what it replaces.
static void keep(struct rng* r, zx_handle_t* pool, zx_handle_t h) {
  uint64_t i = below(r, POOL);
  if (pool[i] != ZX_HANDLE_INVALID) (void)zx_handle_close(pool[i]);
  pool[i] = h;
}

// Every status is one zx_status_t Fuchsia documents for these calls (or ZX_OK).
static void assert_documented(zx_status_t s, uint64_t step) {
  switch (s) {
    case ZX_OK:
    case ZX_ERR_INVALID_ARGS:
    case ZX_ERR_BAD_HANDLE:
    case ZX_ERR_WRONG_TYPE:
    case ZX_ERR_ACCESS_DENIED:
    case ZX_ERR_OUT_OF_RANGE:
    case ZX_ERR_NOT_SUPPORTED:
    case ZX_ERR_BAD_STATE:
    case ZX_ERR_NO_MEMORY:
    case ZX_ERR_NO_RESOURCES:
    case ZX_ERR_ALREADY_EXISTS:
    case ZX_ERR_NOT_FOUND:
    case ZX_ERR_BUFFER_TOO_SMALL:
    case ZX_ERR_UNAVAILABLE:
    case ZX_ERR_TIMED_OUT:
    case ZX_ERR_SHOULD_WAIT:
      return;
    default:
      fail_msg("step %lu: undocumented status %d", (unsigned long)step, s);
  }
}

// The shared state of a run: the handle pool (guarded by |lock| when threads share it) and the
// sub-VMAR everything is mapped in.
struct fuzz {
  pthread_mutex_t lock;
  zx_handle_t pool[POOL];
  zx_handle_t vmar;
  zx_vaddr_t vmar_base;
};

static zx_handle_t pool_get(struct fuzz* f, struct rng* r) {
  pthread_mutex_lock(&f->lock);
  zx_handle_t h = pick(r, f->pool);
  pthread_mutex_unlock(&f->lock);
  return h;
}

static void pool_put(struct fuzz* f, struct rng* r, zx_handle_t h) {
  pthread_mutex_lock(&f->lock);
  keep(r, f->pool, h);
  pthread_mutex_unlock(&f->lock);
}

static void pool_forget(struct fuzz* f, zx_handle_t h) {
  pthread_mutex_lock(&f->lock);
  for (unsigned i = 0; i < POOL; i++) {
    if (f->pool[i] == h) f->pool[i] = ZX_HANDLE_INVALID;
  }
  pthread_mutex_unlock(&f->lock);
}

// One random call; returns its status (already checked to be documented).
static zx_status_t fuzz_step(struct fuzz* f, struct rng* r, uint8_t* buf, size_t buf_size,
                             uint64_t step) {
  zx_handle_t vmar = f->vmar;
  zx_vaddr_t vmar_base = f->vmar_base;
  zx_handle_t h = pool_get(f, r);
  // VMAR calls go to the sub-VMAR, or to a random handle that is not the root VMAR (whose
  // unmap could take the sub-VMAR away).
  zx_handle_t target = chance(r, 80) || h == zx_vmar_root_self() ? vmar : h;
  uint64_t off = edge(r), len = chance(r, 70) ? below(r, buf_size + 1) : edge(r);
  size_t blen = len <= buf_size ? (size_t)len : buf_size;
  zx_status_t s = ZX_OK;
  zx_handle_t out = ZX_HANDLE_INVALID;
  switch (below(r, 16)) {
    case 0:
      s = zx_vmo_create(edge(r) % (64 * PAGE + 2),
                        some_options(r, ZX_VMO_RESIZABLE | ZX_VMO_DISCARDABLE), &out);
      break;
    case 1:
      s = zx_vmo_write(h, buf, off, blen);
      break;
    case 2:
      s = zx_vmo_read(h, buf, off, blen);
      break;
    case 3:
      s = zx_vmo_set_size(h, edge(r) % (64 * PAGE + 2));
      break;
    case 4:
      s = zx_vmo_op_range(h, (uint32_t)below(r, 24), off, len, chance(r, 50) ? buf : NULL, blen);
      break;
    case 5: {
      uint32_t type =
          (uint32_t[]){ZX_VMO_CHILD_SNAPSHOT,          ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
                       ZX_VMO_CHILD_SNAPSHOT_MODIFIED, ZX_VMO_CHILD_SLICE,
                       ZX_VMO_CHILD_REFERENCE,         0}[below(r, 6)];
      uint32_t extra = some_options(r, ZX_VMO_CHILD_NO_WRITE | ZX_VMO_CHILD_RESIZABLE);
      s = zx_vmo_create_child(h, type | extra, off, edge(r) % (64 * PAGE + 2), &out);
      break;
    }
    case 6: {
      zx_vm_option_t perms =
          some_options(r, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE | ZX_VM_SPECIFIC |
                              ZX_VM_SPECIFIC_OVERWRITE | ZX_VM_MAP_RANGE | ZX_VM_ALLOW_FAULTS);
      zx_vaddr_t addr;
      s = zx_vmar_map(target, perms, below(r, 1024) * PAGE, h, off,
                      chance(r, 80) ? (1 + below(r, 16)) * PAGE : len, &addr);
      break;
    }
    case 7:
      s = zx_vmar_unmap(target, vmar_base + below(r, 1100) * PAGE, (1 + below(r, 32)) * PAGE);
      break;
    case 8:
      s = zx_vmar_protect(target, some_options(r, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE),
                          vmar_base + below(r, 1100) * PAGE, (1 + below(r, 32)) * PAGE);
      break;
    case 9:
      s = zx_vmar_op_range(target, (uint32_t)below(r, 12), vmar_base + below(r, 1100) * PAGE,
                           (1 + below(r, 32)) * PAGE, NULL, 0);
      break;
    case 10:
      s = zx_handle_duplicate(h, chance(r, 50) ? ZX_RIGHT_SAME_RIGHTS : (zx_rights_t)next(r), &out);
      break;
    case 11:
      if (h != zx_vmar_root_self() && h != zx_process_self() && h != vmar) {
        s = zx_handle_close(h);
        if (s == ZX_OK) pool_forget(f, h);
      }
      break;
    case 12: {
      uint32_t topics[] = {ZX_INFO_HANDLE_VALID, ZX_INFO_HANDLE_BASIC, ZX_INFO_VMO,
                           ZX_INFO_VMAR,         ZX_INFO_PROCESS_MAPS, ZX_INFO_PROCESS_VMOS,
                           (uint32_t)next(r)};
      size_t actual = 0, avail = 0;
      s = zx_object_get_info(h, topics[below(r, sizeof(topics) / sizeof(topics[0]))], buf, blen,
                             &actual, &avail);
      break;
    }
    case 13: {
      uint8_t b = 0;
      zx_vaddr_t va = vmar_base + below(r, 1100) * PAGE + below(r, PAGE);
      s = chance(r, 50) ? zxvm_user_read(zx_process_self(), va, &b, 1)
                        : zxvm_user_write(zx_process_self(), va, &b, 1);
      break;
    }
    case 14: {
      size_t actual = 0;
      zx_vaddr_t va = vmar_base + below(r, 1100) * PAGE + below(r, PAGE);
      s = chance(r, 50) ? zx_process_read_memory(h, va, buf, blen, &actual)
                        : zx_process_write_memory(h, va, buf, blen, &actual);
      break;
    }
    default: {
      uint64_t content = edge(r);
      s = chance(r, 50)
              ? zx_object_set_property(h, ZX_PROP_VMO_CONTENT_SIZE, &content, sizeof(content))
              : zx_vmo_set_stream_size(h, edge(r) % (64 * PAGE + 2));
      break;
    }
  }
  assert_documented(s, step);
  if (out != ZX_HANDLE_INVALID) {
    assert_ok(s);
    pool_put(f, r, out);
  }
  return s;
}

static void fuzz_setup(struct fuzz* f) {
  pthread_mutex_init(&f->lock, NULL);
  memset(f->pool, 0, sizeof(f->pool));
  assert_ok(zx_vmar_allocate(zx_vmar_root_self(),
                             ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC, 0,
                             1024 * PAGE, &f->vmar, &f->vmar_base));
}

static void fuzz_teardown(struct fuzz* f, const zxvm_stats_t* before) {
  assert_ok(zxvm_check(zx_process_self()));
  assert_ok(zx_vmar_destroy(f->vmar));
  assert_ok(zx_handle_close(f->vmar));
  for (unsigned i = 0; i < POOL; i++) {
    if (f->pool[i] != ZX_HANDLE_INVALID) (void)zx_handle_close(f->pool[i]);
  }
  pthread_mutex_destroy(&f->lock);
  zxvm_stats_t after;
  assert_ok(zxvm_get_stats(&after));
  assert_int_equal(before->pmm_object_pages, after.pmm_object_pages);
  assert_int_equal(before->handles, after.handles);
  assert_ok(zxvm_check(zx_process_self()));
}

static void zx_api_survives_random_bad_input(void** state) {
  struct rng r = {test_seed("zx_api_survives_random_bad_input") | 1};
  zxvm_stats_t before;
  assert_ok(zxvm_get_stats(&before));
  struct fuzz f;
  fuzz_setup(&f);
  static uint8_t buf[8 * 4096];
  uint64_t succeeded = 0;
  for (uint64_t step = 0; step < STEPS; step++) {
    succeeded += fuzz_step(&f, &r, buf, sizeof(buf), step) == ZX_OK;
    if (step % 64 == 0) assert_ok(zxvm_check(zx_process_self()));
  }
  printf("%lu of %u calls succeeded\n", (unsigned long)succeeded, STEPS);
  assert_true(succeeded > STEPS / 10);  // the run did reach past the argument checks
  fuzz_teardown(&f, &before);
}

// The same calls from several threads at once on one shared pool: handles closed, replaced and
// mapped under each other's feet. No crash, no deadlock, documented statuses, nothing leaked.
#define THREADS 4u
#define THREAD_STEPS 1500u

struct worker {
  pthread_t t;
  struct fuzz* f;
  uint64_t seed;
  uint8_t buf[4 * 4096];
};

static void* worker_main(void* arg) {
  struct worker* w = arg;
  struct rng r = {w->seed | 1};
  for (uint64_t step = 0; step < THREAD_STEPS; step++) {
    (void)fuzz_step(w->f, &r, w->buf, sizeof(w->buf), step);
    if (step % 256 == 0) assert_ok(zxvm_check(zx_process_self()));
  }
  return NULL;
}

static void zx_api_survives_concurrent_random_bad_input(void** state) {
  uint64_t seed = test_seed("zx_api_survives_concurrent_random_bad_input");
  zxvm_stats_t before;
  assert_ok(zxvm_get_stats(&before));
  struct fuzz f;
  fuzz_setup(&f);
  static struct worker workers[THREADS];
  for (unsigned i = 0; i < THREADS; i++) {
    workers[i].f = &f;
    workers[i].seed = seed + 0x9e3779b97f4a7c15ull * (i + 1);
    assert_int_equal(0, pthread_create(&workers[i].t, NULL, worker_main, &workers[i]));
  }
  for (unsigned i = 0; i < THREADS; i++) assert_int_equal(0, pthread_join(workers[i].t, NULL));
  fuzz_teardown(&f, &before);
}
int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(zx_api_survives_random_bad_input),
      cmocka_unit_test(zx_api_survives_concurrent_random_bad_input),
  };
  return cmocka_run_group_tests(tests, zx_test_init, NULL);
}
