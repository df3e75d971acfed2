// White-box tests of struct page_source alone (no VMO): request batching and clipping, one packet
// per range, per-page wake-up, FAIL statuses, detach and the COMPLETE packet, byte-exact packets,
// cancel, stats and the checker.
#include "test_util.h"
// zxvm headers after cmocka.
#include <stdatomic.h>

#include "base/prng.h"
#include "pager_test_util.h"
#include "vm/page_source.h"

#define P PAGE_SIZE
#define KEY 0x1234abcd5678ef00ull

struct fixture {
  struct packet_queue q;
  struct page_source* src;
};

static struct fixture fx;

static int setup(void** state) {
  (void)state;
  packet_queue_init(&fx.q);
  assert_ok(page_source_create(0, KEY, packet_queue_send, &fx.q, &fx.src));
  return 0;
}

static int teardown(void** state) {
  (void)state;
  page_source_check(fx.src);
  (void)page_source_detach(fx.src, false);
  page_source_release(fx.src);
  packet_queue_destroy(&fx.q);
  return 0;
}

static zx_port_packet_t pop(void) {
  zx_port_packet_t p;
  assert_true(packet_queue_pop(&fx.q, &p, 1000));
  return p;
}

static void page_source_create_rejects_bad_args(void** state) {
  struct page_source* s;
  assert_status(ZX_ERR_INVALID_ARGS, page_source_create(1u << 5, 0, packet_queue_send, NULL, &s));
  assert_status(ZX_ERR_INVALID_ARGS, page_source_create(0, 0, NULL, NULL, &s));
  assert_ok(page_source_create(PAGE_SOURCE_FLAG_TRAP_DIRTY, 0, packet_queue_send, NULL, &s));
  assert_true(page_source_trap_dirty(s));
  page_source_release(s);
}

static int released_ctx_calls;
static void count_release(void* ctx) {
  assert_ptr_equal(&fx.q, ctx);
  released_ctx_calls++;
}

static void page_source_release_ctx_called_once_on_last_release(void** state) {
  struct page_source* s;
  assert_ok(page_source_create(0, 1, packet_queue_send, &fx.q, &s));
  page_source_set_release_ctx(s, count_release);
  page_source_acquire(s);
  page_source_release(s);
  assert_int_equal(0, released_ctx_calls);
  page_source_release(s);
  assert_int_equal(1, released_ctx_calls);
}

static void page_source_request_batches_run_and_sends_once(void** state) {
  struct multi_page_request a, b;
  multi_page_request_init(&a);
  multi_page_request_init(&b);
  assert_status(ZX_ERR_SHOULD_WAIT,
                page_source_request_page(fx.src, PAGE_SOURCE_READ, 4 * P, 16 * P, &a));
  assert_true(multi_page_request_is_armed(&a));
  assert_packet(KEY, ZX_PAGER_VMO_READ, 4 * P, 16 * P, pop());
  // A second consumer inside the range attaches: no packet.
  assert_status(ZX_ERR_SHOULD_WAIT,
                page_source_request_page(fx.src, PAGE_SOURCE_READ, 10 * P, 10 * P, &b));
  assert_int_equal(0, packet_queue_count(&fx.q));
  page_source_check(fx.src);
  // Resolving a's page wakes a only.
  page_source_on_pages_resolved(fx.src, PAGE_SOURCE_READ, 4 * P, P);
  assert_ok(multi_page_request_wait(&a, 0));
  assert_true(multi_page_request_is_armed(&b));
  page_source_on_pages_resolved(fx.src, PAGE_SOURCE_READ, 8 * P, 4 * P);
  assert_ok(multi_page_request_wait(&b, 0));
  struct page_source_stats st;
  page_source_get_stats(fx.src, &st);
  assert_int_equal(1, st.packets[PAGE_SOURCE_READ]);
  assert_int_equal(2, st.waits);
  assert_int_equal(1, st.outstanding[PAGE_SOURCE_READ]);  // pages 5-7, 12-19 still pending
  page_source_on_pages_resolved(fx.src, PAGE_SOURCE_READ, 0, 32 * P);
  page_source_get_stats(fx.src, &st);
  assert_int_equal(0, st.outstanding[PAGE_SOURCE_READ]);
  multi_page_request_fini(&a);
  multi_page_request_fini(&b);
}

