// The platform seam: the only functions through which the core reaches the host OS (memory,
// threads, time, entropy, output). Implemented by platform_posix.c; everything else in src/ is
// freestanding C11 plus this interface.
#ifndef ZXVM_BASE_PLATFORM_H_
#define ZXVM_BASE_PLATFORM_H_

#include "base/compiler.h"

// Heap allocation. Return NULL on exhaustion, and in the testing build when the allocation-failure
// hook (base/alloc_fail.h) fires. heap_calloc zero-fills. heap_free(NULL) is a no-op.
void* heap_alloc(size_t size) WARN_UNUSED;
void* heap_calloc(size_t count, size_t size) WARN_UNUSED;
void heap_free(void* ptr);

// Reserves |size| bytes of address space backed by memory that is committed by the host only on
// first touch and carries no commit charge (MAP_NORESERVE). Returns NULL on failure.
void* platform_reserve_memory(size_t size);
void platform_release_memory(void* base, size_t size);
// Gives the host back the backing of [base, base+size) (page aligned); contents become zero.
void platform_discard_memory(void* base, size_t size);
// Shared memory: an anonymous memory file (Linux: memfd_create + ftruncate) of |size| bytes, mapped
// once, read/write and shared, at the returned address (MAP_NORESERVE: pages cost nothing until
// touched). The file descriptor goes to |*out_fd| (close-on-exec); the host backend maps pages of
// it a second time at user addresses (src/arch/host/). Returns NULL (|*out_fd| untouched) on
// failure or where the host has no memory files.
void* platform_shared_memory_create(size_t size, int* out_fd);
// Unmaps the mapping made by platform_shared_memory_create and closes |fd|.
void platform_shared_memory_destroy(void* base, size_t size, int fd);

// Monotonic time in nanoseconds.
int64_t platform_now_ns(void);
void platform_sleep_ns(int64_t ns);
// 64 bits of entropy from the host, for seeding when no seed is configured.
uint64_t platform_entropy(void);
// Environment lookup (NULL when unset).
const char* platform_getenv(const char* name);

// Threads. A small id unique among live threads (never 0), stable for the thread's life.
uint64_t platform_thread_id(void);
struct platform_thread;
typedef void* (*platform_thread_fn)(void* arg);
zx_status_t platform_thread_create(platform_thread_fn fn, void* arg,
                                   struct platform_thread** out) WARN_UNUSED;
void* platform_thread_join(struct platform_thread* thread);
void platform_yield(void);
// Registers |fn(arg)| to run when the calling thread exits (for per-thread caches). One
// registration per |key| per thread; |key| comes from platform_tls_key_create.
typedef void (*platform_tls_dtor)(void* value);
zx_status_t platform_tls_key_create(platform_tls_dtor dtor, unsigned* out_key) WARN_UNUSED;
void platform_tls_set(unsigned key, void* value);

// Diagnostics output (stderr) and the FILE-free printer the dump functions use.
void platform_vprintf(const char* fmt, __builtin_va_list ap);
void platform_printf(const char* fmt, ...) PRINTFLIKE(1, 2);
// vsnprintf: formats at most |size| bytes (NUL included) into |buf|; returns the untruncated
// length.
int platform_vsnprintf(char* buf, size_t size, const char* fmt, __builtin_va_list ap);
NORETURN void platform_abort(void);
// Writes |n| bytes of |s| to |file|, a host FILE* passed through as void* (zxvm_dump's sink).
void platform_file_write(void* file, const char* s, size_t n);

// Raw mutex and condition variable storage, wrapped by base/mutex.h. Sized for glibc/musl.
struct platform_mutex {
  alignas(8) unsigned char storage[48];
};
struct platform_cond {
  alignas(8) unsigned char storage[48];
};
void platform_mutex_init(struct platform_mutex* m);
void platform_mutex_destroy(struct platform_mutex* m);
void platform_mutex_lock(struct platform_mutex* m);
bool platform_mutex_trylock(struct platform_mutex* m);
void platform_mutex_unlock(struct platform_mutex* m);
void platform_cond_init(struct platform_cond* c);
void platform_cond_destroy(struct platform_cond* c);
void platform_cond_wait(struct platform_cond* c, struct platform_mutex* m);
// Returns false on timeout. |deadline_ns| is in platform_now_ns() time.
bool platform_cond_timedwait(struct platform_cond* c, struct platform_mutex* m,
                             int64_t deadline_ns);
void platform_cond_broadcast(struct platform_cond* c);
void platform_cond_signal(struct platform_cond* c);

#endif  // ZXVM_BASE_PLATFORM_H_
