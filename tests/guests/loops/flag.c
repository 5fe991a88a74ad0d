// Spins on a flag nobody clears (a signal handler's flag in a real program).
volatile int flag = 1;

int main(void) {
  while (flag) {
  }
  return 0;
}