static void page_source_request_clips_to_pending_pages_not_length(void** state) {
  struct multi_page_request a, b, c;
  multi_page_request_init(&a);
  multi_page_request_init(&b);
  multi_page_request_init(&c);
  assert_status(ZX_ERR_SHOULD_WAIT,
                page_source_request_page(fx.src, PAGE_SOURCE_READ, 100 * P, 4 * P, &a));
  assert_packet(KEY, ZX_PAGER_VMO_READ, 100 * P, 4 * P, pop());
  // Run of 1000 pages from 90: stops before page 100, pending in a's request.
  assert_status(ZX_ERR_SHOULD_WAIT,
                page_source_request_page(fx.src, PAGE_SOURCE_READ, 90 * P, 1000 * P, &b));
  assert_packet(KEY, ZX_PAGER_VMO_READ, 90 * P, 10 * P, pop());
  // Run of 1000 pages from 104: one request for all of it (no length cap).
  assert_status(ZX_ERR_SHOULD_WAIT,
                page_source_request_page(fx.src, PAGE_SOURCE_READ, 104 * P, 1000 * P, &c));
  assert_packet(KEY, ZX_PAGER_VMO_READ, 104 * P, 1000 * P, pop());
  page_source_check(fx.src);
  page_source_on_pages_resolved(fx.src, PAGE_SOURCE_READ, 0, 1104 * P);
  assert_ok(multi_page_request_wait(&a, 0));
  assert_ok(multi_page_request_wait(&b, 0));
  assert_ok(multi_page_request_wait(&c, 0));
  multi_page_request_fini(&a);
  multi_page_request_fini(&b);
  multi_page_request_fini(&c);
}

static void page_source_resolved_page_asked_again_gets_new_request(void** state) {
  struct multi_page_request a;
  multi_page_request_init(&a);
  assert_status(ZX_ERR_SHOULD_WAIT,
                page_source_request_page(fx.src, PAGE_SOURCE_READ, 0, 8 * P, &a));
  assert_packet(KEY, ZX_PAGER_VMO_READ, 0, 8 * P, pop());
  page_source_on_pages_resolved(fx.src, PAGE_SOURCE_READ, 0, P);
  assert_ok(multi_page_request_wait(&a, 0));
  // Page 0 is resolved in the old request (pages 1-7 still pending): a new request for page 0
  // stops before page 1.
  assert_status(ZX_ERR_SHOULD_WAIT,
                page_source_request_page(fx.src, PAGE_SOURCE_READ, 0, 8 * P, &a));
  assert_packet(KEY, ZX_PAGER_VMO_READ, 0, P, pop());
  page_source_check(fx.src);
  page_source_on_pages_resolved(fx.src, PAGE_SOURCE_READ, 0, 8 * P);
  assert_ok(multi_page_request_wait(&a, 0));
  multi_page_request_fini(&a);
}

static void page_source_read_and_dirty_are_independent(void** state) {
  struct multi_page_request a, b;
  multi_page_request_init(&a);
  multi_page_request_init(&b);
  assert_status(ZX_ERR_SHOULD_WAIT,
                page_source_request_page(fx.src, PAGE_SOURCE_READ, 0, 2 * P, &a));
  assert_status(ZX_ERR_SHOULD_WAIT,
                page_source_request_page(fx.src, PAGE_SOURCE_DIRTY, 0, 3 * P, &b));
  assert_packet(KEY, ZX_PAGER_VMO_READ, 0, 2 * P, pop());
  assert_packet(KEY, ZX_PAGER_VMO_DIRTY, 0, 3 * P, pop());
  page_source_on_pages_resolved(fx.src, PAGE_SOURCE_DIRTY, 0, 3 * P);
  assert_ok(multi_page_request_wait(&b, 0));
  assert_true(multi_page_request_is_armed(&a));
  page_source_on_pages_resolved(fx.src, PAGE_SOURCE_READ, 0, 2 * P);
  assert_ok(multi_page_request_wait(&a, 0));
  multi_page_request_fini(&a);
  multi_page_request_fini(&b);
}

