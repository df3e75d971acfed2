// Handles the runtime hands a process (zircon/process.h): its own process handle, its root VMAR
// and its default job. They are owned by the runtime; callers must not close them.
#ifndef ZIRCON_PROCESS_H_
#define ZIRCON_PROCESS_H_

#include <stdint.h>
#include <zircon/compiler.h>
#include <zircon/types.h>

__BEGIN_CDECLS

// The calling process.
ZX_SYSCALL_EXPORT zx_handle_t zx_process_self(void);

// The root VMAR of the calling process's address space.
ZX_SYSCALL_EXPORT zx_handle_t zx_vmar_root_self(void);

// The job new processes are created in by default.
ZX_SYSCALL_EXPORT zx_handle_t zx_job_default(void);

__END_CDECLS

#endif  // ZIRCON_PROCESS_H_
