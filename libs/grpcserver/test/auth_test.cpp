#include "grpcserver/auth.hpp"
#include "grpcserver/handler.hpp"

#include "grpcpp/server_context.h"
#include "gtest/gtest.h"

namespace jieshui::grpcserver {
namespace {

constexpr char kEnterpriseUscc[] = "91320506MA1ABCDE0X";

std::vector<ApiKeyEntry> Entries() {
  return {
      {Sha256Hex("water-key"), PrincipalKind::kWaterAffairs, "", "Wuzhong water affairs bureau"},
      {Sha256Hex("enterprise-key"), PrincipalKind::kEnterprise, kEnterpriseUscc, "Dyeing Co."},
      {Sha256Hex("gateway-key"), PrincipalKind::kMeterGateway, "", "gateway 7"},
  };
}

TEST(Sha256HexTest, MatchesKnownVector) {
  // FIPS 180-2 example "abc".
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ExtractApiKeyTest, TakesOnlyTheBearerScheme) {
  EXPECT_EQ(ExtractApiKey("Bearer abc123"), "abc123");
  EXPECT_EQ(ExtractApiKey("bearer   abc123  "), "abc123");
  EXPECT_EQ(ExtractApiKey("BEARER\tabc123"), "abc123");
  // A bare key, another scheme, or a key that merely starts with "Bearer": none is taken.
  EXPECT_EQ(ExtractApiKey("abc123"), std::nullopt);
  EXPECT_EQ(ExtractApiKey("  abc123 "), std::nullopt);
  EXPECT_EQ(ExtractApiKey("Basic abc123"), std::nullopt);
  EXPECT_EQ(ExtractApiKey("Bearerabc"), std::nullopt);
  EXPECT_EQ(ExtractApiKey("Bearer"), std::nullopt);
  EXPECT_EQ(ExtractApiKey("Bearer   "), std::nullopt);
  EXPECT_EQ(ExtractApiKey(""), std::nullopt);
}

TEST(ApiKeyStoreTest, ResolvesKeysByHash) {
  auto store = ApiKeyStore::Create(Entries());
  ASSERT_TRUE(store.ok()) << store.status();
  auto water = store->Lookup("water-key");
  ASSERT_TRUE(water.has_value());
  EXPECT_EQ(water->kind, PrincipalKind::kWaterAffairs);
  EXPECT_EQ(water->name, "Wuzhong water affairs bureau");

  auto enterprise = store->LookupAuthorization("Bearer enterprise-key");
  ASSERT_TRUE(enterprise.has_value());
  EXPECT_EQ(enterprise->kind, PrincipalKind::kEnterprise);
  EXPECT_EQ(enterprise->uscc, kEnterpriseUscc);

  EXPECT_FALSE(store->Lookup("water-key ").has_value());
  EXPECT_FALSE(store->Lookup("wrong").has_value());
  EXPECT_FALSE(store->Lookup("").has_value());
  EXPECT_FALSE(store->LookupAuthorization("Bearer ").has_value());
  // The configured hash itself is not a key.
  EXPECT_FALSE(store->Lookup(Sha256Hex("water-key")).has_value());
}

TEST(ApiKeyStoreTest, AcceptsUppercaseHex) {
  std::string upper = Sha256Hex("k");
  for (char& c : upper) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  auto store = ApiKeyStore::Create({{upper, PrincipalKind::kPartner, "", "p"}});
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE(store->Lookup("k").has_value());
}

TEST(ApiKeyStoreTest, RejectsBadEntriesNamingThem) {
  auto bad_hash = ApiKeyStore::Create({{"abc", PrincipalKind::kPartner, "", "p"}});
  EXPECT_EQ(bad_hash.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad_hash.status().message().find("api_keys[0].sha256_hex"), std::string::npos);

  auto not_hex = ApiKeyStore::Create({{std::string(64, 'g'), PrincipalKind::kPartner, "", "p"}});
  EXPECT_EQ(not_hex.status().code(), absl::StatusCode::kInvalidArgument);

  auto duplicate = ApiKeyStore::Create({{Sha256Hex("a"), PrincipalKind::kPartner, "", "p"},
                                        {Sha256Hex("a"), PrincipalKind::kStatistics, "", "s"}});
  EXPECT_NE(duplicate.status().message().find("api_keys[1].sha256_hex"), std::string::npos);

  auto no_uscc = ApiKeyStore::Create({{Sha256Hex("a"), PrincipalKind::kEnterprise, "", "e"}});
  EXPECT_NE(no_uscc.status().message().find("api_keys[0].uscc"), std::string::npos);

  auto stray_uscc =
      ApiKeyStore::Create({{Sha256Hex("a"), PrincipalKind::kIndustry, kEnterpriseUscc, "i"}});
  EXPECT_NE(stray_uscc.status().message().find("api_keys[0].uscc"), std::string::npos);
}

TEST(PrincipalKindTest, NamesRoundTrip) {
  for (auto kind :
       {PrincipalKind::kWaterAffairs, PrincipalKind::kIndustry, PrincipalKind::kDevelopmentReform,
        PrincipalKind::kStatistics, PrincipalKind::kEnterprise, PrincipalKind::kPartner,
        PrincipalKind::kMeterGateway}) {
    auto parsed = ParsePrincipalKind(PrincipalKindName(kind));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, kind);
  }
  EXPECT_EQ(PrincipalKindName(PrincipalKind::kDevelopmentReform), "development_reform");
  EXPECT_EQ(ParsePrincipalKind("admin").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CanAccessEnterpriseTest, EnterprisesSeeOnlyThemselves) {
  const Principal own{PrincipalKind::kEnterprise, kEnterpriseUscc, "Dyeing Co."};
  EXPECT_TRUE(CanAccessEnterprise(own, kEnterpriseUscc));
  EXPECT_FALSE(CanAccessEnterprise(own, "91320506MA1ZZZZZ0Z"));
  EXPECT_FALSE(CanAccessEnterprise(Principal{PrincipalKind::kEnterprise, "", "broken"}, ""));

  for (auto kind :
       {PrincipalKind::kWaterAffairs, PrincipalKind::kIndustry, PrincipalKind::kDevelopmentReform,
        PrincipalKind::kStatistics, PrincipalKind::kPartner}) {
    EXPECT_TRUE(CanAccessEnterprise(Principal{kind, "", "x"}, kEnterpriseUscc));
  }
  EXPECT_FALSE(
      CanAccessEnterprise(Principal{PrincipalKind::kMeterGateway, "", "gw"}, kEnterpriseUscc));
}

TEST(PermissionDeniedTest, SaysWhoMayNotDoWhat) {
  const Principal own{PrincipalKind::kEnterprise, kEnterpriseUscc, "Dyeing Co."};
  grpc::Status status = PermissionDenied(own, "read enterprise 91320506MA1ZZZZZ0Z");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(status.error_message().find("enterprise"), std::string::npos);
  EXPECT_NE(status.error_message().find(kEnterpriseUscc), std::string::npos);
  EXPECT_NE(status.error_message().find("may not read enterprise 91320506MA1ZZZZZ0Z"),
            std::string::npos);
}

TEST(RequirePrincipalTest, UnauthenticatedUnlessBound) {
  grpc::ServerContext ctx;
  EXPECT_EQ(RequirePrincipal(&ctx).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(RequirePrincipal(nullptr).status().code(), absl::StatusCode::kUnauthenticated);
  Principal out;
  EXPECT_EQ(Authorize(&ctx, {PrincipalKind::kPartner}, &out).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  int owner = 0;
  internal::BindPrincipal(&ctx, &owner, Principal{PrincipalKind::kStatistics, "", "stats"});
  auto principal = RequirePrincipal(&ctx);
  ASSERT_TRUE(principal.ok());
  EXPECT_EQ(principal->kind, PrincipalKind::kStatistics);
  EXPECT_TRUE(
      Authorize(&ctx, {PrincipalKind::kStatistics, PrincipalKind::kWaterAffairs}, &out).ok());
  EXPECT_EQ(out.name, "stats");
  EXPECT_EQ(Authorize(&ctx, {PrincipalKind::kWaterAffairs}, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // Only the binder can unbind.
  int other = 0;
  internal::UnbindPrincipal(&ctx, &other);
  EXPECT_TRUE(RequirePrincipal(&ctx).ok());
  internal::UnbindPrincipal(&ctx, &owner);
  EXPECT_EQ(RequirePrincipal(&ctx).status().code(), absl::StatusCode::kUnauthenticated);
}

TEST(PrincipalSetTest, TheNamedSetsHoldTheirKinds) {
  using principals::kDepartments;
  using principals::kDistrictReaders;
  using principals::kReaders;
  EXPECT_TRUE(kDepartments.Contains(PrincipalKind::kStatistics));
  EXPECT_FALSE(kDepartments.Contains(PrincipalKind::kPartner));
  EXPECT_TRUE(kDistrictReaders.Contains(PrincipalKind::kPartner));
  EXPECT_FALSE(kDistrictReaders.Contains(PrincipalKind::kEnterprise));
  EXPECT_TRUE(kReaders.Contains(PrincipalKind::kEnterprise));
  EXPECT_FALSE(kReaders.Contains(PrincipalKind::kMeterGateway));
  EXPECT_EQ(kReaders.Kinds().size(), 6U);
}

TEST(CallerTest, CallerForRefusesAnotherEnterprisesRecordsNamingWhatWasAsked) {
  grpc::ServerContext ctx;
  int owner = 0;
  internal::BindPrincipal(&ctx, &owner,
                          Principal{PrincipalKind::kEnterprise, kEnterpriseUscc, "ERP"});
  EXPECT_TRUE(CallerFor(&ctx, principals::kReaders, kEnterpriseUscc, "read usage").ok());
  absl::StatusOr<Principal> other =
      CallerFor(&ctx, principals::kReaders, "91320506MA1ZZZZZ0Z", "read usage");
  EXPECT_EQ(other.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(other.status().message().find("may not read usage of 91320506MA1ZZZZZ0Z"),
            std::string::npos);
  EXPECT_EQ(Caller(&ctx, principals::kDistrictReaders).status().code(),
            absl::StatusCode::kPermissionDenied);
  internal::UnbindPrincipal(&ctx, &owner);
}

TEST(HandleTest, RunsTheBodyOnlyForAnAllowedCallerAndAnswersWithItsResult) {
  grpc::ServerContext ctx;
  int owner = 0;
  internal::BindPrincipal(&ctx, &owner, Principal{PrincipalKind::kPartner, "", "city"});
  std::string resp;
  bool ran = false;
  grpc::Status denied =
      Handle(&ctx, principals::kDepartments, &resp, [&](const Principal&) -> absl::Status {
        ran = true;
        return absl::OkStatus();
      });
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_FALSE(ran);
  grpc::Status ok =
      Handle(&ctx, principals::kReaders, &resp,
             [&](const Principal& p) -> absl::StatusOr<std::string> { return "hello " + p.name; });
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(resp, "hello city");
  grpc::Status bad = Handle(&ctx, principals::kReaders, &resp, [&](const Principal&) {
    return InvalidArgument("uscc", "18 characters are required");
  });
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(bad.error_message(), "uscc: 18 characters are required");
  internal::UnbindPrincipal(&ctx, &owner);
}

}  // namespace
}  // namespace jieshui::grpcserver