static void page_source_fail_wakes_with_error_and_is_not_sticky(void** state) {
  static const zx_status_t kValid[] = {ZX_ERR_IO, ZX_ERR_IO_DATA_INTEGRITY, ZX_ERR_BAD_STATE,
                                       ZX_ERR_NO_SPACE, ZX_ERR_BUFFER_TOO_SMALL};
  for (size_t i = 0; i < countof(kValid); i++) {
    struct multi_page_request a;
    multi_page_request_init(&a);
    assert_status(ZX_ERR_SHOULD_WAIT,
                  page_source_request_page(fx.src, PAGE_SOURCE_READ, 3 * P, P, &a));
    assert_packet(KEY, ZX_PAGER_VMO_READ, 3 * P, P, pop());
    assert_ok(page_source_on_pages_failed(fx.src, 0, 4 * P, kValid[i]));
    assert_status(kValid[i], multi_page_request_wait(&a, 0));
    multi_page_request_fini(&a);
  }
  assert_status(ZX_ERR_INVALID_ARGS, page_source_on_pages_failed(fx.src, 0, P, ZX_ERR_NO_MEMORY));
  assert_status(ZX_ERR_INVALID_ARGS, page_source_on_pages_failed(fx.src, 0, P, ZX_OK));
  assert_false(page_source_fail_status_valid(ZX_ERR_INTERNAL));
  page_source_check(fx.src);
}

static void page_source_fail_outside_waiter_page_keeps_waiting(void** state) {
  struct multi_page_request a;
  multi_page_request_init(&a);
  assert_status(ZX_ERR_SHOULD_WAIT,
                page_source_request_page(fx.src, PAGE_SOURCE_READ, 0, 4 * P, &a));
  (void)pop();
  assert_ok(page_source_on_pages_failed(fx.src, P, 3 * P, ZX_ERR_IO));
  assert_true(multi_page_request_is_armed(&a));
  page_source_on_pages_resolved(fx.src, PAGE_SOURCE_READ, 0, P);
  assert_ok(multi_page_request_wait(&a, 0));
  multi_page_request_fini(&a);
}

static void page_source_detach_fails_all_and_completes_once(void** state) {
  struct multi_page_request a, b;
  multi_page_request_init(&a);
  multi_page_request_init(&b);
  assert_status(ZX_ERR_SHOULD_WAIT, page_source_request_page(fx.src, PAGE_SOURCE_READ, 0, P, &a));
  assert_status(ZX_ERR_SHOULD_WAIT,
                page_source_request_page(fx.src, PAGE_SOURCE_DIRTY, 9 * P, P, &b));
  (void)pop();
  (void)pop();
  assert_ok(page_source_detach(fx.src, true));
  assert_status(ZX_ERR_BAD_STATE, multi_page_request_wait(&a, 0));
  assert_status(ZX_ERR_BAD_STATE, multi_page_request_wait(&b, 0));
  assert_packet(KEY, ZX_PAGER_VMO_COMPLETE, 0, 0, pop());
  assert_status(ZX_ERR_BAD_STATE, page_source_detach(fx.src, true));
  assert_int_equal(0, packet_queue_count(&fx.q));
  assert_true(page_source_is_detached(fx.src));
  assert_status(ZX_ERR_BAD_STATE, page_source_request_page(fx.src, PAGE_SOURCE_READ, 0, P, &a));
  assert_false(multi_page_request_is_armed(&a));
  struct page_source_stats st;
  page_source_get_stats(fx.src, &st);
  assert_int_equal(1, st.complete_packets);
  multi_page_request_fini(&a);
  multi_page_request_fini(&b);
}

static void page_source_detach_without_complete_sends_nothing(void** state) {
  assert_ok(page_source_detach(fx.src, false));
  assert_int_equal(0, packet_queue_count(&fx.q));
}

