// Pager concurrency (runs under ThreadSanitizer with the lock-order checker on): many threads
// faulting the same and different pages of a pager-backed VMO while a pager thread answers (one
// request per range, every waiter wakes, no page asked for twice); unmap and VMO destruction
// while a fault waits (the fault re-looks up and fails cleanly); readers, writers, a harvester and
// an evictor racing with the pager. Every test ends with vm_aspace_check and a full pmm check.
#include "test_util.h"
// zxvm headers after cmocka.
#include "pager_test_util.h"
#include "pmm/pmm.h"
#include "vm/evictor.h"
#include "vm/vm_aspace.h"
#include "vm/vm_pager.h"

#define P PAGE_SIZE
#define KEY 77u
#define RO (ARCH_MMU_FLAG_PERM_READ | ARCH_MMU_FLAG_PERM_USER)
#define RW (ARCH_MMU_FLAG_PERM_READ | ARCH_MMU_FLAG_PERM_WRITE | ARCH_MMU_FLAG_PERM_USER)
#define VMO_PAGES 256u

struct fixture {
  struct vm_aspace* aspace;
  struct vm_address_region* root;
  struct packet_queue q;
  struct page_source* src;
  struct vm_object_paged* vmo;
  struct vm_mapping* mapping;
  vaddr_t base;
  // The pager thread.
  pthread_t pager;
  _Atomic bool stop;
  _Atomic uint64_t requested_pages;  // sum of READ lengths, in pages
  _Atomic uint64_t duplicate_pages;  // pages asked for while an earlier request was unanswered
  _Atomic uint8_t outstanding[VMO_PAGES];
  _Atomic uint8_t written[VMO_PAGES];  // pages a writer wrote successfully
};

static struct fixture fx;

static uint8_t pattern(uint64_t page) { return (uint8_t)(page * 13 + 5); }

static zx_status_t supply(uint64_t offset, uint64_t len) {
  struct vm_object_paged* aux;
  if (vm_object_paged_create(0, len, &aux) != ZX_OK) return ZX_ERR_NO_MEMORY;
  uint8_t* buf = malloc(len);
  for (uint64_t i = 0; i < len; i++) buf[i] = pattern((offset + i) / P);
  zx_status_t st = vm_object_paged_write(aux, buf, 0, len);
  free(buf);
  if (st == ZX_OK) st = vm_pager_supply_pages(fx.vmo, offset, len, aux, 0);
  vm_object_paged_release(aux);
  return st;
}

// Answers every READ with a supply of exactly its range; counts pages asked for again before the
// supply of the first request returned (the page source must never do that, unless the page was
// evicted in between, which only the eviction race allows).
static void* pager_main(void* arg) {
  (void)arg;
  while (!atomic_load(&fx.stop)) {
    zx_port_packet_t p;
    if (!packet_queue_pop(&fx.q, &p, 20)) continue;
    if (p.page_request.command != ZX_PAGER_VMO_READ) continue;
    uint64_t first = p.page_request.offset / P, n = p.page_request.length / P;
    atomic_fetch_add(&fx.requested_pages, n);
    for (uint64_t i = first; i < first + n; i++) {
      if (atomic_exchange(&fx.outstanding[i], 1) != 0) atomic_fetch_add(&fx.duplicate_pages, 1);
    }
    (void)supply(p.page_request.offset, p.page_request.length);
    for (uint64_t i = first; i < first + n; i++) atomic_store(&fx.outstanding[i], 0);
  }
  return NULL;
}

static int setup(void** state) {
  (void)state;
  memset(&fx, 0, sizeof(fx));
  assert_ok(pmm_init(128u << 20));
  assert_ok(vm_aspace_create(NULL, "pager-mt", &fx.aspace));
  fx.root = vm_aspace_root_vmar(fx.aspace);
  packet_queue_init(&fx.q);
  assert_ok(page_source_create(0, KEY, packet_queue_send, &fx.q, &fx.src));
  assert_ok(vm_pager_create_vmo(0, VMO_PAGES * P, fx.src, &fx.vmo));
  assert_ok(vm_address_region_create_vm_mapping(fx.root, 0, VMO_PAGES * P, 0, 0, &fx.vmo->base, 0,
                                                RW, "pager", &fx.mapping, &fx.base));
  return 0;
}

static void start_pager(void) {
  atomic_store(&fx.stop, false);
  assert_int_equal(0, pthread_create(&fx.pager, NULL, pager_main, NULL));
}

static void stop_pager(void) {
  atomic_store(&fx.stop, true);
  assert_int_equal(0, pthread_join(fx.pager, NULL));
}

