// printer_printf: formats into a bounded stack buffer, then hands the text to the printer.
#include "base/printer.h"

#include "base/platform.h"

void printer_vprintf(const struct printer* p, const char* fmt, va_list ap) {
  char buf[512];
  int n = platform_vsnprintf(buf, sizeof(buf), fmt, ap);
  if (n < 0) return;
  size_t len = (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
  if (p == NULL) {
    platform_printf("%.*s", (int)len, buf);
  } else {
    p->write(p->ctx, buf, len);
  }
}

void printer_printf(const struct printer* p, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  printer_vprintf(p, fmt, ap);
  va_end(ap);
}