static void page_source_cancel_wait_removes_waiter(void** state) {
  struct multi_page_request a;
  multi_page_request_init(&a);
  assert_status(ZX_ERR_SHOULD_WAIT, page_source_request_page(fx.src, PAGE_SOURCE_READ, 0, P, &a));
  assert_status(ZX_ERR_TIMED_OUT, multi_page_request_wait(&a, 0));
  assert_true(page_source_cancel_wait(fx.src, &a));
  assert_false(page_source_cancel_wait(fx.src, &a));
  // The request stays outstanding (the pager got the packet); resolving it wakes nobody.
  page_source_on_pages_resolved(fx.src, PAGE_SOURCE_READ, 0, P);
  page_source_check(fx.src);
  multi_page_request_fini(&a);
}

static void page_source_modified_flag_query_and_reset(void** state) {
  assert_false(page_source_query_modified(fx.src, false));
  page_source_mark_modified(fx.src);
  assert_true(page_source_query_modified(fx.src, false));
  assert_true(page_source_query_modified(fx.src, true));
  assert_false(page_source_query_modified(fx.src, false));
}

// Many threads ask for pages of the same 64-page range at once: exactly one packet per distinct
// range, every thread wakes after one supply.
struct many_ctx {
  struct multi_page_request req;
  uint64_t offset;
  zx_status_t result;
};

static void* many_waiter(void* p) {
  struct many_ctx* c = p;
  zx_status_t st = page_source_request_page(fx.src, PAGE_SOURCE_READ, c->offset, 64 * P, &c->req);
  if (st == ZX_ERR_SHOULD_WAIT) st = multi_page_request_wait(&c->req, INT64_MAX);
  c->result = st;
  return NULL;
}

static void page_source_many_threads_one_request(void** state) {
  enum { N = 16 };
  struct many_ctx ctx[N];
  pthread_t t[N];
  // The first request, sent before the threads start, covers every page they ask for.
  struct multi_page_request first;
  multi_page_request_init(&first);
  assert_status(ZX_ERR_SHOULD_WAIT,
                page_source_request_page(fx.src, PAGE_SOURCE_READ, 0, 64 * P, &first));
  for (int i = 0; i < N; i++) {
    multi_page_request_init(&ctx[i].req);
    ctx[i].offset = (uint64_t)(i % 4) * P;
    ctx[i].result = 1;
    assert_int_equal(0, pthread_create(&t[i], NULL, many_waiter, &ctx[i]));
  }
  // Wait for every thread to park.
  for (int tries = 0; tries < 5000; tries++) {
    struct page_source_stats st;
    page_source_get_stats(fx.src, &st);
    if (st.waits == N + 1) break;
    usleep(1000);
  }
  struct page_source_stats st;
  page_source_get_stats(fx.src, &st);
  assert_int_equal(N + 1, st.waits);
  assert_packet(KEY, ZX_PAGER_VMO_READ, 0, 64 * P, pop());
  assert_int_equal(0, packet_queue_count(&fx.q));  // every thread attached
  page_source_on_pages_resolved(fx.src, PAGE_SOURCE_READ, 0, 64 * P);
  assert_ok(multi_page_request_wait(&first, 0));
  multi_page_request_fini(&first);
  for (int i = 0; i < N; i++) {
    assert_int_equal(0, pthread_join(t[i], NULL));
    assert_ok(ctx[i].result);
    multi_page_request_fini(&ctx[i].req);
  }
  page_source_on_pages_resolved(fx.src, PAGE_SOURCE_READ, 0, 128 * P);
}

