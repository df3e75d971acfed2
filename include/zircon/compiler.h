// The few compiler helpers the public zircon/ headers need: C linkage brackets for C++ and the
// visibility attribute that marks the zx_* entry points as exported. Kept deliberately small so
// it does not collide with helpers a program (or zxvm's own src/base/compiler.h) defines.
#ifndef ZIRCON_COMPILER_H_
#define ZIRCON_COMPILER_H_

// Fuchsia's headers open and close their declarations with these two; programs use them too.
#ifndef __BEGIN_CDECLS
#ifdef __cplusplus
#define __BEGIN_CDECLS extern "C" {
#define __END_CDECLS }
#else
#define __BEGIN_CDECLS
#define __END_CDECLS
#endif
#endif

// zxvm builds with -fvisibility=hidden; every zx_* call declared in these headers is marked with
// this so that it is the one thing (with zxvm_*) the library exports.
#ifndef ZX_SYSCALL_EXPORT
#define ZX_SYSCALL_EXPORT __attribute__((visibility("default")))
#endif

#endif  // ZIRCON_COMPILER_H_
