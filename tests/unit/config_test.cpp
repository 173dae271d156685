#include "server/config.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

namespace postimap {
namespace {

TEST(Config, DefaultsAreTheEmbeddedDevelopmentSetup) {
    Config c;
    EXPECT_TRUE(c.embedded());
    EXPECT_TRUE(c.migrate_on_start());
    EXPECT_EQ(c.listen, "127.0.0.1:1143");
    c.dsn = "host=db";
    EXPECT_FALSE(c.embedded());
    EXPECT_FALSE(c.migrate_on_start());
}

TEST(Config, AppliesSizesWithUnitsAndRejectsNonsense) {
    Config c;
    EXPECT_TRUE(apply_setting(c, "max_literal_size", "2M"));
    EXPECT_EQ(c.max_literal_size, 2u << 20);
    EXPECT_TRUE(apply_setting(c, "max_line_length", "8k"));
    EXPECT_EQ(c.max_line_length, 8192u);
    EXPECT_TRUE(apply_setting(c, "idle_timeout", "90"));
    EXPECT_EQ(c.idle_timeout.count(), 90);
    EXPECT_FALSE(apply_setting(c, "no_such_key", "1"));
    EXPECT_THROW(apply_setting(c, "pool_size", "many"), std::runtime_error);
    EXPECT_THROW(apply_setting(c, "pool_size", "0"), std::runtime_error);
    EXPECT_THROW(apply_setting(c, "max_literal_size", "5 parsecs"), std::runtime_error);
    EXPECT_THROW(apply_setting(c, "log_level", "loud"), std::runtime_error);
    EXPECT_THROW(apply_setting(c, "auto_migrate", "maybe"), std::runtime_error);
}

TEST(Config, ImplicitTlsListenerDefaultsOnlyForTheEmbeddedSetup) {
    Config c;
    EXPECT_EQ(c.implicit_tls_listen(), "127.0.0.1:1993");
    EXPECT_TRUE(apply_setting(c, "tls_listen", "off"));
    EXPECT_EQ(c.implicit_tls_listen(), "");
    Config production;
    production.dsn = "host=db";
    EXPECT_EQ(production.implicit_tls_listen(), "");
    EXPECT_TRUE(apply_setting(production, "tls_listen", ":993"));
    EXPECT_EQ(production.implicit_tls_listen(), ":993");
    EXPECT_EQ(production.trusted_networks, "127.0.0.0/8, ::1");
    EXPECT_TRUE(apply_setting(production, "trusted_networks", "none"));
    EXPECT_TRUE(apply_setting(production, "tls_cert", "/etc/c.pem"));
    EXPECT_TRUE(apply_setting(production, "tls_key", "/etc/k.pem"));
    EXPECT_EQ(production.tls_cert, "/etc/c.pem");
    EXPECT_EQ(production.tls_key, "/etc/k.pem");
}

class ConfigFile : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/pimconf-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir = tmpl;
        unsetenv("POSTIMAP_LISTEN");
        unsetenv("POSTIMAP_POOL_SIZE");
        unsetenv("POSTIMAP_BOGUS");
    }
    void TearDown() override {
        unsetenv("POSTIMAP_LISTEN");
        unsetenv("POSTIMAP_BOGUS");
        std::remove((dir + "/p.conf").c_str());
        ::rmdir(dir.c_str());
    }
    std::string write(const std::string& text) {
        std::string path = dir + "/p.conf";
        std::ofstream(path) << text;
        return path;
    }
    std::string dir;
};

TEST_F(ConfigFile, FileThenEnvironment) {
    auto path = write("# comment\nlisten = 127.0.0.1:2143  # trailing\n\npool_size=3\n");
    setenv("POSTIMAP_LISTEN", "127.0.0.1:3143", 1);
    Config c = load_config(path);
    EXPECT_EQ(c.listen, "127.0.0.1:3143");  // the environment wins
    EXPECT_EQ(c.pool_size, 3u);
}

TEST_F(ConfigFile, ErrorsNameTheLine) {
    auto path = write("listen = 1.2.3.4:5\nfrobnicate = yes\n");
    try {
        load_config(path);
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(":2: unknown setting 'frobnicate'"), std::string::npos)
            << e.what();
    }
    EXPECT_THROW(load_config(write("just words\n")), std::runtime_error);
    EXPECT_THROW(load_config(dir + "/missing.conf"), std::runtime_error);
}

TEST_F(ConfigFile, UnknownEnvironmentSettingIsAnError) {
    setenv("POSTIMAP_BOGUS", "1", 1);
    EXPECT_THROW(load_config(write("")), std::runtime_error);
}

}  // namespace
}  // namespace postimap
