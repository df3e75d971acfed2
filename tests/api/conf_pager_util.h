// Helpers for the restatement of Fuchsia's pager core tests (conf_pager*_test.c): a user pager
// (pager + port, the VMOs it created, packets read ahead of time kept for later matches), pager
// VMOs mapped read/write with their contents derived from a key, and test threads.
//
// Fuchsia's TestThread becomes a pthread. A thread blocked on a pager is observed through the
// page request it caused: either its packet on the port, or, where the packet must stay queued
// (a supply is to cancel it), zxvm's count of requests sent (zxvm_get_stats). A thread blocked
// behind an earlier request sends nothing; then "blocked" means "not finished after a pause".
// Direct touches of mapped memory are zxvm_user_read / zxvm_user_write, whose status is what a
// crashing Fuchsia thread reports as the synthetic exception code (the faulting address is not
// reported, so it is not checked). Every wait has a deadline.
#ifndef ZXVM_TESTS_API_CONF_PAGER_UTIL_H_
#define ZXVM_TESTS_API_CONF_PAGER_UTIL_H_

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <zircon/syscalls-next.h>

#include "zx_test_util.h"

#define CP_WAIT ZX_SEC(10)
// A data mismatch seen by a checking thread (no zx_ call returns it here).
#define CP_MISMATCH ZX_ERR_INTERNAL

struct uvmo {
  zx_handle_t vmo;
  uint64_t size;      // bytes; the mapping covers [base, base + size)
  zx_vaddr_t base;    // 0 when unmapped
  uint64_t key;       // port key, and seed of the contents a supply writes
  uint64_t map_size;  // what is mapped, unmapped on release
  // Bytes below which the fault handler supplies (the rest of a request is ignored).
  _Atomic uint64_t supply_limit;
};

#define CP_MAX_STASH 2048
#define CP_MAX_VMOS 64

struct upager {
  zx_handle_t pager, port;
  uint64_t next_key;
  zx_port_packet_t stash[CP_MAX_STASH];
  size_t stashed;
  struct uvmo* vmos[CP_MAX_VMOS];
  size_t vmo_count;
  pthread_t handler;
  atomic_bool handler_stop;
  bool handler_started;
};

static struct upager P;

static inline zx_time_t cp_deadline(void) { return zx_deadline_after(CP_WAIT); }

static inline void cp_sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

// ---- VMOs ----------------------------------------------------------------------------------

static inline struct uvmo* uvmo_wrap(zx_handle_t h, uint64_t size, uint64_t key, uint32_t perms) {
  struct uvmo* v = calloc(1, sizeof(*v));
  v->vmo = h;
  v->size = size;
  v->key = key;
  v->supply_limit = UINT64_MAX;
  if (size != 0) {
    assert_ok(zx_vmar_map(zx_vmar_root_self(), perms, 0, h, 0, size, &v->base));
    v->map_size = size;
  }
  return v;
}

static inline void uvmo_destroy(struct uvmo* v) {
  if (v == NULL) return;
  if (v->map_size != 0) assert_ok(zx_vmar_unmap(zx_vmar_root_self(), v->base, v->map_size));
  assert_ok(zx_handle_close(v->vmo));
  free(v);
}

// Contents a supply gives page |page_offset| onwards of |v|: consecutive 64-bit words from
// key + word index, so every word of every VMO of a test differs.
static inline void uvmo_fill(const struct uvmo* v, void* buf, uint64_t pages,
                             uint64_t page_offset) {
  uint64_t* w = buf;
  uint64_t first = page_offset * PAGE / 8;
  for (uint64_t i = 0; i < pages * PAGE / 8; i++) w[i] = v->key + first + i;
}

static inline zx_status_t cp_compare(const struct uvmo* v, const uint64_t* got, uint64_t page_off,
                                     uint64_t pages, const void* expected) {
  uint64_t words = pages * PAGE / 8, first = page_off * PAGE / 8;
  for (uint64_t i = 0; i < words; i++) {
    uint64_t want = expected ? ((const uint64_t*)expected)[i] : v->key + first + i;
    if (got[i] != want) {
      fprintf(stderr, "mismatch at byte %" PRIu64 ": expected %" PRIx64 ", got %" PRIx64 "\n",
              (first + i) * 8, want, got[i]);
      return CP_MISMATCH;
    }
  }
  return ZX_OK;
}

