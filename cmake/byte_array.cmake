# cpmu_byte_array(FILE VAR): sets VAR to FILE's bytes as C array initialisers
# ("0x7b,0x0a,..."), sixteen to a line. Generated sources embed text as byte
# arrays: a string literal that long exceeds what ISO C++ guarantees, which
# -Wpedantic flags. CMake regular expressions have no {n} repetition, hence
# the repeated pattern.
function(cpmu_byte_array file var)
  file(READ ${file} hex HEX)
  string(REPEAT "0x..," 16 sixteen_bytes)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REGEX REPLACE "(${sixteen_bytes})" "\\1\n    " bytes "${bytes}")
  set(${var} "${bytes}" PARENT_SCOPE)
endfunction()
