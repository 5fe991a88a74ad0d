// A WASI command that parks in a host call with files open: the guest of
// the WASI-state snapshot tests (tests/unit/wasi/state_snapshot_test.cpp,
// tests/cli/resume_test.sh). For each line of DIR/in.txt it asks the host
// decide(line number) and writes "<n> <line> x<answer>" to DIR/out.txt,
// reading DIR/raw.bin 3 bytes at a time (unbuffered: the host descriptor's
// offset is what moves) and DIR/sub's listing one entry at a time. Then it
// prints what it did, its args and $GREETING, the (virtual) clock and
// random bytes, so every part of the WASI state shows in the output.
//   journal.wasm [DIR]   (default /data)
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

__attribute__((import_module("host"), import_name("decide"))) int decide(int line);

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "/data";
  char path[512];
  snprintf(path, sizeof path, "%s/in.txt", dir);
  FILE *in = fopen(path, "r");
  snprintf(path, sizeof path, "%s/out.txt", dir);
  FILE *out = fopen(path, "w");
  snprintf(path, sizeof path, "%s/raw.bin", dir);
  int raw = open(path, O_RDONLY);
  snprintf(path, sizeof path, "%s/sub", dir);
  DIR *listing = opendir(path);
  if (!in || !out || raw < 0 || !listing) {
    printf("cannot open the files under %s\n", dir);
    return 1;
  }
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  char line[256];
  int n = 0;
  while (fgets(line, sizeof line, in)) {
    line[strcspn(line, "\n")] = 0;
    int answer = decide(n);
    fprintf(out, "%d %s x%d\n", n, line, answer);
    char bytes[4] = {0};
    ssize_t got = read(raw, bytes, 3);
    struct dirent *entry;
    do {
      entry = readdir(listing);
    } while (entry && entry->d_name[0] == '.');
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    printf("line %d: %s -> %d, raw \"%.*s\", entry %s, %lld ns in\n", n, line, answer,
           (int)(got > 0 ? got : 0), bytes, entry ? entry->d_name : "(end)",
           (long long)(now.tv_sec - start.tv_sec) * 1000000000 + (now.tv_nsec - start.tv_nsec));
    ++n;
  }
  fclose(in);
  fclose(out);
  close(raw);
  closedir(listing);

  snprintf(path, sizeof path, "%s/out.txt", dir);
  FILE *back = fopen(path, "r");
  while (back && fgets(line, sizeof line, back)) printf("out: %s", line);
  if (back) fclose(back);
  for (int i = 0; i < argc; ++i) printf("arg %d: %s\n", i, argv[i]);
  const char *greeting = getenv("GREETING");
  printf("GREETING=%s\n", greeting ? greeting : "(unset)");
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  unsigned char random[4];
  arc4random_buf(random, sizeof random);
  printf("monotonic %lld.%09ld, random %02x%02x%02x%02x\n", (long long)ts.tv_sec, ts.tv_nsec,
         random[0], random[1], random[2], random[3]);
  return 0;
}
