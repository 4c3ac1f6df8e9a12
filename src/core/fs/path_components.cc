#include "core/fs/path_components.h"

namespace home {

std::vector<std::string_view> SplitComponents(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool MapContainerPath(std::string_view absolute, std::string_view container_home, std::string_view* rest) {
  if (container_home.empty() || container_home.front() != '/' || absolute.empty() || absolute.front() != '/') {
    return false;
  }
  // "/home/alice/" and "/home/alice" name the same directory; "/" keeps its one slash out.
  while (container_home.size() > 1 && container_home.back() == '/') container_home.remove_suffix(1);
  if (container_home == "/") {
    *rest = absolute.substr(1);
    return true;
  }
  if (absolute.compare(0, container_home.size(), container_home) != 0) return false;
  std::string_view tail = absolute.substr(container_home.size());
  if (!tail.empty() && tail.front() != '/') return false;
  while (!tail.empty() && tail.front() == '/') tail.remove_prefix(1);
  *rest = tail;
  return true;
}

}  // namespace home
