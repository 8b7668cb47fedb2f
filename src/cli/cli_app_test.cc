#include "cli/cli_app.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace aura::cli {
namespace {

using std::chrono::milliseconds;

TEST(ParseCommandLine, NegotiateTakesItemBidAndCurrency) {
  auto inv = ParseCommandLine({"aura", "agent", "negotiate", "hotel_alpha", "850.5", "--currency", "EUR"});
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  EXPECT_EQ(inv->command, Command::kAgentNegotiate);
  EXPECT_EQ(inv->negotiate.item_id, "hotel_alpha");
  EXPECT_DOUBLE_EQ(inv->negotiate.bid, 850.5);
  EXPECT_EQ(inv->negotiate.currency, "EUR");
}

TEST(ParseCommandLine, RefusesNonPositiveOrNonFiniteBids) {
  for (const char* bid : {"0", "-5", "inf", "nan", "abc"}) {
    auto inv = ParseCommandLine({"aura", "agent", "negotiate", "hotel_alpha", bid});
    EXPECT_FALSE(inv.ok()) << bid;
  }
  EXPECT_FALSE(ParseCommandLine({"aura", "agent", "negotiate", "hotel_alpha", "5", "--currency", "DOLLARS"}).ok());
}

TEST(ParseCommandLine, GlobalOptionsWorkAfterTheSubcommand) {
  auto inv = ParseCommandLine(
      {"aura", "agent", "search", "sea view", "--limit", "7", "--json", "--gateway", "http://h:1"});
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  EXPECT_EQ(inv->command, Command::kAgentSearch);
  EXPECT_EQ(inv->search.query, "sea view");
  EXPECT_EQ(inv->search.limit, 7);
  EXPECT_TRUE(inv->global.json);
  EXPECT_EQ(inv->global.gateway_url, "http://h:1");
}

TEST(ParseCommandLine, SearchLimitMustBeBetweenOneAndFifty) {
  EXPECT_FALSE(ParseCommandLine({"aura", "agent", "search", "x", "--limit", "0"}).ok());
  EXPECT_FALSE(ParseCommandLine({"aura", "agent", "search", "x", "--limit", "51"}).ok());
  EXPECT_FALSE(ParseCommandLine({"aura", "agent", "search"}).ok());
}

TEST(ParseCommandLine, KeygenAndSeedOptions) {
  auto keygen = ParseCommandLine({"aura", "agent", "keygen", "--out", "/tmp/k.key", "--force"});
  ASSERT_TRUE(keygen.ok());
  EXPECT_EQ(keygen->command, Command::kAgentKeygen);
  EXPECT_EQ(keygen->keygen.out, "/tmp/k.key");
  EXPECT_TRUE(keygen->keygen.force);
  auto seed = ParseCommandLine({"aura", "seed"});
  ASSERT_TRUE(seed.ok());
  EXPECT_EQ(seed->command, Command::kSeed);
  EXPECT_TRUE(seed->seed.file.empty());
  auto missing = ParseCommandLine({"aura", "seed", "--file", "/nonexistent/items.csv"});
  EXPECT_FALSE(missing.ok());
}

TEST(ParseCommandLine, UpFlags) {
  auto inv = ParseCommandLine({"aura", "up", "--check", "--no-scenarios", "--ready-timeout", "90s"});
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  EXPECT_EQ(inv->command, Command::kUp);
  EXPECT_TRUE(inv->up.check);
  EXPECT_TRUE(inv->up.no_scenarios);
  EXPECT_EQ(inv->up.ready_timeout, std::chrono::seconds(90));
}

TEST(ParseCommandLine, BenchDefaults) {
  auto inv = ParseCommandLine({"aura", "bench"});
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  EXPECT_EQ(inv->command, Command::kBench);
  EXPECT_EQ(inv->bench.load.connections, 16);
  EXPECT_EQ(inv->bench.load.threads, 1);
  EXPECT_EQ(inv->bench.load.duration, milliseconds(10000));
  EXPECT_EQ(inv->bench.load.requests, 0u);
  EXPECT_EQ(inv->bench.load.factory.mix, OutcomeMix{});
  EXPECT_FALSE(inv->bench.verify_baseline);
}

TEST(ParseCommandLine, BenchOptions) {
  auto inv = ParseCommandLine({"aura", "bench", "-c", "64", "--threads", "2", "--requests", "500",
                               "--mix", "accepted=1,rejected=3", "--agents", "50",
                               "--verify-baseline", "--json"});
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  EXPECT_EQ(inv->bench.load.connections, 64);
  EXPECT_EQ(inv->bench.load.threads, 2);
  EXPECT_EQ(inv->bench.load.requests, 500u);
  EXPECT_EQ(inv->bench.load.factory.agents, 50);
  EXPECT_TRUE(inv->bench.verify_baseline);
  EXPECT_TRUE(inv->global.json);
  OutcomeMix expected;
  expected.weights = {1, 0, 0, 3};
  EXPECT_EQ(inv->bench.load.factory.mix, expected);
}

TEST(ParseCommandLine, BenchRequestsAndDurationExcludeEachOther) {
  EXPECT_FALSE(ParseCommandLine({"aura", "bench", "--requests", "5", "--duration", "3s"}).ok());
  EXPECT_FALSE(ParseCommandLine({"aura", "bench", "--duration", "soon"}).ok());
  EXPECT_FALSE(ParseCommandLine({"aura", "bench", "--mix", "accepted=x"}).ok());
  EXPECT_FALSE(ParseCommandLine({"aura", "bench", "--connections", "0"}).ok());
}

TEST(ParseCommandLine, HelpAndUnknownCommands) {
  auto none = ParseCommandLine({"aura"});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->command, Command::kHelp);
  EXPECT_NE(none->help_text.find("agent"), std::string::npos);
  auto help = ParseCommandLine({"aura", "bench", "--help"});
  ASSERT_TRUE(help.ok());
  EXPECT_EQ(help->command, Command::kHelp);
  EXPECT_NE(help->help_text.find("--connections"), std::string::npos);
  auto unknown = ParseCommandLine({"aura", "fly"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), common::StatusCode::kInvalidArgument);
  EXPECT_FALSE(ParseCommandLine({"aura", "agent"}).ok());
}

