// The floor: the bare system calls any writer of this overlay needs, with nothing else (no
// temporary file, no rename, no mode fix, no checks). Same layout as layout.mjs.
//   floor fresh <dir> <count> <size>      mkdirat + openat(O_CREAT|O_EXCL)/write/close per file
//   floor unchanged <dir> <count> <size>  fstatat + openat/read/close per file
// Prints the elapsed milliseconds.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: floor fresh|unchanged <dir> <count> <size>\n");
    return 2;
  }
  const bool fresh = std::strcmp(argv[1], "fresh") == 0;
  const int count = std::atoi(argv[3]);
  const size_t size = static_cast<size_t>(std::atol(argv[4]));
  std::vector<char> buffer(size + 1, 'x');
  auto start = std::chrono::steady_clock::now();
  int root = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) return 1;
  int leaf = -1;
  for (int i = 0; i < count; ++i) {
    std::string top = "d" + std::to_string(i / 100);
    std::string sub = top + "/s" + std::to_string((i / 10) % 10);
    if (i % 10 == 0) {
      if (fresh) {
        if (i % 100 == 0) mkdirat(root, top.c_str(), 0755);
        mkdirat(root, sub.c_str(), 0755);
      }
      if (leaf >= 0) close(leaf);
      leaf = openat(root, sub.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (leaf < 0) return 1;
    }
    std::string name = "f" + std::to_string(i);
    if (fresh) {
      int fd = openat(leaf, name.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, i % 7 == 0 ? 0755 : 0644);
      if (fd < 0 || write(fd, buffer.data(), size) != static_cast<ssize_t>(size)) return 1;
      close(fd);
    } else {
      struct stat st;
      if (fstatat(leaf, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return 1;
      int fd = openat(leaf, name.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0 || read(fd, buffer.data(), size + 1) != static_cast<ssize_t>(size)) return 1;
      close(fd);
    }
  }
  if (leaf >= 0) close(leaf);
  close(root);
  auto elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("%.3f\n", elapsed);
  return 0;
}
