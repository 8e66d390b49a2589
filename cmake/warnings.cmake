# Project-wide compiler flags: strict warnings for our own targets, optional sanitizers.
add_library(cpmu_warnings INTERFACE)
target_compile_options(cpmu_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Wimplicit-fallthrough -Wformat=2)
if(CPMU_WERROR)
  target_compile_options(cpmu_warnings INTERFACE -Werror)
endif()

if(CPMU_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