static int teardown(void** state) {
  (void)state;
  vm_aspace_check(fx.aspace);
  if (fx.mapping) {
    if (fx.mapping->common.state == VM_LIFECYCLE_ALIVE) {
      assert_ok(vm_address_region_or_mapping_destroy(&fx.mapping->common));
    }
    vm_address_region_or_mapping_release(&fx.mapping->common);
  }
  vm_address_region_or_mapping_release(&fx.root->common);
  assert_ok(vm_aspace_destroy(fx.aspace));
  vm_aspace_release(fx.aspace);
  if (fx.vmo) vm_object_paged_release(fx.vmo);
  page_source_check(fx.src);
  page_source_release(fx.src);
  packet_queue_destroy(&fx.q);
  pmm_check();
  pmm_shutdown();
  return 0;
}

// ---- many faulting threads --------------------------------------------------------------------

struct reader {
  pthread_t thread;
  uint64_t seed;
  bool vmo_reads;  // vm_object_paged_read instead of mapped accesses
  uint64_t errors;
};

static void* reader_main(void* arg) {
  struct reader* r = arg;
  uint64_t x = r->seed | 1;
  for (uint32_t i = 0; i < VMO_PAGES * 2; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    uint64_t page = (i < 8) ? (i % 4) : x % VMO_PAGES;  // the first accesses all collide
    uint8_t b = 0;
    zx_status_t st = r->vmo_reads ? vm_object_paged_read(fx.vmo, &b, page * P + (x % P), 1)
                                  : vm_aspace_user_access(fx.aspace, fx.base + page * P + (x % P),
                                                          &b, 1, ARCH_ACCESS_READ);
    if (st != ZX_OK || b != pattern(page)) r->errors++;
  }
  return NULL;
}

static void pager_many_threads_fault_same_and_different_pages(void** state) {
  enum { N = 12 };
  struct reader r[N];
  start_pager();
  uint64_t seed = test_seed("pager_many_threads");
  for (int i = 0; i < N; i++) {
    r[i] = (struct reader){.seed = seed + (uint64_t)i * 7919, .vmo_reads = (i % 3) == 2};
    assert_int_equal(0, pthread_create(&r[i].thread, NULL, reader_main, &r[i]));
  }
  for (int i = 0; i < N; i++) {
    assert_int_equal(0, pthread_join(r[i].thread, NULL));
    assert_int_equal(0, r[i].errors);
  }
  stop_pager();
  assert_int_equal(0, atomic_load(&fx.duplicate_pages));
  // Nothing was evicted, so every page was asked for exactly once.
  assert_int_equal(VMO_PAGES, atomic_load(&fx.requested_pages));
  struct page_source_stats st;
  page_source_get_stats(fx.src, &st);
  assert_int_equal(0, st.outstanding[PAGE_SOURCE_READ]);
  // Every access covers one page, so every request is one page (requests never ask beyond the
  // access): one packet per page.
  assert_int_equal(VMO_PAGES, st.packets[PAGE_SOURCE_READ]);
}

// ---- the mapping or the VMO goes away while a fault waits ------------------------------------

struct waiter {
  pthread_t thread;
  vaddr_t va;
  zx_status_t status;
};

static void* waiter_main(void* arg) {
  struct waiter* w = arg;
  uint8_t b;
  w->status = vm_aspace_user_access(fx.aspace, w->va, &b, 1, ARCH_ACCESS_READ);
  return NULL;
}

static void pager_unmap_while_fault_waits(void** state) {
  struct waiter w = {.va = fx.base + 40 * P, .status = 1};
  assert_int_equal(0, pthread_create(&w.thread, NULL, waiter_main, &w));
  zx_port_packet_t p = {0};
  assert_true(packet_queue_pop(&fx.q, &p, 10000));
  assert_ok(vm_address_region_or_mapping_destroy(&fx.mapping->common));
  assert_ok(supply(p.page_request.offset, p.page_request.length));
  assert_int_equal(0, pthread_join(w.thread, NULL));
  // The retry finds no mapping any more.
  assert_status(ZX_ERR_NOT_FOUND, w.status);
}

static void pager_destroy_vmo_while_fault_waits(void** state) {
  struct waiter w = {.va = fx.base + 7 * P, .status = 1};
  assert_int_equal(0, pthread_create(&w.thread, NULL, waiter_main, &w));
  zx_port_packet_t p = {0};
  assert_true(packet_queue_pop(&fx.q, &p, 10000));
  // Drop every reference: the mapping's and the test's. The fault holds none while it waits.
  assert_ok(vm_address_region_or_mapping_destroy(&fx.mapping->common));
  vm_object_paged_release(fx.vmo);
  fx.vmo = NULL;
  assert_int_equal(0, pthread_join(w.thread, NULL));
  assert_status(ZX_ERR_BAD_STATE, w.status);  // the dying VMO detached its source
  assert_true(packet_queue_pop(&fx.q, &p, 10000));
  assert_int_equal(ZX_PAGER_VMO_COMPLETE, p.page_request.command);
}

