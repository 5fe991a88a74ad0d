// The plainest runaway: a loop of one branch (`loop br 0 end` at -O2).
int main(void) {
  for (;;) {
  }
}