// Checks pages [page_off, +pages) against |expected| (NULL: the supplied contents) through the
// mapping (a faulting access) or through zx_vmo_read. Returns ZX_OK, the access's failure, or
// CP_MISMATCH.
static inline zx_status_t uvmo_check_data(const struct uvmo* v, uint64_t page_off, uint64_t pages,
                                          const void* expected, bool vmar) {
  uint64_t len = pages * PAGE;
  uint64_t* buf = malloc(len ? len : 1);
  zx_status_t st = vmar ? zxvm_user_read(zx_process_self(), v->base + page_off * PAGE, buf, len)
                        : zx_vmo_read(v->vmo, buf, page_off * PAGE, len);
  if (st == ZX_OK) st = cp_compare(v, buf, page_off, pages, expected);
  free(buf);
  return st;
}

static inline zx_status_t uvmo_check(const struct uvmo* v, uint64_t page_off, uint64_t pages,
                                     bool vmar) {
  return uvmo_check_data(v, page_off, pages, NULL, vmar);
}

// A child of |v| mapped with |perms|, its key continuing |v|'s at |offset|. NULL (with the status
// in *status when given) if the child cannot be created.
static inline struct uvmo* uvmo_clone_ex(const struct uvmo* v, uint64_t offset, uint64_t size,
                                         uint32_t options, uint32_t perms, zx_status_t* status) {
  zx_handle_t h;
  zx_status_t st = zx_vmo_create_child(v->vmo, options, offset, size, &h);
  if (status) *status = st;
  if (st != ZX_OK) return NULL;
  return uvmo_wrap(h, (size + PAGE - 1) / PAGE * PAGE, v->key + offset / 8, perms);
}

#define CP_RW (ZX_VM_PERM_READ | ZX_VM_PERM_WRITE)
#define CP_ALOW (ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE | ZX_VMO_CHILD_RESIZABLE)

static inline struct uvmo* uvmo_clone_range(const struct uvmo* v, uint64_t offset, uint64_t size,
                                            uint32_t options) {
  return uvmo_clone_ex(v, offset, size, options, CP_RW, NULL);
}

static inline struct uvmo* uvmo_clone(const struct uvmo* v, uint32_t options) {
  return uvmo_clone_range(v, 0, v->size, options);
}

// Fuchsia's Vmo::Resize: page-aligned set_size; growing maps the VMO again, whole.
static inline zx_status_t uvmo_resize(struct uvmo* v, uint64_t pages) {
  uint64_t size = pages * PAGE;
  zx_status_t st = zx_vmo_set_size(v->vmo, size);
  if (st != ZX_OK) return st;
  if (size > v->size) {
    if (v->map_size != 0) assert_ok(zx_vmar_unmap(zx_vmar_root_self(), v->base, v->map_size));
    v->map_size = 0;
    v->base = 0;
    assert_ok(zx_vmar_map(zx_vmar_root_self(), CP_RW, 0, v->vmo, 0, size, &v->base));
    v->map_size = size;
  }
  v->size = size;
  return ZX_OK;
}

static inline zx_status_t uvmo_op(const struct uvmo* v, uint32_t op, uint64_t page_off,
                                  uint64_t pages) {
  return zx_vmo_op_range(v->vmo, op, page_off * PAGE, pages * PAGE, NULL, 0);
}

static inline zx_info_vmo_t uvmo_info(const struct uvmo* v) {
  zx_info_vmo_t info;
  assert_ok(zx_object_get_info(v->vmo, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL));
  return info;
}

// Fuchsia polls these (reclaim may lag); zxvm attributes synchronously, a short poll suffices.
static inline bool uvmo_poll_populated(const struct uvmo* v, uint64_t bytes) {
  for (int i = 0; i < 100; i++) {
    zx_info_vmo_t info = uvmo_info(v);
    if (info.populated_bytes == bytes) return true;
    if (i == 99) {
      fprintf(stderr, "populated_bytes %" PRIu64 ", expected %" PRIu64 "\n",
              (uint64_t)info.populated_bytes, bytes);
    }
    cp_sleep_ms(10);
  }
  return false;
}

