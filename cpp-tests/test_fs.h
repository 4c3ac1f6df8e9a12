// Test helpers: a scratch directory under $TMPDIR (or /tmp) removed at the end, a tiny notation
// for building file trees (Go's os.Root tests: "d/" a directory, "f" a file, "l => target" a
// symlink), and a snapshot of a tree (names, types, modes, inodes, bytes) to prove that nothing
// outside the home changed.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace home::test {

class ScratchDir {
 public:
  ScratchDir() {
    const char* base = std::getenv("TMPDIR");
    std::string templ = std::string(base && *base ? base : "/tmp") + "/home-native-test-XXXXXX";
    char* made = ::mkdtemp(templ.data());
    if (!made) std::abort();
    path_ = made;
  }
  ~ScratchDir() {
    std::error_code ec;
    // Make read-only directories removable again before removing (remove_all never follows links).
    for (auto it = std::filesystem::recursive_directory_iterator(path_, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_directory(ec) && !it->is_symlink(ec)) ::chmod(it->path().c_str(), 0755);
    }
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

inline void WriteText(const std::string& path, const std::string& text, mode_t mode = 0644) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  ::chmod(path.c_str(), mode);
}

inline std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

inline std::vector<unsigned char> ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<unsigned char>((std::istreambuf_iterator<char>(in)), {});
}

// A shell command's exit status (std::system's), for building fixtures with the git CLI.
inline int Sh(const std::string& command) { return std::system(command.c_str()); }

inline bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

// Builds entries below `dir`: "d/" directory, "f" file (content: its own name), "l => target"
// symlink (target verbatim).
inline void Build(const std::string& dir, const std::vector<std::string>& entries) {
  for (const std::string& entry : entries) {
    auto arrow = entry.find(" => ");
    if (arrow != std::string::npos) {
      std::string link = dir + "/" + entry.substr(0, arrow);
      std::filesystem::create_directories(std::filesystem::path(link).parent_path());
      ASSERT_EQ(::symlink(entry.substr(arrow + 4).c_str(), link.c_str()), 0) << entry;
    } else if (entry.back() == '/') {
      std::filesystem::create_directories(dir + "/" + entry);
    } else {
      std::filesystem::create_directories(std::filesystem::path(dir + "/" + entry).parent_path());
      WriteText(dir + "/" + entry, entry);
    }
  }
}

// "name: type mode inode [bytes | -> target]" per entry, in name order; never follows links.
inline std::string Snapshot(const std::string& dir) {
  std::map<std::string, std::string> lines;
  std::vector<std::string> todo{""};
  while (!todo.empty()) {
    std::string rel = todo.back();
    todo.pop_back();
    std::string full = rel.empty() ? dir : dir + "/" + rel;
    DIR* d = ::opendir(full.c_str());
    if (!d) continue;
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      std::string child = rel.empty() ? name : rel + "/" + name;
      std::string path = dir + "/" + child;
      struct stat st;
      if (::lstat(path.c_str(), &st) != 0) continue;
      std::ostringstream line;
      line << std::oct << st.st_mode << std::dec << " ino=" << st.st_ino << " nlink=" << st.st_nlink
           << " uid=" << st.st_uid;
      if (S_ISREG(st.st_mode)) line << " bytes=" << ReadText(path);
      if (S_ISLNK(st.st_mode)) {
        char target[4096];
        ssize_t n = ::readlink(path.c_str(), target, sizeof target);
        line << " -> " << std::string(target, n > 0 ? static_cast<size_t>(n) : 0);
      }
      if (S_ISDIR(st.st_mode)) todo.push_back(child);
      lines[child] = line.str();
    }
    ::closedir(d);
  }
  std::string out;
  for (const auto& [name, line] : lines) out += name + ": " + line + "\n";
  return out;
}

}  // namespace home::test
