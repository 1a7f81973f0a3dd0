#include "export_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "testing/stack.hpp"

namespace jieshui::cli {
namespace {

namespace v1 = ::jieshui::reporting::v1;

v1::ExportChunk Chunk(const std::string& data, bool last, const std::string& name = "") {
  v1::ExportChunk chunk;
  chunk.set_file_name(name);
  chunk.set_data(data);
  chunk.set_last(last);
  return chunk;
}

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class ExportFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(::testing::TempDir(), jieshui::testing::UniqueName("export"));
    std::filesystem::create_directories(dir_);
    path_ = dir_ + "/annual.xlsx";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string dir_;
  std::string path_;
};

TEST_F(ExportFileTest, TheFileAppearsWholeOnlyAfterTheLastChunk) {
  auto file = ExportFile::Create(path_);
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_TRUE(file->Append(Chunk("PK\x03\x04", false, "2025年度实施情况.xlsx")).ok());
  EXPECT_TRUE(std::filesystem::exists(path_ + ".part"));
  EXPECT_FALSE(std::filesystem::exists(path_));
  ASSERT_TRUE(file->Append(Chunk("rest", true)).ok());
  EXPECT_FALSE(std::filesystem::exists(path_));  // not before the stream has ended well
  ASSERT_TRUE(file->Commit().ok());
  EXPECT_EQ(Read(path_), "PK\x03\x04rest");
  EXPECT_FALSE(std::filesystem::exists(path_ + ".part"));
  EXPECT_EQ(file->bytes(), 8);
  EXPECT_EQ(file->chunks(), 2);
  EXPECT_EQ(file->suggested_name(), "2025年度实施情况.xlsx");
}

TEST_F(ExportFileTest, AStreamEndingWithoutItsLastChunkLeavesNoFile) {
  auto file = ExportFile::Create(path_);
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_TRUE(file->Append(Chunk("half", false)).ok());
  const absl::Status committed = file->Commit();
  EXPECT_EQ(committed.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(committed.message(),
            absl::StrCat("the export stream ended before its last chunk (1 chunks, 4 bytes): ",
                         path_, " was not written"));
  EXPECT_FALSE(std::filesystem::exists(path_));
  EXPECT_FALSE(std::filesystem::exists(path_ + ".part"));
}

TEST_F(ExportFileTest, AFailedStreamLeavesAnEarlierFileAsItWas) {
  {
    std::ofstream earlier(path_);
    earlier << "last week's";
  }
  {
    auto file = ExportFile::Create(path_);
    ASSERT_TRUE(file.ok()) << file.status();
    ASSERT_TRUE(file->Append(Chunk("new", false)).ok());
    file->Abandon();
  }
  EXPECT_EQ(Read(path_), "last week's");
  EXPECT_FALSE(std::filesystem::exists(path_ + ".part"));
  {
    // Dropped without Commit (the CLI failing in between) is abandoned too.
    auto file = ExportFile::Create(path_);
    ASSERT_TRUE(file.ok()) << file.status();
    ASSERT_TRUE(file->Append(Chunk("new", true)).ok());
  }
  EXPECT_EQ(Read(path_), "last week's");
  EXPECT_FALSE(std::filesystem::exists(path_ + ".part"));
}

TEST_F(ExportFileTest, AChunkAfterTheLastIsAnErrorAndAnUnwritableFolderIsSaid) {
  auto file = ExportFile::Create(path_);
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_TRUE(file->Append(Chunk("all", true)).ok());
  EXPECT_EQ(file->Append(Chunk("more", false)).code(), absl::StatusCode::kFailedPrecondition);

  auto nowhere = ExportFile::Create(dir_ + "/no/such/folder/out.csv");
  EXPECT_EQ(nowhere.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(nowhere.status().message(),
            absl::StrCat("cannot create ", dir_,
                         "/no/such/folder/out.csv.part: No such file or directory"));
}

}  // namespace
}  // namespace jieshui::cli
