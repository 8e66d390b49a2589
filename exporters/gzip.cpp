#include "gzip.hpp"

#include <zlib.h>

namespace cpmu::exporter {

Result<std::string> gzip_compress(std::string_view data) {
  z_stream stream{};
  // windowBits 15 + 16: a gzip wrapper rather than zlib's own.
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Error(Errc::kIo, "gzip: cannot initialise zlib");
  }
  std::string out(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (status != Z_STREAM_END) return Error(Errc::kIo, "gzip: compression did not finish");
  return out;
}

}  // namespace cpmu::exporter
