// POSIX implementation of the platform seam (base/platform.h): the one file in src/base that
// includes OS headers. Heap allocations pass through the allocation-failure hook first.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc_fail.h"
#include "base/platform.h"

_Static_assert(sizeof(pthread_mutex_t) <= sizeof(struct platform_mutex),
               "platform_mutex too small");
_Static_assert(sizeof(pthread_cond_t) <= sizeof(struct platform_cond), "platform_cond too small");

void* heap_alloc(size_t size) {
  if (alloc_fail_should_fail()) return NULL;
  return malloc(size ? size : 1);
}

void* heap_calloc(size_t count, size_t size) {
  if (alloc_fail_should_fail()) return NULL;
  return calloc(count ? count : 1, size ? size : 1);
}

void heap_free(void* ptr) { free(ptr); }

void* platform_reserve_memory(size_t size) {
  void* p =
      mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return p == MAP_FAILED ? NULL : p;
}

void platform_release_memory(void* base, size_t size) { munmap(base, size); }

void platform_discard_memory(void* base, size_t size) { madvise(base, size, MADV_DONTNEED); }

void* platform_shared_memory_create(size_t size, int* out_fd) {
#ifdef __linux__
  int fd = memfd_create("zxvm-phys", MFD_CLOEXEC);
  if (fd < 0) return NULL;
  if (ftruncate(fd, (off_t)size) != 0) {
    close(fd);
    return NULL;
  }
  void* p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
  if (p == MAP_FAILED) {
    close(fd);
    return NULL;
  }
  *out_fd = fd;
  return p;
#else
  (void)size;
  (void)out_fd;
  return NULL;
#endif
}

void platform_shared_memory_destroy(void* base, size_t size, int fd) {
  munmap(base, size);
  close(fd);
}

int64_t platform_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void platform_sleep_ns(int64_t ns) {
  if (ns <= 0) return;
  struct timespec ts = {.tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

uint64_t platform_entropy(void) {
  uint64_t v = 0;
  if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v)) {
    v = (uint64_t)platform_now_ns() ^ ((uint64_t)getpid() << 32);
  }
  return v;
}

const char* platform_getenv(const char* name) { return getenv(name); }

static _Atomic uint64_t next_thread_id = 1;
static _Thread_local uint64_t this_thread_id;

uint64_t platform_thread_id(void) {
  if (this_thread_id == 0) this_thread_id = next_thread_id++;
  return this_thread_id;
}

struct platform_thread {
  pthread_t t;
};

zx_status_t platform_thread_create(platform_thread_fn fn, void* arg, struct platform_thread** out) {
  struct platform_thread* th = malloc(sizeof(*th));
  if (!th) return ZX_ERR_NO_MEMORY;
  if (pthread_create(&th->t, NULL, fn, arg) != 0) {
    free(th);
    return ZX_ERR_NO_RESOURCES;
  }
  *out = th;
  return ZX_OK;
}

void* platform_thread_join(struct platform_thread* thread) {
  void* ret = NULL;
  pthread_join(thread->t, &ret);
  free(thread);
  return ret;
}

void platform_yield(void) { sched_yield(); }

zx_status_t platform_tls_key_create(platform_tls_dtor dtor, unsigned* out_key) {
  pthread_key_t key;
  if (pthread_key_create(&key, dtor) != 0) return ZX_ERR_NO_RESOURCES;
  *out_key = (unsigned)key;
  return ZX_OK;
}

void platform_tls_set(unsigned key, void* value) { pthread_setspecific((pthread_key_t)key, value); }

void platform_vprintf(const char* fmt, va_list ap) { vfprintf(stderr, fmt, ap); }

int platform_vsnprintf(char* buf, size_t size, const char* fmt, va_list ap) {
  return vsnprintf(buf, size, fmt, ap);
}

void platform_printf(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
}

void platform_abort(void) {
  fflush(stderr);
  abort();
}

void platform_file_write(void* file, const char* s, size_t n) { fwrite(s, 1, n, (FILE*)file); }

#define PM(m) ((pthread_mutex_t*)(void*)(m)->storage)
#define PC(c) ((pthread_cond_t*)(void*)(c)->storage)

void platform_mutex_init(struct platform_mutex* m) { pthread_mutex_init(PM(m), NULL); }
void platform_mutex_destroy(struct platform_mutex* m) { pthread_mutex_destroy(PM(m)); }
void platform_mutex_lock(struct platform_mutex* m) { pthread_mutex_lock(PM(m)); }
bool platform_mutex_trylock(struct platform_mutex* m) { return pthread_mutex_trylock(PM(m)) == 0; }
void platform_mutex_unlock(struct platform_mutex* m) { pthread_mutex_unlock(PM(m)); }

void platform_cond_init(struct platform_cond* c) {
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(PC(c), &attr);
  pthread_condattr_destroy(&attr);
}
void platform_cond_destroy(struct platform_cond* c) { pthread_cond_destroy(PC(c)); }
void platform_cond_wait(struct platform_cond* c, struct platform_mutex* m) {
  pthread_cond_wait(PC(c), PM(m));
}
bool platform_cond_timedwait(struct platform_cond* c, struct platform_mutex* m,
                             int64_t deadline_ns) {
  if (deadline_ns == INT64_MAX) {
    pthread_cond_wait(PC(c), PM(m));
    return true;
  }
  struct timespec ts = {.tv_sec = deadline_ns / 1000000000, .tv_nsec = deadline_ns % 1000000000};
  return pthread_cond_timedwait(PC(c), PM(m), &ts) != ETIMEDOUT;
}
void platform_cond_broadcast(struct platform_cond* c) { pthread_cond_broadcast(PC(c)); }
void platform_cond_signal(struct platform_cond* c) { pthread_cond_signal(PC(c)); }
