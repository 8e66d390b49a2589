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

# ThreadSanitizer, for the threaded suites (.ci/run builds only those, at -O1).
# It cannot be combined with AddressSanitizer.
option(CPMU_SANITIZE_THREAD "Build with ThreadSanitizer" OFF)
if(CPMU_SANITIZE_THREAD)
  if(CPMU_SANITIZE)
    message(FATAL_ERROR "CPMU_SANITIZE_THREAD and CPMU_SANITIZE (AddressSanitizer) exclude each other")
  endif()
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()
