// Test plumbing shared by the pager tests: a packet queue standing in for a port (the page
// source's send_packet callback appends to it; a test or a "pager thread" pops from it with a
// deadline). The queue uses a raw pthread mutex: send_packet runs under the pager lock and the
// VMO lock, and a plain leaf lock is exactly what a port would use there.
#ifndef ZXVM_TESTS_UNIT_PAGER_PAGER_TEST_UTIL_H_
#define ZXVM_TESTS_UNIT_PAGER_PAGER_TEST_UTIL_H_

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zircon/syscalls/port.h>

#define PACKET_QUEUE_CAP 4096u

struct packet_queue {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  zx_port_packet_t packets[PACKET_QUEUE_CAP];
  unsigned head, count;
  unsigned long total;  // packets ever queued
};

static inline void packet_queue_init(struct packet_queue* q) {
  memset(q, 0, sizeof(*q));
  pthread_mutex_init(&q->mu, NULL);
  pthread_cond_init(&q->cv, NULL);
}

static inline void packet_queue_destroy(struct packet_queue* q) {
  pthread_cond_destroy(&q->cv);
  pthread_mutex_destroy(&q->mu);
}

// The page_source_send_fn.
static inline void packet_queue_send(void* ctx, const zx_port_packet_t* packet) {
  struct packet_queue* q = ctx;
  pthread_mutex_lock(&q->mu);
  if (q->count < PACKET_QUEUE_CAP) {
    q->packets[(q->head + q->count) % PACKET_QUEUE_CAP] = *packet;
    q->count++;
  }
  q->total++;
  pthread_cond_broadcast(&q->cv);
  pthread_mutex_unlock(&q->mu);
}

// Pops the oldest packet, waiting up to |timeout_ms|. Returns false on timeout.
static inline bool packet_queue_pop(struct packet_queue* q, zx_port_packet_t* out, int timeout_ms) {
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += timeout_ms / 1000;
  deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
  if (deadline.tv_nsec >= 1000000000L) {
    deadline.tv_sec++;
    deadline.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock(&q->mu);
  while (q->count == 0) {
    if (pthread_cond_timedwait(&q->cv, &q->mu, &deadline) == ETIMEDOUT) break;
  }
  bool got = q->count > 0;
  if (got) {
    *out = q->packets[q->head];
    q->head = (q->head + 1) % PACKET_QUEUE_CAP;
    q->count--;
  }
  pthread_mutex_unlock(&q->mu);
  return got;
}

static inline unsigned packet_queue_count(struct packet_queue* q) {
  pthread_mutex_lock(&q->mu);
  unsigned n = q->count;
  pthread_mutex_unlock(&q->mu);
  return n;
}

// The packet a page source must produce, built field by field from a zeroed buffer.
static inline zx_port_packet_t expected_packet(uint64_t key, uint16_t command, uint64_t offset,
                                               uint64_t length) {
  zx_port_packet_t p;
  memset(&p, 0, sizeof(p));
  p.key = key;
  p.type = ZX_PKT_TYPE_PAGE_REQUEST;
  p.status = 0;
  p.page_request.command = command;
  p.page_request.offset = offset;
  p.page_request.length = length;
  return p;
}

// Byte-exact comparison (padding and reserved fields included).
#define assert_packet(key_, cmd_, off_, len_, packet_)                       \
  do {                                                                       \
    zx_port_packet_t exp_ = expected_packet((key_), (cmd_), (off_), (len_)); \
    zx_port_packet_t got_ = (packet_);                                       \
    assert_int_equal(got_.page_request.command, (cmd_));                     \
    assert_int_equal(got_.page_request.offset, (off_));                      \
    assert_int_equal(got_.page_request.length, (len_));                      \
    assert_memory_equal(&exp_, &got_, sizeof(exp_));                         \
  } while (0)

#endif  // ZXVM_TESTS_UNIT_PAGER_PAGER_TEST_UTIL_H_
