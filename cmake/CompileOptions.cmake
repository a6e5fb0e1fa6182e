# Flags reach targets through this INTERFACE target, never through global CMAKE_*_FLAGS.
add_library(rowchain_options INTERFACE)
target_compile_options(rowchain_options INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wno-unused-parameter>)
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  # librdkafka's RD_KAFKA_V_* macros are GNU statement expressions, which -Wpedantic names.
  target_compile_options(rowchain_options INTERFACE
    $<$<COMPILE_LANGUAGE:CXX>:-Wthread-safety -Wno-gnu-statement-expression>)
endif()
if(ROWCHAIN_SANITIZE)
  target_compile_options(rowchain_options INTERFACE
    $<$<COMPILE_LANGUAGE:CXX>:-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined>)
  target_link_options(rowchain_options INTERFACE -fsanitize=address,undefined)
endif()
if(ROWCHAIN_FUZZ)
  # Coverage for libFuzzer in every library; fuzz targets link the fuzzer's main (fuzz/).
  target_compile_options(rowchain_options INTERFACE $<$<COMPILE_LANGUAGE:CXX>:-fsanitize=fuzzer-no-link>)
endif()
