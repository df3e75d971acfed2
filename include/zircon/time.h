// Time types of the Fuchsia ABI (zircon/time.h): instants and durations in nanoseconds on the
// monotonic and boot timelines, and saturating arithmetic on them. Every helper clamps to
// ZX_TIME_INFINITE on overflow and to ZX_TIME_INFINITE_PAST on underflow, so a deadline computed
// from a huge timeout stays "never" instead of wrapping into the past.
#ifndef ZIRCON_TIME_H_
#define ZIRCON_TIME_H_

#include <stdint.h>
#include <zircon/compiler.h>

__BEGIN_CDECLS

// Timeline-specific types: zx_<instant|duration>_<mono|boot>[_ticks]_t.
typedef int64_t zx_instant_mono_t;
typedef int64_t zx_instant_mono_ticks_t;
typedef int64_t zx_duration_mono_t;
typedef int64_t zx_duration_mono_ticks_t;
typedef int64_t zx_instant_boot_t;
typedef int64_t zx_instant_boot_ticks_t;
typedef int64_t zx_duration_boot_t;
typedef int64_t zx_duration_boot_ticks_t;

// Timeline-agnostic types.
typedef int64_t zx_time_t;
typedef int64_t zx_duration_t;
typedef int64_t zx_ticks_t;

#define ZX_TIME_INFINITE INT64_MAX
#define ZX_TIME_INFINITE_PAST INT64_MIN

// Saturation of a result whose exact value has the sign of |positive|.
static inline int64_t zxvm_time_saturate(int positive) {
  return positive ? ZX_TIME_INFINITE : ZX_TIME_INFINITE_PAST;
}

static inline zx_time_t zx_time_add_duration(zx_time_t time, zx_duration_t duration) {
  zx_time_t out;
  return __builtin_add_overflow(time, duration, &out) ? zxvm_time_saturate(duration > 0) : out;
}

static inline zx_time_t zx_time_sub_duration(zx_time_t time, zx_duration_t duration) {
  zx_time_t out;
  return __builtin_sub_overflow(time, duration, &out) ? zxvm_time_saturate(duration < 0) : out;
}

static inline zx_duration_t zx_time_sub_time(zx_time_t time1, zx_time_t time2) {
  zx_duration_t out;
  return __builtin_sub_overflow(time1, time2, &out) ? zxvm_time_saturate(time2 < 0) : out;
}

static inline zx_duration_t zx_duration_add_duration(zx_duration_t dur1, zx_duration_t dur2) {
  zx_duration_t out;
  return __builtin_add_overflow(dur1, dur2, &out) ? zxvm_time_saturate(dur2 > 0) : out;
}

static inline zx_duration_t zx_duration_sub_duration(zx_duration_t dur1, zx_duration_t dur2) {
  zx_duration_t out;
  return __builtin_sub_overflow(dur1, dur2, &out) ? zxvm_time_saturate(dur2 < 0) : out;
}

static inline zx_duration_t zx_duration_mul_int64(zx_duration_t duration, int64_t multiplier) {
  zx_duration_t out;
  return __builtin_mul_overflow(duration, multiplier, &out)
             ? zxvm_time_saturate((duration > 0) == (multiplier > 0))
             : out;
}

static inline int64_t zx_nsec_from_duration(zx_duration_t n) { return n; }

static inline zx_duration_t zx_duration_from_nsec(int64_t n) { return n; }

static inline zx_duration_t zx_duration_from_usec(int64_t n) {
  return zx_duration_mul_int64(1000, n);
}

static inline zx_duration_t zx_duration_from_msec(int64_t n) {
  return zx_duration_mul_int64(1000000, n);
}

static inline zx_duration_t zx_duration_from_sec(int64_t n) {
  return zx_duration_mul_int64(1000000000, n);
}

static inline zx_duration_t zx_duration_from_min(int64_t n) {
  return zx_duration_mul_int64(60LL * 1000000000LL, n);
}

static inline zx_duration_t zx_duration_from_hour(int64_t n) {
  return zx_duration_mul_int64(3600LL * 1000000000LL, n);
}

static inline zx_ticks_t zx_ticks_add_ticks(zx_ticks_t ticks1, zx_ticks_t ticks2) {
  zx_ticks_t out;
  return __builtin_add_overflow(ticks1, ticks2, &out) ? zxvm_time_saturate(ticks2 > 0) : out;
}

static inline zx_ticks_t zx_ticks_sub_ticks(zx_ticks_t ticks1, zx_ticks_t ticks2) {
  zx_ticks_t out;
  return __builtin_sub_overflow(ticks1, ticks2, &out) ? zxvm_time_saturate(ticks2 < 0) : out;
}

static inline zx_ticks_t zx_ticks_mul_int64(zx_ticks_t ticks, int64_t multiplier) {
  zx_ticks_t out;
  return __builtin_mul_overflow(ticks, multiplier, &out)
             ? zxvm_time_saturate((ticks > 0) == (multiplier > 0))
             : out;
}

// Unit conversions. A compile-time constant argument gives a constant expression (usable in
// initializers and static asserts); anything else goes through the saturating helpers.
#define ZX_NSEC(n) \
  (__builtin_constant_p(n) ? ((zx_duration_t)(1LL * (n))) : (zx_duration_from_nsec(n)))
#define ZX_USEC(n) \
  (__builtin_constant_p(n) ? ((zx_duration_t)(1000LL * (n))) : (zx_duration_from_usec(n)))
#define ZX_MSEC(n) \
  (__builtin_constant_p(n) ? ((zx_duration_t)(1000000LL * (n))) : (zx_duration_from_msec(n)))
#define ZX_SEC(n) \
  (__builtin_constant_p(n) ? ((zx_duration_t)(1000000000LL * (n))) : (zx_duration_from_sec(n)))
#define ZX_MIN(n)                                                         \
  (__builtin_constant_p(n) ? ((zx_duration_t)(60LL * 1000000000LL * (n))) \
                           : (zx_duration_from_min(n)))
#define ZX_HOUR(n)                                                          \
  (__builtin_constant_p(n) ? ((zx_duration_t)(3600LL * 1000000000LL * (n))) \
                           : (zx_duration_from_hour(n)))

__END_CDECLS

#endif  // ZIRCON_TIME_H_
