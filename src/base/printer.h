// A destination for diagnostic text (dumps, checker reports): the core formats through it without
// knowing whether the text goes to stderr, a FILE* or a test buffer.
#ifndef ZXVM_BASE_PRINTER_H_
#define ZXVM_BASE_PRINTER_H_

#include <stdarg.h>

#include "base/compiler.h"

struct printer {
  void (*write)(void* ctx, const char* text, size_t len);
  void* ctx;
};

// Formats like printf and hands the text to |p| (lines longer than 512 bytes are truncated).
// A NULL |p| prints to the platform's diagnostic output (stderr).
void printer_printf(const struct printer* p, const char* fmt, ...) PRINTFLIKE(2, 3);
void printer_vprintf(const struct printer* p, const char* fmt, va_list ap);

#endif  // ZXVM_BASE_PRINTER_H_
