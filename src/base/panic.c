// zxvm_panic: the single exit for broken invariants. Prints the function, line and message.
#include <stdarg.h>

#include "base/assert.h"
#include "base/platform.h"

void zxvm_panic(const char* func, int line, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  platform_printf("zxvm panic: %s:%d: ", func, line);
  platform_vprintf(fmt, ap);
  platform_printf("\n");
  va_end(ap);
  platform_abort();
}
