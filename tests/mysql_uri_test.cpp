#include "store/mysql_uri.h"

#include <gtest/gtest.h>

namespace rowchain::store {
namespace {

TEST(MysqlUriTest, ParsesTcpAndSocketForms) {
  auto tcp = ParseMysqlUri("mysql://alice:s%40cret@db.example:3307/ledger");
  ASSERT_TRUE(tcp.ok()) << tcp.status().ToString();
  EXPECT_EQ(tcp->user, "alice");
  EXPECT_EQ(tcp->password, "s@cret");
  EXPECT_EQ(tcp->host, "db.example");
  EXPECT_EQ(tcp->port, 3307);
  EXPECT_EQ(tcp->database, "ledger");
  EXPECT_TRUE(tcp->socket.empty());

  auto sock = ParseMysqlUri("mysql://bob@localhost/ledger?socket=/run/mysqld/mysqld.sock");
  ASSERT_TRUE(sock.ok());
  EXPECT_EQ(sock->socket, "/run/mysqld/mysqld.sock");
  EXPECT_EQ(sock->port, 3306);
  EXPECT_TRUE(sock->password.empty());

  auto tls = ParseMysqlUri("mysql://u:p@[::1]:3306/d?ssl-mode=verify-ca&ssl-ca=/ca.pem&ssl-cert=/c.pem&ssl-key=/k.pem");
  ASSERT_TRUE(tls.ok()) << tls.status().ToString();
  EXPECT_EQ(tls->host, "::1");
  EXPECT_EQ(tls->ssl_mode, SslMode::kVerifyCa);
  EXPECT_EQ(tls->ssl_ca, "/ca.pem");
  EXPECT_EQ(tls->ssl_key, "/k.pem");
}

TEST(MysqlUriTest, RejectsMalformedUrisWithoutLeakingThePassword) {
  for (const char* bad : {"postgres://u@h/d", "mysql://u@h", "mysql://u@h/", "mysql://h/d", "mysql://u:pw@h:0/d",
                          "mysql://u:pw@h:99999/d", "mysql://u:pw@h:x/d", "mysql://u:pw@h/d?ssl-mode=maybe",
                          "mysql://u:pw@h/d?colour=red", "mysql://u:p%zz@h/d", "mysql://u:pw@/d"}) {
    auto uri = ParseMysqlUri(bad);
    EXPECT_FALSE(uri.ok()) << bad;
    EXPECT_EQ(uri.status().message().find(":pw@"), std::string::npos);
  }
}

// Found by the fuzzer (fuzz/mysql_uri.cpp): a malformed authority put part of the password
// into the host, which the redacted form then showed.
TEST(MysqlUriTest, AHostThatIsNoHostNameIsRefusedWithoutQuotingIt) {
  auto uri = ParseMysqlUri("mysql://rowchain:secret-pw@127.n:secret-pw2127.0.0.1:3306/rowchain");
  ASSERT_FALSE(uri.ok());
  EXPECT_NE(uri.status().message().find("the host is not a host name"), std::string::npos) << uri.status().message();
  EXPECT_EQ(uri.status().message().find("secret-pw"), std::string::npos) << uri.status().message();
  EXPECT_TRUE(ParseMysqlUri("mysql://u:pw@[::1]:3306/d").ok());
  EXPECT_FALSE(ParseMysqlUri("mysql://u%00:pw@h/d").ok());  // a NUL would cut the name short
  EXPECT_FALSE(ParseMysqlUri("mysql://u:pw@h/d%00b").ok());
  EXPECT_FALSE(ParseMysqlUri("mysql://u:pw@h//d:pw@x").ok());  // a '/' in the database name
  EXPECT_TRUE(ParseMysqlUri("mysql://u:pw@db-1.example_net:3306/d").ok());
}

TEST(MysqlUriTest, RedactsThePassword) {
  auto uri = ParseMysqlUri("mysql://alice:topsecret@h:1/d");
  EXPECT_EQ(uri->Redacted(), "mysql://alice:***@h:1/d");
  EXPECT_EQ(uri->Redacted().find("topsecret"), std::string::npos);
}

}  // namespace
}  // namespace rowchain::store