static inline bool uvmo_poll_children(const struct uvmo* v, uint64_t children) {
  for (int i = 0; i < 100; i++) {
    if (uvmo_info(v).num_children == children) return true;
    cp_sleep_ms(10);
  }
  return false;
}

// Mapped 64-bit accesses that must succeed.
static inline uint64_t u64_at(zx_vaddr_t va) {
  uint64_t x = 0;
  assert_ok(zxvm_user_read(zx_process_self(), va, &x, sizeof(x)));
  return x;
}

static inline void u64_put(zx_vaddr_t va, uint64_t x) {
  assert_ok(zxvm_user_write(zx_process_self(), va, &x, sizeof(x)));
}

// ---- the user pager --------------------------------------------------------------------------

static inline void up_init(struct upager* p) {
  memset(p, 0, sizeof(*p));
  assert_ok(zx_pager_create(0, &p->pager));
  assert_ok(zx_port_create(0, &p->port));
  p->next_key = 2;  // 1 is the fault handler's stop key in Fuchsia's helper
}

static inline void up_stop_handler(struct upager* p);

static inline void tt_reap(void);

static inline void up_fini(struct upager* p) {
  up_stop_handler(p);
  zx_handle_close(p->pager);
  tt_reap();
  for (size_t i = 0; i < p->vmo_count; i++) uvmo_destroy(p->vmos[i]);
  zx_handle_close(p->port);
  memset(p, 0, sizeof(*p));
}

static inline struct uvmo* up_create_vmo_ex(struct upager* p, uint64_t pages, uint32_t options) {
  assert_true(p->vmo_count < CP_MAX_VMOS);
  zx_handle_t h;
  uint64_t size = pages * PAGE;
  assert_ok(zx_pager_create_vmo(p->pager, options, p->port, p->next_key, size, &h));
  struct uvmo* v = uvmo_wrap(h, size, p->next_key, CP_RW);
  p->next_key += size / 8 + 1;
  p->vmos[p->vmo_count++] = v;
  return v;
}

static inline struct uvmo* up_create_vmo(struct upager* p, uint64_t pages) {
  return up_create_vmo_ex(p, pages, 0);
}

static inline void up_release_vmo(struct upager* p, struct uvmo* v) {
  for (size_t i = 0; i < p->vmo_count; i++) {
    if (p->vmos[i] == v) {
      p->vmos[i] = p->vmos[--p->vmo_count];
      uvmo_destroy(v);
      return;
    }
  }
  fail_msg("VMO not owned by the pager");
}

static inline zx_status_t up_supply_from(struct upager* p, struct uvmo* v, uint64_t page_off,
                                         uint64_t pages, zx_handle_t aux, uint64_t src_page_off) {
  zx_status_t st = zx_pager_supply_pages(p->pager, v->vmo, page_off * PAGE, pages * PAGE, aux,
                                         src_page_off * PAGE);
  zx_handle_close(aux);
  return st;
}

// Supplies pages [page_off, +pages) with their generated contents, staged at |src_page_off| of a
// fresh aux VMO.
static inline zx_status_t up_supply_at(struct upager* p, struct uvmo* v, uint64_t page_off,
                                       uint64_t pages, uint64_t src_page_off) {
  zx_handle_t aux = make_vmo((pages + src_page_off) * PAGE, 0);
  void* buf = malloc(pages * PAGE);
  uvmo_fill(v, buf, pages, page_off);
  assert_ok(zx_vmo_write(aux, buf, src_page_off * PAGE, pages * PAGE));
  free(buf);
  return up_supply_from(p, v, page_off, pages, aux, src_page_off);
}

static inline zx_status_t up_supply(struct upager* p, struct uvmo* v, uint64_t page_off,
                                    uint64_t pages) {
  return up_supply_at(p, v, page_off, pages, 0);
}

static inline zx_status_t up_fail(struct upager* p, struct uvmo* v, uint64_t page_off,
                                  uint64_t pages, zx_status_t code) {
  return zx_pager_op_range(p->pager, ZX_PAGER_OP_FAIL, v->vmo, page_off * PAGE, pages * PAGE,
                           (uint64_t)(int64_t)code);
}

typedef bool (*cp_match_fn)(const zx_port_packet_t* pkt, const void* arg);