// ---- readers, writers, harvest and eviction together ------------------------------------------

struct mixer {
  pthread_t thread;
  int role;  // 0 reader (pages 0..191), 1 and 2 writers (even / odd pages 192..255), 3 evictor
  uint64_t seed;
  uint64_t errors;
  _Atomic bool* stop;
};

#define WRITE_FIRST 192u

static void* mixer_main(void* arg) {
  struct mixer* m = arg;
  uint64_t x = m->seed | 1;
  for (uint32_t i = 0; !atomic_load(m->stop); i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    if (m->role == 3) {
      vm_evictor_harvest();
      (void)vm_evictor_evict(16);
      continue;
    }
    uint8_t b = 0;
    if (m->role == 0) {
      // Mapped reads (the simulated CPU walks and copies under the arch lock, and eviction unmaps
      // before it frees) and VMO reads both see the pager's data.
      uint64_t page = x % WRITE_FIRST;
      zx_status_t st =
          (i & 1) ? vm_aspace_user_access(fx.aspace, fx.base + page * P, &b, 1, ARCH_ACCESS_READ)
                  : vm_object_paged_read(fx.vmo, &b, page * P, 1);
      if (st != ZX_OK || b != pattern(page)) m->errors++;
    } else {
      // Each writer has its own pages (odd or even), so no two threads store to one byte.
      uint64_t span = (VMO_PAGES - WRITE_FIRST) / 2;
      uint64_t page = WRITE_FIRST + 2 * (x % span) + (uint64_t)(m->role - 1);
      b = 0xAB;
      zx_status_t st =
          vm_aspace_user_access(fx.aspace, fx.base + page * P + 1, &b, 1, ARCH_ACCESS_WRITE);
      uint8_t back = 0;
      if (st == ZX_OK) st = vm_object_paged_read(fx.vmo, &back, page * P + 1, 1);
      if (st != ZX_OK || back != 0xAB) m->errors++;
      if (st == ZX_OK) atomic_store(&fx.written[page], 1);
    }
  }
  return NULL;
}

static void pager_readers_writers_and_evictor_race(void** state) {
  enum { N = 6 };
  _Atomic bool stop = false;
  struct mixer m[N];
  start_pager();
  uint64_t seed = test_seed("pager_race");
  for (int i = 0; i < N; i++) {
    m[i] = (struct mixer){.role = i < 3 ? 0 : i - 2, .seed = seed + (uint64_t)i, .stop = &stop};
    assert_int_equal(0, pthread_create(&m[i].thread, NULL, mixer_main, &m[i]));
  }
  // At least 300 ms, and until something was evicted (a loaded machine may need longer).
  for (int ms = 0; ms < 10000; ms += 50) {
    usleep(50000);
    struct vm_evictor_stats es;
    vm_evictor_get_stats(&es);
    if (ms >= 300 && es.pages_evicted > 0) break;
  }
  atomic_store(&stop, true);
  for (int i = 0; i < N; i++) {
    assert_int_equal(0, pthread_join(m[i].thread, NULL));
    if (m[i].errors != 0) fail_msg("role %d: %lu errors", m[i].role, (unsigned long)m[i].errors);
  }
  stop_pager();
  struct vm_evictor_stats es;
  vm_evictor_get_stats(&es);
  assert_true(es.pages_evicted > 0);  // the race did evict and fault pages back in
  // Written pages are dirty and were never evicted (their neighbours, supplied in the same batch
  // but never written, may be clean or evicted).
  for (uint64_t page = WRITE_FIRST; page < VMO_PAGES; page++) {
    if (!atomic_load(&fx.written[page])) continue;
    assert_int_equal(VM_PAGER_PAGE_DIRTY, vm_pager_debug_page_state(fx.vmo, page * P));
    uint8_t b = 0;
    assert_ok(vm_object_paged_read(fx.vmo, &b, page * P + 1, 1));
    assert_int_equal(0xAB, b);
  }
  vm_object_paged_check(fx.vmo);
}

int main(void) {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(pager_many_threads_fault_same_and_different_pages),
      T(pager_unmap_while_fault_waits),
      T(pager_destroy_vmo_while_fault_waits),
      T(pager_readers_writers_and_evictor_race),
  };
#undef T
  return cmocka_run_group_tests(tests, NULL, NULL);
}
