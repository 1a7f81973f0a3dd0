// The applicants' enterprise keys: one file per applicant, only its owner reads it, made once and
// kept; a missing one is named.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "domain/period.hpp"
#include "driver.hpp"
#include "testing/stack.hpp"

namespace jieshui::simulator {
namespace {

Options WithApplicants() {
  Options o;
  o.seed = 1;
  o.to = domain::StartOf(*domain::Date::Create(2026, 12, 2)) + absl::Hours(10);
  o.from = domain::StartOf(*domain::Date::Create(2026, 11, 1));
  return o;
}

class EnterpriseKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() / jieshui::testing::UniqueName("sim_keys") /
            "enterprises")
               .string();
  }
  void TearDown() override {
    std::filesystem::remove_all(std::filesystem::path(dir_).parent_path());
  }
  std::string dir_;
};

TEST_F(EnterpriseKeysTest, EachApplicantGetsItsOwnKeyReadableOnlyByItsOwnerAndKeptOnceMade) {
  const District d(WithApplicants());
  ASSERT_FALSE(d.Applicants().empty());
  int created = 0;
  ASSERT_TRUE(WriteEnterpriseKeys(d, dir_, &created).ok());
  EXPECT_EQ(created, static_cast<int>(d.Applicants().size()));
  struct stat folder {};
  ASSERT_EQ(::stat(dir_.c_str(), &folder), 0);
  EXPECT_EQ(folder.st_mode & 0777, 0700U);
  auto keys = ReadEnterpriseKeys(d, dir_);
  ASSERT_TRUE(keys.ok()) << keys.status();
  std::set<std::string> distinct;
  for (const int e : d.Applicants()) {
    const std::string& uscc = d.enterprises()[static_cast<size_t>(e)].enterprise.uscc().value();
    struct stat file {};
    ASSERT_EQ(::stat((dir_ + "/" + uscc + ".key").c_str(), &file), 0) << uscc;
    EXPECT_EQ(file.st_mode & 0777, 0600U);
    ASSERT_TRUE(keys->contains(uscc));
    EXPECT_EQ(keys->at(uscc).substr(0, 3), "js_");
    EXPECT_GT(keys->at(uscc).size(), 40U);
    distinct.insert(keys->at(uscc));
  }
  EXPECT_EQ(distinct.size(), d.Applicants().size());
  // Made again: nothing new, the same keys (the services know them already).
  ASSERT_TRUE(WriteEnterpriseKeys(d, dir_, &created).ok());
  EXPECT_EQ(created, 0);
  EXPECT_EQ(*ReadEnterpriseKeys(d, dir_), *keys);
}

TEST_F(EnterpriseKeysTest, AMissingKeyIsNamed) {
  const District d(WithApplicants());
  int created = 0;
  ASSERT_TRUE(WriteEnterpriseKeys(d, dir_, &created).ok());
  const std::string& uscc =
      d.enterprises()[static_cast<size_t>(d.Applicants().front())].enterprise.uscc().value();
  std::filesystem::remove(dir_ + "/" + uscc + ".key");
  auto keys = ReadEnterpriseKeys(d, dir_);
  ASSERT_EQ(keys.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(keys.status().message().find(uscc), std::string::npos) << keys.status();
}

}  // namespace
}  // namespace jieshui::simulator