// Fuchsia's WaitForRequest: a stashed packet that matches, else port packets until |deadline|
// (each non-matching one stashed). Deadline 0 drains what is queued and returns false if none
// matched.
static inline bool up_wait_match(struct upager* p, cp_match_fn match, const void* arg,
                                 zx_time_t deadline) {
  for (size_t i = 0; i < p->stashed; i++) {
    if (match(&p->stash[i], arg)) {
      memmove(&p->stash[i], &p->stash[i + 1], (p->stashed - i - 1) * sizeof(p->stash[0]));
      p->stashed--;
      return true;
    }
  }
  for (;;) {
    zx_port_packet_t pkt;
    zx_status_t st = zx_port_wait(p->port, deadline, &pkt);
    if (st != ZX_OK) return false;
    if (match(&pkt, arg)) return true;
    assert_true(p->stashed < CP_MAX_STASH);
    p->stash[p->stashed++] = pkt;
  }
}

struct cp_req {
  uint64_t key;
  uint16_t command;
  uint64_t offset, length;  // bytes
  uint64_t *out_offset, *out_length;
};

static inline bool cp_match_exact(const zx_port_packet_t* pkt, const void* arg) {
  const struct cp_req* r = arg;
  return pkt->key == r->key && pkt->type == ZX_PKT_TYPE_PAGE_REQUEST && pkt->status == ZX_OK &&
         pkt->page_request.command == r->command && pkt->page_request.flags == 0 &&
         pkt->page_request.offset == r->offset && pkt->page_request.length == r->length;
}

static inline bool cp_match_command(const zx_port_packet_t* pkt, const void* arg) {
  const struct cp_req* r = arg;
  if (pkt->key != r->key || pkt->type != ZX_PKT_TYPE_PAGE_REQUEST ||
      pkt->page_request.command != r->command) {
    return false;
  }
  *r->out_offset = pkt->page_request.offset / PAGE;
  *r->out_length = pkt->page_request.length / PAGE;
  return true;
}

static inline bool up_wait_request(struct upager* p, const struct uvmo* v, uint16_t command,
                                   uint64_t page_off, uint64_t pages, zx_time_t deadline) {
  struct cp_req r = {v->key, command, page_off * PAGE, pages * PAGE, NULL, NULL};
  return up_wait_match(p, cp_match_exact, &r, deadline);
}

static inline bool up_get_request(struct upager* p, const struct uvmo* v, uint16_t command,
                                  zx_time_t deadline, uint64_t* page_off, uint64_t* pages) {
  struct cp_req r = {v->key, command, 0, 0, page_off, pages};
  return up_wait_match(p, cp_match_command, &r, deadline);
}

static inline bool up_wait_complete(struct upager* p, uint64_t key, zx_time_t deadline) {
  struct cp_req r = {key, ZX_PAGER_VMO_COMPLETE, 0, 0, NULL, NULL};
  return up_wait_match(p, cp_match_exact, &r, deadline);
}

// Waits for the read request [page_off, +pages) of |v|; prints what came instead on failure.
static inline void cp_expect_read_at(struct upager* p, const struct uvmo* v, uint64_t page_off,
                                     uint64_t pages, int line) {
  if (up_wait_request(p, v, ZX_PAGER_VMO_READ, page_off, pages, cp_deadline())) return;
  fprintf(stderr, "line %d: no READ [%" PRIu64 ", +%" PRIu64 ") for key %" PRIu64 "; queued:\n",
          line, page_off, pages, v->key);
  for (size_t i = 0; i < p->stashed; i++) {
    fprintf(stderr, "  key %" PRIu64 " cmd %u [%" PRIu64 ", +%" PRIu64 ")\n", p->stash[i].key,
            p->stash[i].page_request.command, p->stash[i].page_request.offset / PAGE,
            p->stash[i].page_request.length / PAGE);
  }
  fail();
}

#define EXPECT_READ(v, off, n) cp_expect_read_at(&P, (v), (off), (n), __LINE__)

// No read request for |v| is queued (Fuchsia's GetPageReadRequest with deadline 0 is false).
#define EXPECT_NO_READ(v)                                                  \
  do {                                                                     \
    uint64_t o_ = 0, l_ = 0;                                               \
    assert_false(up_get_request(&P, (v), ZX_PAGER_VMO_READ, 0, &o_, &l_)); \
  } while (0)

