// Lexical helpers shared by the path check and the walker: splitting a POSIX path into its
// components, and mapping a container-absolute path into the home.
#pragma once

#include <string_view>
#include <vector>

namespace home {

// Components of `path` in order, empty components ("a//b", leading or trailing '/') dropped;
// "." and ".." are kept for the caller to interpret.
std::vector<std::string_view> SplitComponents(std::string_view path);

// When `absolute` is `container_home` itself or lies below it, stores the part below it (possibly
// empty) in `*rest` and returns true. The prefix is compared component-wise on the literal text:
// "/home/alice2" is not under "/home/alice". An empty `container_home` maps nothing.
bool MapContainerPath(std::string_view absolute, std::string_view container_home, std::string_view* rest);

}  // namespace home
