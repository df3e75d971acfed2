// zxvm: the command-line tool. `zxvm demo` runs the main job.
#include <stdio.h>
#include <string.h>

int main(int argc, char** argv) {
  if (argc < 2 || strcmp(argv[1], "demo") != 0) {
    fprintf(stderr, "usage: zxvm demo\n");
    return 2;
  }
  printf("zxvm demo\n");
  return 0;
}