// ---- the fault handler thread (Fuchsia's StartTaggedPageFaultHandler) -------------------------

static void* up_handler_main(void* arg) {
  struct upager* p = arg;
  while (!atomic_load(&p->handler_stop)) {
    zx_port_packet_t pkt;
    if (zx_port_wait(p->port, zx_deadline_after(ZX_MSEC(5)), &pkt) != ZX_OK) continue;
    if (pkt.type != ZX_PKT_TYPE_PAGE_REQUEST || pkt.page_request.command != ZX_PAGER_VMO_READ) {
      continue;
    }
    for (size_t i = 0; i < p->vmo_count; i++) {
      struct uvmo* v = p->vmos[i];
      if (v->key != pkt.key) continue;
      uint64_t end = pkt.page_request.offset + pkt.page_request.length;
      uint64_t limit = atomic_load(&v->supply_limit);
      if (end > limit) end = limit;
      if (end > pkt.page_request.offset) {
        (void)up_supply(p, v, pkt.page_request.offset / PAGE,
                        (end - pkt.page_request.offset) / PAGE);
      }
    }
  }
  return NULL;
}

static inline void up_start_handler(struct upager* p) {
  atomic_store(&p->handler_stop, false);
  assert_int_equal(0, pthread_create(&p->handler, NULL, up_handler_main, p));
  p->handler_started = true;
}

static inline void up_stop_handler(struct upager* p) {
  if (!p->handler_started) return;
  atomic_store(&p->handler_stop, true);
  assert_int_equal(0, pthread_join(p->handler, NULL));
  p->handler_started = false;
}

static inline void uvmo_set_supply_limit(struct uvmo* v, uint64_t pages) {
  atomic_store(&v->supply_limit, pages * PAGE);
}

// ---- test threads ----------------------------------------------------------------------------

struct tthread {
  pthread_t t;
  zx_status_t (*fn)(struct tthread* t);
  struct uvmo* v;
  uint64_t off, n;   // pages, or bytes where the function says so
  const void* data;  // expected contents, or a buffer
  void* buf;         // destination of reads
  bool vmar;         // check through the mapping
  uint32_t op;       // op_range op
  zx_handle_t h;     // a handle the function works on
  zx_vaddr_t addr;
  uint64_t value;
  zx_status_t status;
  atomic_bool done;
  bool started;
};

// A started thread runs on a heap copy of its tthread, so a test that fails (and unwinds) while
// the thread is blocked leaves nothing on a dead stack; teardown closes the pager (which fails
// every wait) and joins what is left.
#define CP_MAX_THREADS 512
static struct tthread* cp_running[CP_MAX_THREADS];

static void* tt_main(void* arg) {
  struct tthread* t = arg;
  t->status = t->fn(t);
  atomic_store(&t->done, true);
  return NULL;
}

static inline void tt_start(struct tthread* t) {
  struct tthread* copy = malloc(sizeof(*copy));
  *copy = *t;
  atomic_store(&copy->done, false);
  copy->status = ZX_ERR_INTERNAL;
  size_t slot = 0;
  while (slot < CP_MAX_THREADS && cp_running[slot] != NULL) slot++;
  assert_true(slot < CP_MAX_THREADS);
  cp_running[slot] = copy;
  assert_int_equal(0, pthread_create(&copy->t, NULL, tt_main, copy));
  t->started = true;
  t->t = copy->t;
}

static inline struct tthread* tt_copy_of(struct tthread* t) {
  for (size_t i = 0; i < CP_MAX_THREADS; i++) {
    if (cp_running[i] != NULL && pthread_equal(cp_running[i]->t, t->t)) return cp_running[i];
  }
  return NULL;
}

static inline int tt_timed_join(pthread_t th, int seconds) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  ts.tv_sec += seconds;
  return pthread_timedjoin_np(th, NULL, &ts);
}

static inline void tt_forget(struct tthread* copy) {
  for (size_t i = 0; i < CP_MAX_THREADS; i++) {
    if (cp_running[i] == copy) cp_running[i] = NULL;
  }
  free(copy);
}