// A request covers any length: 555 pages in one packet; resolving every other page splits its
// pending set into hundreds of intervals (the checker walks them), early-wake waiters wake for
// their page only, and the request goes once the rest is resolved.
static void page_source_request_any_length_fragments(void** state) {
  enum { kPages = 555 };
  struct multi_page_request a, b;
  multi_page_request_init(&a);
  multi_page_request_init(&b);
  assert_status(ZX_ERR_SHOULD_WAIT,
                page_source_request_page(fx.src, PAGE_SOURCE_READ, 0, kPages * P, &a));
  assert_packet(KEY, ZX_PAGER_VMO_READ, 0, kPages * P, pop());
  assert_status(ZX_ERR_SHOULD_WAIT,
                page_source_request_page(fx.src, PAGE_SOURCE_READ, 300 * P, P, &b));
  assert_int_equal(0, packet_queue_count(&fx.q));
  for (uint64_t i = 1; i < kPages; i += 2) {
    page_source_on_pages_resolved(fx.src, PAGE_SOURCE_READ, i * P, P);
  }
  page_source_check(fx.src);
  assert_true(multi_page_request_is_armed(&a));
  assert_true(multi_page_request_is_armed(&b));
  // One range over resolved and pending pages alike.
  page_source_on_pages_resolved(fx.src, PAGE_SOURCE_READ, 298 * P, 5 * P);
  assert_ok(multi_page_request_wait(&b, 0));
  page_source_check(fx.src);
  for (uint64_t i = 0; i < kPages; i += 2) {
    page_source_on_pages_resolved(fx.src, PAGE_SOURCE_READ, i * P, P);
    if (i == 0) assert_ok(multi_page_request_wait(&a, 0));
  }
  struct page_source_stats st;
  page_source_get_stats(fx.src, &st);
  assert_int_equal(0, st.outstanding[PAGE_SOURCE_READ]);
  assert_int_equal(1, st.packets[PAGE_SOURCE_READ]);
  multi_page_request_fini(&a);
  multi_page_request_fini(&b);
}

// Without early wake a waiter waits for the rest of its run in the request, and only a failure of
// its first page reaches it (Zircon's requests without early wake; Fuchsia's
// FailOverlappingRangeCommit): pages failed after it count as resolved.
static void page_source_whole_run_waiter_error_only_from_first_page(void** state) {
  struct multi_page_request a, b, c;
  multi_page_request_init(&a);
  multi_page_request_init(&b);
  multi_page_request_init(&c);
  a.early_wake = b.early_wake = c.early_wake = false;
  assert_status(ZX_ERR_SHOULD_WAIT,
                page_source_request_page(fx.src, PAGE_SOURCE_READ, 0, 2 * P, &a));
  assert_status(ZX_ERR_SHOULD_WAIT,
                page_source_request_page(fx.src, PAGE_SOURCE_READ, 9 * P, 2 * P, &b));
  assert_status(ZX_ERR_SHOULD_WAIT,
                page_source_request_page(fx.src, PAGE_SOURCE_READ, 5 * P, 2 * P, &c));
  assert_packet(KEY, ZX_PAGER_VMO_READ, 0, 2 * P, pop());
  assert_packet(KEY, ZX_PAGER_VMO_READ, 9 * P, 2 * P, pop());
  assert_packet(KEY, ZX_PAGER_VMO_READ, 5 * P, 2 * P, pop());
  // a's first page supplied: it keeps waiting for page 1.
  page_source_on_pages_resolved(fx.src, PAGE_SOURCE_READ, 0, P);
  assert_true(multi_page_request_is_armed(&a));
  page_source_check(fx.src);
  assert_ok(page_source_on_pages_failed(fx.src, P, 9 * P, ZX_ERR_IO));
  // a: page 1 failed, not its first: it retries. c: wholly failed. b: first page failed, page 10
  // still pending.
  assert_ok(multi_page_request_wait(&a, 0));
  assert_status(ZX_ERR_IO, multi_page_request_wait(&c, 0));
  assert_true(multi_page_request_is_armed(&b));
  page_source_check(fx.src);
  page_source_on_pages_resolved(fx.src, PAGE_SOURCE_READ, 10 * P, P);
  assert_status(ZX_ERR_IO, multi_page_request_wait(&b, 0));
  // a's retry asks for page 1 alone.
  assert_status(ZX_ERR_SHOULD_WAIT, page_source_request_page(fx.src, PAGE_SOURCE_READ, P, P, &a));
  assert_packet(KEY, ZX_PAGER_VMO_READ, P, P, pop());
  assert_ok(page_source_on_pages_failed(fx.src, P, 9 * P, ZX_ERR_IO));
  assert_status(ZX_ERR_IO, multi_page_request_wait(&a, 0));
  assert_int_equal(0, packet_queue_count(&fx.q));
  multi_page_request_fini(&a);
  multi_page_request_fini(&b);
  multi_page_request_fini(&c);
}

