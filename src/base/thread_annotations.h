// Clang capability-analysis annotations (-Wthread-safety). They expand to nothing elsewhere.
#ifndef ZXVM_BASE_THREAD_ANNOTATIONS_H_
#define ZXVM_BASE_THREAD_ANNOTATIONS_H_

#if defined(__clang__)
#define ZX_TA(x) __attribute__((x))
#else
#define ZX_TA(x)
#endif

#define CAPABILITY(x) ZX_TA(capability(x))
// Field-level annotations are documentation only: in C, clang cannot resolve a guarded_by that
// names a sibling field of the same struct (llvm/llvm-project#161854), so every access to such a
// field would be flagged. The struct legends ((A), (O), ...) carry the rule; function-level
// REQUIRES/ACQUIRE/RELEASE are checked, and mutex_assert_held checks at run time.
#define GUARDED_BY(x)
#define PT_GUARDED_BY(x)
#define ACQUIRED_BEFORE(...) ZX_TA(acquired_before(__VA_ARGS__))
#define ACQUIRED_AFTER(...) ZX_TA(acquired_after(__VA_ARGS__))
#define REQUIRES(...) ZX_TA(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) ZX_TA(requires_shared_capability(__VA_ARGS__))
#define ACQUIRE(...) ZX_TA(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) ZX_TA(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) ZX_TA(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) ZX_TA(release_shared_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) ZX_TA(try_acquire_capability(__VA_ARGS__))
#define EXCLUDES(...) ZX_TA(locks_excluded(__VA_ARGS__))
#define ASSERT_CAPABILITY(x) ZX_TA(assert_capability(x))
#define RETURN_CAPABILITY(x) ZX_TA(lock_returned(x))
// Every use carries a comment saying why the analysis cannot follow the code.
#define NO_THREAD_SAFETY_ANALYSIS ZX_TA(no_thread_safety_analysis)

#endif  // ZXVM_BASE_THREAD_ANNOTATIONS_H_
