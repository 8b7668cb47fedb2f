# Turns a file into a C++ source that defines
#   std::string_view <SYMBOL>() in namespace aura::storage::internal
# so binaries carry data (demo inventory, migrations) with no files at run time.
# Bytes are written as a char array, which avoids the length limits of string literals.
#
#   cmake -DINPUT=in.json -DOUTPUT=out.cc -DSYMBOL=DemoInventoryJson -P embed_file.cmake
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_len)
math(EXPR size "${hex_len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
# Break the array into lines of 16 bytes to keep the generated file readable.
string(REGEX REPLACE "(('\\\\x[0-9a-f][0-9a-f]',){16})" "\\1\n    " bytes "${bytes}")
file(WRITE "${OUTPUT}"
"// Generated from ${INPUT} by embed_file.cmake; do not edit.
#include <string_view>

namespace aura::storage::internal {
namespace {
constexpr char kData[] = {
    ${bytes}'\\0'};
}  // namespace

std::string_view ${SYMBOL}() { return std::string_view(kData, ${size}); }

}  // namespace aura::storage::internal
")
