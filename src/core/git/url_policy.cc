#include "core/git/url_policy.h"

#include <algorithm>
#include <cctype>

namespace home {
namespace {

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

// git's own rule for scp-like syntax (connect.c, url_is_local_not_ssh): a colon before any
// slash makes `host:path` an ssh address; a slash first makes it a local path.
bool IsScpLike(std::string_view url) {
  const size_t colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  const size_t slash = url.find('/');
  return slash == std::string_view::npos || colon < slash;
}

}  // namespace

const char* SchemeName(UrlScheme scheme) {
  switch (scheme) {
    case UrlScheme::kHttps: return "https";
    case UrlScheme::kHttp: return "http";
    case UrlScheme::kSsh: return "ssh";
    case UrlScheme::kGit: return "git";
    case UrlScheme::kFile: return "file";
    case UrlScheme::kUnsupported: break;
  }
  return "unsupported";
}

UrlScheme ClassifyUrl(std::string_view url) {
  if (url.empty() || url.find('\0') != std::string_view::npos) return UrlScheme::kUnsupported;
  // Transport helpers (`ext::cmd`, `fd::3`, `<transport>::<address>`): never. git's syntax: a
  // transport name (letters, digits, `+ - .`) then `::` (transport.c). Not any `::`: an IPv6 host
  // (`https://[::1]/x`) has them too, and must reach the network policy as what it is.
  const size_t helper = url.find("::");
  if (helper != std::string_view::npos &&
      url.substr(0, helper).find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.") ==
          std::string_view::npos) {
    return UrlScheme::kUnsupported;
  }
  if (StartsWithNoCase(url, "https://")) return UrlScheme::kHttps;
  if (StartsWithNoCase(url, "http://")) return UrlScheme::kHttp;
  if (StartsWithNoCase(url, "ssh://") || StartsWithNoCase(url, "git+ssh://") ||
      StartsWithNoCase(url, "ssh+git://")) {
    return UrlScheme::kSsh;
  }
  if (StartsWithNoCase(url, "git://")) return UrlScheme::kGit;
  if (StartsWithNoCase(url, "file://")) return UrlScheme::kFile;
  if (url.find("://") != std::string_view::npos) return UrlScheme::kUnsupported;
  if (url[0] == '/' || url[0] == '.') return UrlScheme::kFile;
  if (IsScpLike(url)) return UrlScheme::kSsh;
  // No scheme, no colon: git treats it as a local path.
  return UrlScheme::kFile;
}

Error CheckUrlAllowed(std::string_view url, const std::vector<std::string>& allowed) {
  const UrlScheme scheme = ClassifyUrl(url);
  const std::string shown = RedactUrl(url);
  if (scheme == UrlScheme::kUnsupported) {
    return MakeError("ERR_PROTOCOL_NOT_ALLOWED", "unsupported transport in clone URL " + shown, shown);
  }
  const std::string name = SchemeName(scheme);
  if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
    return MakeError("ERR_PROTOCOL_NOT_ALLOWED",
                     "protocol '" + name + "' is not allowed for clone URL " + shown, shown);
  }
  return {};
}

std::string RedactUrl(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t sep = text.find("://", pos);
    if (sep == std::string_view::npos) break;
    const size_t authority = sep + 3;
    // The authority ends at the first '/', '?', '#', whitespace or quote; userinfo is whatever
    // precedes its last '@'.
    size_t end = authority;
    while (end < text.size()) {
      const char c = text[end];
      if (c == '/' || c == '?' || c == '#' || c == '"' || c == '<' || c == '>' ||
          std::isspace(static_cast<unsigned char>(c))) {
        break;
      }
      ++end;
    }
    const std::string_view host_part = text.substr(authority, end - authority);
    const size_t at = host_part.rfind('@');
    out.append(text.substr(pos, authority - pos));
    if (at != std::string_view::npos) {
      out.append("***@");
      out.append(host_part.substr(at + 1));
    } else {
      out.append(host_part);
    }
    pos = end;
  }
  out.append(text.substr(pos));
  return out;
}

std::string UrlWithoutCredentials(std::string_view url) {
  const std::string redacted = RedactUrl(url);
  const size_t marker = redacted.find("://***@");
  if (marker == std::string::npos) return redacted;
  return redacted.substr(0, marker + 3) + redacted.substr(marker + 7);
}

bool HttpEndpoint(std::string_view url, std::string* host, std::string* port) {
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos) return false;
  std::string scheme(url.substr(0, sep));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "http" && scheme != "https") return false;
  std::string_view authority = url.substr(sep + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return false;
    host->assign(authority.substr(1, close - 1));
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty() && rest.front() == ':') port_text = rest.substr(1);
  } else {
    const size_t colon = authority.rfind(':');
    host->assign(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  port->assign(port_text.empty() ? (scheme == "https" ? "443" : "80") : std::string(port_text));
  return !host->empty();
}

bool SshHost(std::string_view url, std::string* host) {
  if (ClassifyUrl(url) != UrlScheme::kSsh) return false;
  std::string_view authority;
  const size_t sep = url.find("://");
  if (sep != std::string_view::npos) {
    authority = url.substr(sep + 3);
    authority = authority.substr(0, authority.find('/'));
  } else {
    // scp-like: everything before the first colon that is not inside brackets.
    const size_t close = url.find(']');
    const size_t colon = url.find(':', close == std::string_view::npos ? 0 : close);
    authority = url.substr(0, colon);
  }
  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return false;
    host->assign(authority.substr(1, close - 1));
  } else if (sep != std::string_view::npos) {
    host->assign(authority.substr(0, authority.rfind(':')));
  } else {
    host->assign(authority);
  }
  return !host->empty();
}

std::string UrlHost(std::string_view url) {
  std::string host, port;
  if (HttpEndpoint(url, &host, &port) || SshHost(url, &host)) return host;
  return {};
}

}  // namespace home