// A port stand-in whose packets can be taken back (page_source_set_withdrawable_packets).
struct wq_packet {
  zx_port_packet_t packet;
  bool queued;
};

static struct {
  struct wq_packet* slots[16];
  unsigned count;
  unsigned frees;
} wq;

static void* wq_queue(void* ctx, const zx_port_packet_t* packet) {
  (void)ctx;
  struct wq_packet* p = malloc(sizeof(*p));
  p->packet = *packet;
  p->queued = true;
  assert_true(wq.count < countof(wq.slots));
  wq.slots[wq.count++] = p;
  return p;
}

static bool wq_withdraw(void* ctx, void* token) {
  (void)ctx;
  struct wq_packet* p = token;
  bool queued = false;
  for (unsigned i = 0; i < wq.count; i++) {
    if (wq.slots[i] != p) continue;
    queued = true;
    wq.slots[i] = wq.slots[--wq.count];
    break;
  }
  free(p);
  wq.frees++;
  return queued;
}

// The pager reads the oldest packet (it stays the request's until withdrawn).
static zx_port_packet_t wq_pop(void) {
  assert_true(wq.count > 0);
  zx_port_packet_t out = wq.slots[0]->packet;
  wq.slots[0]->queued = false;
  for (unsigned i = 1; i < wq.count; i++) wq.slots[i - 1] = wq.slots[i];
  wq.count--;
  return out;
}

// Fuchsia's EarlySupplyTest: a request resolved before the pager read its packet takes the packet
// back; a partly resolved one leaves it; one the pager already read has nothing to take back.
static void page_source_withdraws_packet_of_resolved_request(void** state) {
  struct page_source* s;
  memset(&wq, 0, sizeof(wq));
  assert_ok(page_source_create(0, KEY, packet_queue_send, &fx.q, &s));
  page_source_set_withdrawable_packets(s, wq_queue, wq_withdraw);
  struct multi_page_request a;
  multi_page_request_init(&a);
  assert_status(ZX_ERR_SHOULD_WAIT, page_source_request_page(s, PAGE_SOURCE_READ, 0, 2 * P, &a));
  assert_int_equal(1, wq.count);
  page_source_on_pages_resolved(s, PAGE_SOURCE_READ, 0, P);
  assert_ok(multi_page_request_wait(&a, 0));
  assert_int_equal(1, wq.count);  // page 1 still pending
  page_source_on_pages_resolved(s, PAGE_SOURCE_READ, P, P);
  assert_int_equal(0, wq.count);
  struct page_source_stats st;
  page_source_get_stats(s, &st);
  assert_int_equal(1, st.withdrawn);
  // Read by the pager first: resolving frees the token, nothing is withdrawn.
  assert_status(ZX_ERR_SHOULD_WAIT, page_source_request_page(s, PAGE_SOURCE_READ, 4 * P, P, &a));
  assert_packet(KEY, ZX_PAGER_VMO_READ, 4 * P, P, wq_pop());
  page_source_on_pages_resolved(s, PAGE_SOURCE_READ, 4 * P, P);
  assert_ok(multi_page_request_wait(&a, 0));
  page_source_get_stats(s, &st);
  assert_int_equal(1, st.withdrawn);
  // A failure and a detach take queued packets back too; COMPLETE goes through send_packet.
  assert_status(ZX_ERR_SHOULD_WAIT, page_source_request_page(s, PAGE_SOURCE_READ, 8 * P, P, &a));
  assert_ok(page_source_on_pages_failed(s, 8 * P, P, ZX_ERR_IO));
  assert_status(ZX_ERR_IO, multi_page_request_wait(&a, 0));
  assert_status(ZX_ERR_SHOULD_WAIT, page_source_request_page(s, PAGE_SOURCE_DIRTY, 0, P, &a));
  assert_int_equal(1, wq.count);
  assert_ok(page_source_detach(s, true));
  assert_status(ZX_ERR_BAD_STATE, multi_page_request_wait(&a, 0));
  assert_int_equal(0, wq.count);
  assert_int_equal(4, wq.frees);
  page_source_get_stats(s, &st);
  assert_int_equal(3, st.withdrawn);
  assert_packet(KEY, ZX_PAGER_VMO_COMPLETE, 0, 0, pop());
  page_source_check(s);
  page_source_release(s);
  multi_page_request_fini(&a);
}

