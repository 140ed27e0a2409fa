// Shell-style glob matching for --filter and pattern options: `*` matches any run of
// characters (including '/'), `?` one character, `[abc]`/`[a-z]`/`[!a]` a class.
#pragma once

#include <string_view>

namespace rescope {

bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace rescope
