// CPMU_API marks what libcpmu exports. The library is built with hidden
// symbol visibility, so everything not marked (the cpmu::detail helpers in
// src/) stays private to it: front ends can only reach the public headers.
#pragma once

#if defined(__GNUC__)
#define CPMU_API __attribute__((visibility("default")))
#else
#define CPMU_API
#endif
