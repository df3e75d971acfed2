// Overflow-safe arithmetic. Every range check in zxvm goes through these or through
// __builtin_*_overflow directly, with "last byte" arithmetic (base + len - 1) at the top of a
// range.
#ifndef ZXVM_BASE_CHECKED_MATH_H_
#define ZXVM_BASE_CHECKED_MATH_H_

#include "base/compiler.h"

// |*out| = a + b; false on overflow (|*out| unspecified then).
static inline bool add_u64(uint64_t a, uint64_t b, uint64_t* out) {
  return !__builtin_add_overflow(a, b, out);
}

// Rounds |x| up to a multiple of 2^|shift|; false on overflow.
static inline bool roundup_pow2_u64(uint64_t x, unsigned shift, uint64_t* out) {
  uint64_t mask = ((uint64_t)1 << shift) - 1;
  uint64_t t;
  if (__builtin_add_overflow(x, mask, &t)) return false;
  *out = t & ~mask;
  return true;
}

// Rounds |x| up to a page; false on overflow.
static inline bool roundup_page_u64(uint64_t x, uint64_t* out) {
  return roundup_pow2_u64(x, PAGE_SIZE_SHIFT, out);
}

// True when [offset, offset+len) lies inside [0, size); a zero-length range at |size| is inside.
static inline bool range_in_bounds(uint64_t offset, uint64_t len, uint64_t size) {
  uint64_t end;
  return add_u64(offset, len, &end) && end <= size;
}

// True when [a, a+alen) and [b, b+blen) intersect (both non-empty, no wrap assumed checked).
static inline bool ranges_intersect(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen) {
  if (alen == 0 || blen == 0) return false;
  return a <= b + (blen - 1) && b <= a + (alen - 1);
}

// Intersection of [a, a+alen) and [b, b+blen); false (outputs untouched) when empty.
static inline bool range_intersect(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen,
                                   uint64_t* out_base, uint64_t* out_len) {
  if (!ranges_intersect(a, alen, b, blen)) return false;
  uint64_t lo = a > b ? a : b;
  uint64_t a_last = a + (alen - 1), b_last = b + (blen - 1);
  uint64_t hi_last = a_last < b_last ? a_last : b_last;
  *out_base = lo;
  *out_len = hi_last - lo + 1;
  return true;
}

static inline uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static inline uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }

#endif  // ZXVM_BASE_CHECKED_MATH_H_
