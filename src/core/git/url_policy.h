// Which clone URLs we accept, and how a URL is shown to people: the credentials a user may have
// put into a URL (`https://user:token@host/...`) never reach a message, a log or the disk.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.h"

namespace home {

// The transports the package knows. Everything else (`ext::`, `fd::`, unknown schemes) is never
// allowed: `ext::` runs an arbitrary command.
enum class UrlScheme { kHttps, kHttp, kSsh, kGit, kFile, kUnsupported };

// "https", "http", "ssh", "git", "file" as CloneProtocol names them; "unsupported" otherwise.
const char* SchemeName(UrlScheme scheme);

// https:// http:// ssh:// git+ssh:// ssh+git:// git:// file://, scp-like `user@host:path` (ssh),
// bare local paths (`/srv/repo`, `./repo`, `repo`) as file. Case-insensitive scheme.
UrlScheme ClassifyUrl(std::string_view url);

// ERR_PROTOCOL_NOT_ALLOWED unless the URL's scheme is one of `allowed` (CloneProtocol names).
// The error's path is the redacted URL.
Error CheckUrlAllowed(std::string_view url, const std::vector<std::string>& allowed);

// Removes the userinfo (`user:password@`, `token@`) of every `scheme://` URL inside `text`,
// so that messages from libgit2 that echo the URL are safe too. scp-like ssh addresses keep
// their user name: it carries no secret (`git@github.com:x/y`).
std::string RedactUrl(std::string_view text);

// The server an http:// or https:// URL names: its host (brackets of an IPv6 literal removed)
// and its port (the scheme's default, 80 or 443, when the URL has none), as libgit2 hands them
// to the stream it opens. False for other schemes.
bool HttpEndpoint(std::string_view url, std::string* host, std::string* port);

// The host an ssh URL names (`ssh://[user@]host[:port]/path`, `git+ssh://`, `ssh+git://`, or
// scp-like `[user@]host:path`, `[user@][host]:path`), brackets removed. False for other URLs.
bool SshHost(std::string_view url, std::string* host);

// `url` with its userinfo removed entirely (`https://host/x`): what we write into the clone's
// .git/config as the origin's URL, usable by the user and free of secrets.
std::string UrlWithoutCredentials(std::string_view url);

// The host an http(s) or ssh URL names (HttpEndpoint's or SshHost's); empty for other URLs.
std::string UrlHost(std::string_view url);

}  // namespace home
