#include "server/net/self_signed.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

namespace postimap::net {
namespace {

template <auto Free>
struct Deleter {
    template <typename T>
    void operator()(T* p) const {
        Free(p);
    }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509_free>>;
using KeyContext = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using Extension = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;

void check(bool ok, const char* what) {
    if (!ok)
        throw std::runtime_error(std::string("self-signed certificate: ") + what + " failed");
}

Key make_key() {
    KeyContext kctx(EVP_PKEY_CTX_new_id(EVP_PKEY_EC, nullptr));
    check(kctx != nullptr, "EVP_PKEY_CTX_new_id");
    check(EVP_PKEY_keygen_init(kctx.get()) == 1, "keygen init");
    check(EVP_PKEY_CTX_set_ec_paramgen_curve_nid(kctx.get(), NID_X9_62_prime256v1) == 1,
          "curve P-256");
    EVP_PKEY* raw = nullptr;
    check(EVP_PKEY_keygen(kctx.get(), &raw) == 1, "key generation");
    return Key(raw);
}

void add_extension(X509* cert, int nid, const std::string& value) {
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, cert, cert, nullptr, nullptr, 0);
    Extension ext(X509V3_EXT_conf_nid(nullptr, &v3, nid, value.c_str()));
    check(ext != nullptr, "X509V3_EXT_conf_nid");
    check(X509_add_ext(cert, ext.get(), -1) == 1, "X509_add_ext");
}

Cert make_certificate(EVP_PKEY* key, const std::string& cn) {
    Cert cert(X509_new());
    check(cert != nullptr, "X509_new");
    check(X509_set_version(cert.get(), 2) == 1, "X509_set_version");
    unsigned char serial[16];
    FILE* urandom = std::fopen("/dev/urandom", "rb");
    check(urandom && std::fread(serial, 1, sizeof serial, urandom) == sizeof serial, "serial");
    std::fclose(urandom);
    serial[0] &= 0x7f;  // positive
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    check(bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())), "serial number");
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600);
    X509_NAME* name = X509_get_subject_name(cert.get());
    check(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>("Postimap"), -1, -1,
                                     0) == 1,
          "subject O");
    check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                     0) == 1,
          "subject CN");
    check(X509_set_issuer_name(cert.get(), name) == 1, "issuer");
    check(X509_set_pubkey(cert.get(), key) == 1, "public key");
    add_extension(cert.get(), NID_subject_alt_name, "DNS:" + cn + ",IP:127.0.0.1,IP:::1");
    add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert.get(), NID_ext_key_usage, "serverAuth");
    check(X509_sign(cert.get(), key, EVP_sha256()) > 0, "X509_sign");
    return cert;
}

// Opens `path` for writing with `mode`, replacing it.
FILE* open_for_write(const std::string& path, mode_t mode) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        throw std::runtime_error("cannot write " + path);
    ::fchmod(fd, mode);
    FILE* f = ::fdopen(fd, "wb");
    if (!f) {
        ::close(fd);
        throw std::runtime_error("cannot write " + path);
    }
    return f;
}

}  // namespace

void ensure_self_signed_certificate(const std::string& cert_file, const std::string& key_file,
                                    const std::string& common_name) {
    struct stat st;
    if (::stat(cert_file.c_str(), &st) == 0 && ::stat(key_file.c_str(), &st) == 0)
        return;
    Key key = make_key();
    Cert cert = make_certificate(key.get(), common_name);
    FILE* kf = open_for_write(key_file, 0600);
    bool key_ok = PEM_write_PrivateKey(kf, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
    key_ok = (std::fclose(kf) == 0) && key_ok;
    check(key_ok, "writing the key");
    FILE* cf = open_for_write(cert_file, 0644);
    bool cert_ok = PEM_write_X509(cf, cert.get()) == 1;
    cert_ok = (std::fclose(cf) == 0) && cert_ok;
    check(cert_ok, "writing the certificate");
}

}  // namespace postimap::net
