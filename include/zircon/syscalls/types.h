// Forward declarations zircon/syscalls.h needs without pulling in the headers that define them
// (zircon/syscalls/types.h). The full definition of zx_port_packet_t is in zircon/syscalls/port.h.
#ifndef ZIRCON_SYSCALLS_TYPES_H_
#define ZIRCON_SYSCALLS_TYPES_H_

#include <zircon/compiler.h>

__BEGIN_CDECLS

typedef struct zx_port_packet zx_port_packet_t;

__END_CDECLS

#endif  // ZIRCON_SYSCALLS_TYPES_H_