// The race behind Fuchsia's FailOverlappingRangeCommit hanging: a consumer wakes when its first
// page is supplied and the pager fails the next page straight away. With early wake the failure
// lands on the consumer or not depending on whether it re-attached first, so the request for the
// failed page sometimes never came; a consumer without early wake retries in every interleaving
// and asks for it. Many rounds, with the consumer's retry delayed by a random few microseconds.
struct race_consumer {
  pthread_t thread;
  struct multi_page_request req;
  unsigned delay_us;
  _Atomic int phase;  // 0 waiting for [0, 2), 1 asked again, 2 done
  zx_status_t result;
};

static void* race_consumer_main(void* p) {
  struct race_consumer* c = p;
  zx_status_t st = page_source_request_page(fx.src, PAGE_SOURCE_READ, 0, 2 * P, &c->req);
  ZX_ASSERT(st == ZX_ERR_SHOULD_WAIT);
  st = multi_page_request_wait(&c->req, INT64_MAX);
  if (st == ZX_OK) {
    // The VMO now holds page 0 (supplied); page 1 is missing again.
    if (c->delay_us != 0) usleep(c->delay_us);
    st = page_source_request_page(fx.src, PAGE_SOURCE_READ, P, P, &c->req);
    atomic_store(&c->phase, 1);
    if (st == ZX_ERR_SHOULD_WAIT) st = multi_page_request_wait(&c->req, INT64_MAX);
  }
  c->result = st;
  atomic_store(&c->phase, 2);
  return NULL;
}

static void page_source_fail_after_supply_race_stress(void** state) {
  struct prng rng;
  prng_seed(&rng, test_seed("page_source_fail_after_supply_race_stress"));
  for (int round = 0; round < 300; round++) {
    struct race_consumer c = {.delay_us = (unsigned)prng_uniform(&rng, 4) * 50};
    multi_page_request_init(&c.req);
    c.req.early_wake = false;  // a commit
    atomic_init(&c.phase, 0);
    assert_int_equal(0, pthread_create(&c.thread, NULL, race_consumer_main, &c));
    assert_packet(KEY, ZX_PAGER_VMO_READ, 0, 2 * P, pop());
    page_source_on_pages_resolved(fx.src, PAGE_SOURCE_READ, 0, P);
    assert_ok(page_source_on_pages_failed(fx.src, P, 9 * P, ZX_ERR_IO));
    // Whatever the interleaving, the consumer asks for page 1 again.
    assert_packet(KEY, ZX_PAGER_VMO_READ, P, P, pop());
    assert_ok(page_source_on_pages_failed(fx.src, P, 9 * P, ZX_ERR_IO));
    assert_int_equal(0, pthread_join(c.thread, NULL));
    assert_status(ZX_ERR_IO, c.result);
    assert_int_equal(0, packet_queue_count(&fx.q));
    page_source_check(fx.src);
    multi_page_request_fini(&c.req);
  }
}

int main(void) {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(page_source_create_rejects_bad_args),
      T(page_source_release_ctx_called_once_on_last_release),
      T(page_source_request_batches_run_and_sends_once),
      T(page_source_request_clips_to_pending_pages_not_length),
      T(page_source_resolved_page_asked_again_gets_new_request),
      T(page_source_read_and_dirty_are_independent),
      T(page_source_fail_wakes_with_error_and_is_not_sticky),
      T(page_source_fail_outside_waiter_page_keeps_waiting),
      T(page_source_detach_fails_all_and_completes_once),
      T(page_source_detach_without_complete_sends_nothing),
      T(page_source_cancel_wait_removes_waiter),
      T(page_source_modified_flag_query_and_reset),
      T(page_source_many_threads_one_request),
      T(page_source_request_any_length_fragments),
      T(page_source_whole_run_waiter_error_only_from_first_page),
      T(page_source_withdraws_packet_of_resolved_request),
      T(page_source_fail_after_supply_race_stress),
  };
#undef T
  return cmocka_run_group_tests(tests, NULL, NULL);
}