// Joins |t| (failing the test after the deadline) and returns what its function returned; its
// other fields (value read, address mapped) are copied back.
static inline zx_status_t tt_join(struct tthread* t) {
  assert_true(t->started);
  struct tthread* copy = tt_copy_of(t);
  assert_non_null(copy);
  int rc = tt_timed_join(copy->t, 10);
  if (rc == ETIMEDOUT) fail_msg("test thread still blocked after 10 s");
  assert_int_equal(0, rc);
  *t = *copy;
  t->started = false;
  tt_forget(copy);
  return t->status;
}

static inline bool tt_done(struct tthread* t) {
  struct tthread* copy = tt_copy_of(t);
  return copy == NULL || atomic_load(&copy->done);
}

// Teardown: joins the threads a failed test left (the pager is closed by then).
static inline void tt_reap(void) {
  for (size_t i = 0; i < CP_MAX_THREADS; i++) {
    struct tthread* copy = cp_running[i];
    if (copy == NULL) continue;
    if (tt_timed_join(copy->t, 2) != 0) {
      fprintf(stderr, "a test thread is still blocked; leaked\n");
      pthread_detach(copy->t);
      cp_running[i] = NULL;
      continue;
    }
    tt_forget(copy);
  }
}

// The thread is (still) blocked: it has not finished after a pause.
static inline void tt_assert_blocked_at(struct tthread* t, int line) {
  cp_sleep_ms(20);
  if (tt_done(t)) fail_msg("line %d: the thread is not blocked", line);
}

#define tt_assert_blocked(t) tt_assert_blocked_at((t), __LINE__)

static inline uint64_t cp_requests_sent(void) {
  zxvm_stats_t s;
  assert_ok(zxvm_get_stats(&s));
  return s.pager_requests;
}

// Waits until |n| page requests beyond |mark| have been sent, leaving the packets queued.
static inline void cp_wait_requests_sent(uint64_t mark, uint64_t n) {
  zx_time_t deadline = cp_deadline();
  while (cp_requests_sent() < mark + n) {
    if (zx_clock_get_monotonic() > deadline) fail_msg("no page request was sent");
    cp_sleep_ms(1);
  }
}

static inline zx_status_t tf_check(struct tthread* t) {
  return uvmo_check_data(t->v, t->off, t->n, t->data, t->vmar);
}

static inline zx_status_t tf_op(struct tthread* t) { return uvmo_op(t->v, t->op, t->off, t->n); }

static inline zx_status_t tf_commit(struct tthread* t) {
  return uvmo_op(t->v, ZX_VMO_OP_COMMIT, t->off, t->n);
}

// zx_vmo_read of bytes [off, +n) into buf.
static inline zx_status_t tf_vmo_read_bytes(struct tthread* t) {
  return zx_vmo_read(t->v->vmo, t->buf, t->off, t->n);
}

static inline zx_status_t tf_user_write64(struct tthread* t) {
  return zxvm_user_write(zx_process_self(), t->addr, &t->value, sizeof(t->value));
}

static inline zx_status_t tf_user_read64(struct tthread* t) {
  return zxvm_user_read(zx_process_self(), t->addr, &t->value, sizeof(t->value));
}

static inline int cp_setup(void** state) {
  (void)state;
  up_init(&P);
  return 0;
}

static inline int cp_teardown(void** state) {
  (void)state;
  up_fini(&P);
  assert_ok(zxvm_check(zx_process_self()));
  return 0;
}

// A check of Fuchsia's behaviour where zxvm currently differs (each listed with its Fuchsia test
// in the file's header); compiled in only with -DCONF_PAGER_STRICT, so the suite stays green.
#ifdef CONF_PAGER_STRICT
#define FUCHSIA_ONLY(...) \
  do {                    \
    __VA_ARGS__;          \
  } while (0)
#else
#define FUCHSIA_ONLY(...) ((void)0)
#endif

#define VMO_VMAR_TEST(name)               \
  static void name(bool vmar);            \
  static void name##_vmar(void** state) { \
    (void)state;                          \
    name(true);                           \
  }                                       \
  static void name##_vmo(void** state) {  \
    (void)state;                          \
    name(false);                          \
  }                                       \
  static void name(bool vmar)

#define T(name) cmocka_unit_test_setup_teardown(name, cp_setup, cp_teardown)
#define T2(name) T(name##_vmar), T(name##_vmo)

#endif  // ZXVM_TESTS_API_CONF_PAGER_UTIL_H_