TEST(ParseDuration, UnitsAndErrors) {
  EXPECT_EQ(*ParseDuration("10s"), milliseconds(10000));
  EXPECT_EQ(*ParseDuration("250ms"), milliseconds(250));
  EXPECT_EQ(*ParseDuration("2m"), milliseconds(120000));
  EXPECT_EQ(*ParseDuration("1.5"), milliseconds(1500));
  EXPECT_EQ(*ParseDuration("1h"), milliseconds(3600000));
  for (const char* bad : {"", "s", "0s", "-1s", "10 s", "10parsecs", "1.2.3s"}) {
    EXPECT_FALSE(ParseDuration(bad).ok()) << bad;
  }
}

TEST(MakeCommandContext, GatewayUrlPrecedence) {
  GlobalOptions global;
  auto env = common::Environment::FromMap({{"HTTP_PORT", "9123"}, {"AURA_DATA_DIR", "/tmp/x"}});
  CommandContext from_port = MakeCommandContext(global, env);
  EXPECT_EQ(from_port.gateway_url, "http://127.0.0.1:9123");
  EXPECT_EQ(from_port.default_key_file, "/tmp/x/agent.key");
  auto env2 = common::Environment::FromMap({{"AURA_GATEWAY_URL", "http://gw:8000/"}});
  EXPECT_EQ(MakeCommandContext(global, env2).gateway_url, "http://gw:8000");
  global.gateway_url = "http://flag:1";
  EXPECT_EQ(MakeCommandContext(global, env2).gateway_url, "http://flag:1");
}

TEST(MakeCommandContext, InvalidConfigurationThrowsNamingTheVariable) {
  auto env = common::Environment::FromMap({{"HTTP_PORT", "eighty"}});
  try {
    MakeCommandContext({}, env);
    FAIL() << "expected ConfigError";
  } catch (const common::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("HTTP_PORT"), std::string::npos);
  }
}

TEST(FindServiceBinary, OverrideThenBuildLayoutThenSameDirectory) {
  std::string pattern = (std::filesystem::temp_directory_path() / "aura-cli-bin-XXXXXX").string();
  std::string root = ::mkdtemp(pattern.data());
  std::filesystem::create_directories(root + "/src/cli");
  std::filesystem::create_directories(root + "/src/core");
  std::ofstream(root + "/src/core/aura-core") << "";
  std::string self = root + "/src/cli/aura";
  EXPECT_EQ(FindServiceBinary(self, "aura-core", "/opt/x/aura-core"), "/opt/x/aura-core");
  EXPECT_EQ(FindServiceBinary(self, "aura-core", ""), root + "/src/core/aura-core");
  // No <build>/src/gateway/aura-gateway: the installed layout, next to aura.
  EXPECT_EQ(FindServiceBinary(self, "aura-gateway", ""), root + "/src/cli/aura-gateway");
  std::filesystem::remove_all(root);
}

TEST(PortInUse, TrueWhileSomethingListens) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  EXPECT_TRUE(PortInUse("0.0.0.0", port));
  ::close(fd);
  EXPECT_FALSE(PortInUse("0.0.0.0", port));
}

}  // namespace
}  // namespace aura::cli
