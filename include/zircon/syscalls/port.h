// Port packets of the Fuchsia ABI (zircon/syscalls/port.h): the 48-byte zx_port_packet_t that
// zx_port_wait() returns and zx_port_queue() accepts, its packet types, and the page-request
// packet a pager receives. zxvm defines the packet kinds the VM produces or the tests queue
// (user, signal, interrupt, page request); the union keeps its ABI size of 32 bytes.
#ifndef ZIRCON_SYSCALLS_PORT_H_
#define ZIRCON_SYSCALLS_PORT_H_

#include <zircon/compiler.h>
#include <zircon/syscalls/types.h>
#include <zircon/types.h>

__BEGIN_CDECLS

// clang-format off

// zx_object_wait_async() options. ZX_WAIT_ASYNC_ONCE is a no-op kept for old code.
#define ZX_WAIT_ASYNC_ONCE            ((uint32_t)0u)
#define ZX_WAIT_ASYNC_TIMESTAMP       ((uint32_t)1u)
#define ZX_WAIT_ASYNC_EDGE            ((uint32_t)2u)
#define ZX_WAIT_ASYNC_BOOT_TIMESTAMP  ((uint32_t)4u)

typedef uint32_t zx_packet_type_t;

// zx_port_packet_t.type. (0x02 is retired; 0x0A is reserved.)
#define ZX_PKT_TYPE_USER              ((zx_packet_type_t)0x00u)
#define ZX_PKT_TYPE_SIGNAL_ONE        ((zx_packet_type_t)0x01u)
#define ZX_PKT_TYPE_GUEST_BELL        ((zx_packet_type_t)0x03u)
#define ZX_PKT_TYPE_GUEST_MEM         ((zx_packet_type_t)0x04u)
#define ZX_PKT_TYPE_GUEST_IO          ((zx_packet_type_t)0x05u)
#define ZX_PKT_TYPE_GUEST_VCPU        ((zx_packet_type_t)0x06u)
#define ZX_PKT_TYPE_INTERRUPT         ((zx_packet_type_t)0x07u)
#define ZX_PKT_TYPE_PAGE_REQUEST      ((zx_packet_type_t)0x09u)

// zx_port_create() option.
#define ZX_PORT_BIND_TO_INTERRUPT     ((uint32_t)(0x1u << 0))

#define ZX_PKT_IS_USER(type)          ((type) == ZX_PKT_TYPE_USER)
#define ZX_PKT_IS_SIGNAL_ONE(type)    ((type) == ZX_PKT_TYPE_SIGNAL_ONE)
#define ZX_PKT_IS_GUEST_BELL(type)    ((type) == ZX_PKT_TYPE_GUEST_BELL)
#define ZX_PKT_IS_GUEST_MEM(type)     ((type) == ZX_PKT_TYPE_GUEST_MEM)
#define ZX_PKT_IS_GUEST_IO(type)      ((type) == ZX_PKT_TYPE_GUEST_IO)
#define ZX_PKT_IS_GUEST_VCPU(type)    ((type) == ZX_PKT_TYPE_GUEST_VCPU)
#define ZX_PKT_IS_INTERRUPT(type)     ((type) == ZX_PKT_TYPE_INTERRUPT)
#define ZX_PKT_IS_PAGE_REQUEST(type)  ((type) == ZX_PKT_TYPE_PAGE_REQUEST)

// zx_packet_page_request_t.command.
#define ZX_PAGER_VMO_READ             ((uint16_t)0)
#define ZX_PAGER_VMO_COMPLETE         ((uint16_t)1)
#define ZX_PAGER_VMO_DIRTY            ((uint16_t)2)

// clang-format on

// ZX_PKT_TYPE_USER: 32 bytes of payload, free for the sender.
typedef union zx_packet_user {
  uint64_t u64[4];
  uint32_t u32[8];
  uint16_t u16[16];
  uint8_t c8[32];
} zx_packet_user_t;

// ZX_PKT_TYPE_SIGNAL_ONE.
typedef struct zx_packet_signal {
  zx_signals_t trigger;
  zx_signals_t observed;
  uint64_t count;
  zx_time_t timestamp;
  uint64_t reserved1;
} zx_packet_signal_t;

// ZX_PKT_TYPE_INTERRUPT.
typedef struct zx_packet_interrupt {
  zx_instant_boot_t timestamp;
  uint64_t reserved0;
  uint64_t reserved1;
  uint64_t reserved2;
} zx_packet_interrupt_t;

// ZX_PKT_TYPE_PAGE_REQUEST. |offset| and |length| are page aligned (both 0 for COMPLETE).
typedef struct zx_packet_page_request {
  // ZX_PAGER_VMO_READ, ZX_PAGER_VMO_DIRTY or ZX_PAGER_VMO_COMPLETE.
  uint16_t command;
  // No flags are defined; always 0.
  uint16_t flags;
  uint32_t reserved0;
  uint64_t offset;
  uint64_t length;
  uint64_t reserved1;
} zx_packet_page_request_t;

struct zx_port_packet {
  // The key given when the source was bound to the port (zx_pager_create_vmo's |key|, ...).
  uint64_t key;
  zx_packet_type_t type;
  zx_status_t status;
  union {
    zx_packet_user_t user;
    zx_packet_signal_t signal;
    zx_packet_interrupt_t interrupt;
    zx_packet_page_request_t page_request;
  };
};

__END_CDECLS

#endif  // ZIRCON_SYSCALLS_PORT_H_
