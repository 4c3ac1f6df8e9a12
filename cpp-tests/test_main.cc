#include <gtest/gtest.h>
#include <signal.h>

int main(int argc, char** argv) {
  // A git server that closes its socket mid-transfer must fail a clone with EPIPE, not kill the
  // test binary: clone threads block SIGPIPE themselves, and so does this main thread.
  signal(SIGPIPE, SIG_IGN);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
