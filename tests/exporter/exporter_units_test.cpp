// cpmu-exporter's pure parts: the collection and web configuration files
// (errors name file, line and column), Accept q-value negotiation, gzip
// detection, basic auth against a real bcrypt hash, and both exposition
// formats' escaping and layout.
#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "basic_auth.hpp"
#include "collection_config.hpp"
#include "exposition.hpp"
#include "gzip.hpp"
#include "health.hpp"
#include "web_config.hpp"

namespace cpmu::exporter {
namespace {

TEST(CollectionConfig, ReadsEveryKeyAndKeepsDefaultsForKindsLeftOut) {
  auto config = parse_collection_config(
      "interval: 250ms\ncpmus: [\"0d:00.0/0\", mem0]\nevents:\n  endpoint: [s2m_drs_memdata]\n", "c.yml");
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(config->interval, std::chrono::milliseconds(250));
  EXPECT_EQ(config->cpmus, (std::vector<std::string>{"0d:00.0/0", "mem0"}));
  EXPECT_EQ(config->events_for(ComponentKind::kEndpoint), std::vector<std::string>{"s2m_drs_memdata"});
  EXPECT_EQ(config->events_for(ComponentKind::kRootPort),
            default_collection_config().events_for(ComponentKind::kRootPort));
}

TEST(CollectionConfig, ErrorsNameFileLineAndWhat) {
  auto unknown = parse_collection_config("interval: 1s\nintervall: 2s\n", "c.yml");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message().rfind("c.yml:2:1: unknown key 'intervall'", 0), 0) << unknown.error().message();
  auto kind = parse_collection_config("events:\n  endpoints: [a]\n", "c.yml");
  ASSERT_FALSE(kind);
  EXPECT_NE(kind.error().message().find("unknown component kind 'endpoints'"), std::string::npos);
  auto list = parse_collection_config("events:\n  endpoint: s2m_drs_memdata\n", "c.yml");
  ASSERT_FALSE(list);
  EXPECT_NE(list.error().message().find("must be a list of strings"), std::string::npos);
  auto syntax = parse_collection_config("interval: [1s\n", "c.yml");
  ASSERT_FALSE(syntax);
  EXPECT_EQ(syntax.error().message().rfind("c.yml:", 0), 0);
}

TEST(CollectionConfig, DurationsHaveUnitsAndBounds) {
  EXPECT_EQ(*parse_duration("2s"), std::chrono::seconds(2));
  EXPECT_EQ(*parse_duration("1m"), std::chrono::minutes(1));
  EXPECT_EQ(*parse_duration("0.5"), std::chrono::milliseconds(500));
  for (const char* bad : {"", "s", "5ms", "2h", "-1s", "1 s", "nan", "1e400"}) {
    EXPECT_FALSE(parse_duration(bad)) << bad;
  }
}

TEST(WebConfig, ReadsTheToolkitKeys) {
  auto config = parse_web_config(
      "tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  min_version: TLS13\n"
      "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n"
      "http_server_config:\n  headers:\n    X-Frame-Options: deny\n"
      "basic_auth_users:\n  prometheus: $2y$10$abcdefghijklmnopqrstuuPbJf0n4XCGnTFmW1Y5UqDsIhYy8v4FnK\n",
      "w.yml");
  ASSERT_TRUE(config) << config.error().message();
  ASSERT_TRUE(config->tls);
  EXPECT_EQ(config->tls->client_auth, ClientAuth::kRequireAndVerify);
  EXPECT_EQ(config->headers.size(), 1u);
  EXPECT_EQ(config->basic_auth_users.count("prometheus"), 1u);
}

TEST(WebConfig, RefusesWhatItCannotHonour) {
  const char* bad[] = {
      "tls_server_config:\n  cert_file: a.crt\n",                                   // no key
      "tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [x]\n",  // not implemented
      "tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: SSL3\n",   // no such version
      "tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireAndVerifyClientCert\n",
      "basic_auth_users:\n  u: clear-text\n",  // not bcrypt
      "rate_limit:\n  interval: 1s\n",         // not implemented
  };
  for (const char* text : bad) {
    auto config = parse_web_config(text, "w.yml");
    EXPECT_FALSE(config) << text;
    if (!config) {
      EXPECT_EQ(config.error().message().rfind("w.yml", 0), 0) << config.error().message();
    }
  }
}

TEST(Negotiation, FollowsQValues) {
  EXPECT_EQ(negotiate_format(""), ExpositionFormat::kPrometheusText);
  EXPECT_EQ(negotiate_format("application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
                             "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
            ExpositionFormat::kOpenMetrics);
  EXPECT_EQ(negotiate_format("text/plain;q=1, application/openmetrics-text;q=0.9"), ExpositionFormat::kPrometheusText);
  EXPECT_EQ(negotiate_format("Application/OpenMetrics-Text; Version=\"1.0.0\""), ExpositionFormat::kOpenMetrics);
  EXPECT_EQ(negotiate_format("application/openmetrics-text;q=0"), ExpositionFormat::kPrometheusText);
  EXPECT_EQ(negotiate_format("application/openmetrics-text;q=2"), ExpositionFormat::kPrometheusText);
  EXPECT_EQ(negotiate_format("application/openmetrics-text;version=0.0.1"), ExpositionFormat::kPrometheusText);
  EXPECT_TRUE(accepts_gzip("deflate, gzip;q=0.5"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("br"));
}

TEST(BasicAuth, ChecksBcryptThroughCrypt) {
  // htpasswd -nbBC 4 u p
  const std::map<std::string, std::string> users = {
      {"u", "$2y$04$XoWqXu6xdgt46maT11lU0.cx0l9DZFw2CmlBxCLsDkqCB9NU8gWRW"}};
  EXPECT_TRUE(basic_auth_allows(users, "Basic dTpw"));   // u:p
  EXPECT_FALSE(basic_auth_allows(users, "Basic dTpx"));  // u:q
  EXPECT_FALSE(basic_auth_allows(users, "Basic djpw"));  // v:p
  EXPECT_FALSE(basic_auth_allows(users, "Basic dTp"));   // not base64
  EXPECT_FALSE(basic_auth_allows(users, "Bearer dTpw"));
  EXPECT_FALSE(basic_auth_allows(users, ""));
}

TEST(Exposition, BothFormatsFromOneModel) {
  std::vector<MetricFamily> families;
  families.push_back({"cxl_x_bytes",
                      MetricType::kCounter,
                      "bytes",
                      "Help with \\ and\nnewline.",
                      {{{{"a", "quote\" back\\ nl\n"}}, MetricValue::of(18446744073709551615ull), 1.5}}});
  families.push_back({"cxl_y", MetricType::kInfo, "", "Info.", {{{{"b", "1"}}, MetricValue::of(1), std::nullopt}}});
  families.push_back({"cxl_empty", MetricType::kGauge, "", "No samples.", {}});
  EXPECT_EQ(write_prometheus_text(families),
            "# HELP cxl_x_bytes_total Help with \\\\ and\\nnewline.\n# TYPE cxl_x_bytes_total counter\n"
            "cxl_x_bytes_total{a=\"quote\\\" back\\\\ nl\\n\"} 18446744073709551615\n"
            "# HELP cxl_y_info Info.\n# TYPE cxl_y_info gauge\ncxl_y_info{b=\"1\"} 1\n");
  EXPECT_EQ(write_openmetrics(families),
            "# TYPE cxl_x_bytes counter\n# UNIT cxl_x_bytes bytes\n# HELP cxl_x_bytes Help with \\\\ and\\nnewline.\n"
            "cxl_x_bytes_total{a=\"quote\\\" back\\\\ nl\\n\"} 18446744073709551615\n"
            "cxl_x_bytes_created{a=\"quote\\\" back\\\\ nl\\n\"} 1.5\n"
            "# TYPE cxl_y info\n# HELP cxl_y Info.\ncxl_y_info{b=\"1\"} 1\n# EOF\n");
}

TEST(Gzip, RoundTrips) {
  const std::string text(100000, 'x');
  auto packed = gzip_compress(text);
  ASSERT_TRUE(packed);
  EXPECT_LT(packed->size(), text.size() / 10);
  std::string out(text.size(), '\0');
  z_stream stream{};
  ASSERT_EQ(inflateInit2(&stream, 15 + 16), Z_OK);
  stream.next_in = reinterpret_cast<Bytef*>(packed->data());
  stream.avail_in = static_cast<uInt>(packed->size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&stream, Z_FINISH), Z_STREAM_END);
  inflateEnd(&stream);
  EXPECT_EQ(out, text);
}

TEST(Health, FreshStaleAndStopped) {
  // A monitor over nothing, on a clock the test moves.
  auto now = std::make_shared<std::uint64_t>(1'000'000'000);
  MonitorOptions options;
  options.drive = MonitorDrive::kManual;
  options.now = [now] { return *now; };
  options.interval = std::chrono::seconds(1);
  auto monitor = Monitor::create({}, options);
  ASSERT_TRUE(monitor) << monitor.error().message();
  CollectionView view;
  view.interval = std::chrono::seconds(1);
  view.monitor = std::shared_ptr<Monitor>(std::move(*monitor));
  EXPECT_EQ(check_health(view, false, *now).reasons, std::vector<std::string>{"no snapshot yet"});
  ASSERT_TRUE(view.monitor->start());
  view.monitor->sample_now();
  EXPECT_TRUE(check_health(view, false, *now + 2'000'000'000).healthy);
  const HealthReport stale = check_health(view, false, *now + 4'000'000'000);
  ASSERT_EQ(stale.reasons.size(), 1u);
  EXPECT_EQ(stale.reasons[0].rfind("stale: the latest snapshot is 4.0 s old", 0), 0) << stale.reasons[0];
  const HealthReport stopped = check_health(view, true, *now);
  EXPECT_FALSE(stopped.healthy);
  EXPECT_EQ(stopped.reasons.front(), "monitor stopped");
  view.monitor->stop();
}

}  // namespace
}  // namespace cpmu::exporter
