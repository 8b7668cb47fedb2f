#include "cli/child_process.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace aura::cli {
namespace {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "aura-cli-child-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Waits for `path` to contain `text` (the child writes it when it is set up).
bool WaitForText(const std::string& path, const std::string& text) {
  for (int i = 0; i < 500; ++i) {
    if (TailFile(path, 100).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(ChildProcess, MissingBinaryIsNotFound) {
  TempDir dir;
  auto child = ChildProcess::Start({.name = "ghost", .binary = dir.File("ghost"), .log_path = dir.File("g.log")});
  EXPECT_EQ(child.status().code(), common::StatusCode::kNotFound);
}

TEST(ChildProcess, LogsOutputAndPassesEnvironment) {
  TempDir dir;
  auto child = ChildProcess::Start({.name = "echo",
                                    .binary = "/bin/sh",
                                    .args = {"-c", "echo hello $AURA_TEST_VALUE; echo oops >&2"},
                                    .log_path = dir.File("logs/echo.log"),
                                    .env = {{"AURA_TEST_VALUE", "world"}}});
  ASSERT_TRUE(child.ok()) << child.status().ToString();
  ASSERT_TRUE(WaitForText(dir.File("logs/echo.log"), "oops"));
  EXPECT_EQ((*child)->Stop(std::chrono::seconds(5)), "exited with status 0");
  EXPECT_EQ(TailFile(dir.File("logs/echo.log"), 10), "hello world\noops\n");
  EXPECT_EQ(TailFile(dir.File("logs/echo.log"), 1), "oops\n");
}

TEST(ChildProcess, StopSendsSigtermFirst) {
  TempDir dir;
  auto child = ChildProcess::Start({.name = "sleeper",
                                    .binary = "/bin/sh",
                                    .args = {"-c", "trap 'echo got-term; exit 3' TERM; echo ready; "
                                                   "while :; do sleep 0.05; done"},
                                    .log_path = dir.File("s.log")});
  ASSERT_TRUE(child.ok());
  ASSERT_TRUE(WaitForText(dir.File("s.log"), "ready"));
  EXPECT_FALSE((*child)->Poll().has_value());
  EXPECT_EQ((*child)->Stop(std::chrono::seconds(5)), "exited with status 3");
  EXPECT_NE(TailFile(dir.File("s.log"), 5).find("got-term"), std::string::npos);
}

TEST(ChildProcess, StopKillsAChildThatIgnoresSigterm) {
  TempDir dir;
  auto child = ChildProcess::Start({.name = "stubborn",
                                    .binary = "/bin/sh",
                                    .args = {"-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done"},
                                    .log_path = dir.File("k.log")});
  ASSERT_TRUE(child.ok());
  ASSERT_TRUE(WaitForText(dir.File("k.log"), "ready"));
  std::string how = (*child)->Stop(std::chrono::milliseconds(200));
  EXPECT_NE(how.find("killed by signal 9"), std::string::npos) << how;
}

TEST(ChildProcess, PollReportsAnEarlyExit) {
  TempDir dir;
  auto child = ChildProcess::Start(
      {.name = "quitter", .binary = "/bin/sh", .args = {"-c", "exit 7"}, .log_path = dir.File("q.log")});
  ASSERT_TRUE(child.ok());
  std::optional<std::string> ended;
  for (int i = 0; i < 500 && !ended; ++i) {
    ended = (*child)->Poll();
    if (!ended) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(*ended, "exited with status 7");
}

}  // namespace
}  // namespace aura::cli
