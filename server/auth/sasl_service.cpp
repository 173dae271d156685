#include "server/auth/sasl_service.hpp"

#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sasl/prop.h>
#include <sasl/saslplug.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <cstring>
#include <future>
#include <mutex>
#include <stdexcept>

#include "log/log.hpp"
#include "server/auth/base64.hpp"
#include "server/auth/offload.hpp"
#include "server/auth/password.hpp"

namespace postimap::auth {
namespace asio = boost::asio;
namespace {

constexpr const char* kAppName = "postimap";
constexpr const char* kAuxpropName = "postimap";
constexpr auto kLookupTimeout = std::chrono::seconds(10);
// Our order of preference; only those the installed plugins provide are used.
const std::vector<std::string> kWanted = {"SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN", "LOGIN"};

SaslService* g_service = nullptr;  // the process's one service (Cyrus state is global)

// A secret for a user who does not exist (or is disabled): the same for the
// same name within this process, and matching no password, so that SCRAM
// runs to the proof and fails there, exactly as with a wrong password,
// instead of telling the client at its first message that the user is unknown.
std::string decoy_secret(const std::string& user, const std::string& mechanism) {
    static unsigned char key[32];
    static std::once_flag once;
    std::call_once(once, [] { RAND_bytes(key, sizeof key); });
    auto mac = [&](const std::string& label) {
        unsigned char out[32];
        unsigned len = 0;
        std::string input = label + '\0' + user;
        HMAC(EVP_sha256(), key, sizeof key, reinterpret_cast<const unsigned char*>(input.data()),
             input.size(), out, &len);
        return std::string(reinterpret_cast<char*>(out), len);
    };
    const std::size_t key_size = mechanism == "SCRAM-SHA-1" ? 20 : 32;
    std::string salt = mac(mechanism + "salt").substr(0, 16);
    std::string stored = mac(mechanism + "stored").substr(0, key_size);
    std::string server = mac(mechanism + "server").substr(0, key_size);
    return mechanism + "$4096:" + base64_encode(salt) + "$" + base64_encode(stored) + ":" +
           base64_encode(server);
}

// -- the auxprop plugin: hands SCRAM the stored authPassword --------------

int auxprop_lookup(void*, sasl_server_params_t* sparams, unsigned flags, const char* user,
                   unsigned ulen) {
    if (!g_service || !sparams || !user)
        return SASL_FAIL;
    // Authorization-identity lookups ask for nothing we keep.
    if (flags & SASL_AUXPROP_AUTHZID)
        return SASL_OK;
    const struct propval* values = sparams->utils->prop_get(sparams->propctx);
    if (!values)
        return SASL_OK;
    const struct propval* wanted = nullptr;
    for (const struct propval* v = values; v->name; ++v) {
        const char* name = v->name[0] == '*' ? v->name + 1 : v->name;
        if (std::strcmp(name, "authPassword") == 0 &&
            (!v->values || (flags & SASL_AUXPROP_OVERRIDE)))
            wanted = v;
    }
    if (!wanted)
        return SASL_OK;  // userPassword and the like: we never store clear text
    const std::string name(user, ulen);
    auto secrets = g_service->lookup_secret_blocking(name);
    // Whatever the user lacks (unknown user; no SHA-1 secret yet) gets a
    // decoy, so that every mechanism fails at the proof, never earlier.
    for (const char* mech : {"SCRAM-SHA-256", "SCRAM-SHA-1"}) {
        const std::string prefix = std::string(mech) + "$";
        if (std::none_of(secrets.begin(), secrets.end(),
                         [&](const std::string& v) { return v.starts_with(prefix); }))
            secrets.push_back(decoy_secret(name, mech));
    }
    if (wanted->values)
        sparams->utils->prop_erase(sparams->propctx, wanted->name);
    for (const auto& value : secrets) {
        int rc = sparams->utils->prop_set(sparams->propctx, wanted->name, value.c_str(),
                                          static_cast<unsigned>(value.size()));
        if (rc != SASL_OK)
            return rc;
    }
    return SASL_OK;
}

sasl_auxprop_plug_t g_auxprop = {
    0,               // features
    0,               // spare
    nullptr,         // glob_context
    nullptr,         // auxprop_free
    auxprop_lookup,  // auxprop_lookup
    const_cast<char*>(kAuxpropName),
    nullptr,  // auxprop_store: passwords change through SQL only
};

int auxprop_init(const sasl_utils_t*, int max_version, int* out_version, sasl_auxprop_plug_t** plug,
                 const char*) {
    if (max_version < SASL_AUXPROP_PLUG_VERSION)
        return SASL_BADVERS;
    *out_version = SASL_AUXPROP_PLUG_VERSION;
    *plug = &g_auxprop;
    return SASL_OK;
}

// -- callbacks -----------------------------------------------------------------

// PLAIN and LOGIN: the password against the stored SCRAM secret (PBKDF2 on
// this pool thread); an unknown user costs the same, against a dummy.
int checkpass(sasl_conn_t*, void*, const char* user, const char* pass, unsigned passlen,
              struct propctx*) {
    if (!g_service || !user || !pass)
        return SASL_FAIL;
    auto secrets = g_service->lookup_secret_blocking(user);
    const bool known = !secrets.empty();
    const bool match = verify_password(known ? secrets.front() : unknown_user_secret(),
                                       std::string_view(pass, passlen)) &&
                       known;
    return match ? SASL_OK : SASL_BADAUTH;
}

int getopt(void*, const char*, const char* option, const char** result, unsigned* len) {
    static const std::string mechs = [] {
        std::string s;
        for (const auto& m : kWanted)
            s += (s.empty() ? "" : " ") + m;
        return s;
    }();
    const char* value = nullptr;
    if (std::strcmp(option, "mech_list") == 0)
        value = mechs.c_str();
    else if (std::strcmp(option, "auxprop_plugin") == 0)
        value = kAuxpropName;
    else if (std::strcmp(option, "pwcheck_method") == 0)
        value = "auxprop";
    else if (std::strcmp(option, "log_level") == 0)
        value = "2";
    if (!value)
        return SASL_FAIL;
    *result = value;
    if (len)
        *len = static_cast<unsigned>(std::strlen(value));
    return SASL_OK;
}

int log_message(void*, int level, const char* message) {
    if (level <= SASL_LOG_ERR)
        log::warn("sasl", "message=\"", message ? message : "", "\"");
    else
        log::debug("sasl", "message=\"", message ? message : "", "\"");
    return SASL_OK;
}

// Cyrus keeps every callback as int(*)(void); void(*)(void) is the one
// function type a cast may pass through without a warning.
template <typename F>
sasl_callback_ft as_callback(F* f) {
    return reinterpret_cast<sasl_callback_ft>(reinterpret_cast<void (*)()>(f));
}

sasl_callback_t g_callbacks[] = {
    {SASL_CB_GETOPT, as_callback(getopt), nullptr},
    {SASL_CB_LOG, as_callback(log_message), nullptr},
    {SASL_CB_SERVER_USERDB_CHECKPASS, as_callback(checkpass), nullptr},
    {SASL_CB_LIST_END, nullptr, nullptr},
};

}  // namespace

SaslService::SaslService(asio::any_io_executor loop, SecretSource secrets, std::size_t threads)
    : loop_(std::move(loop)), secrets_(std::move(secrets)), pool_(threads) {
    if (g_service)
        throw std::logic_error("one SaslService per process");
    int rc = sasl_server_init(g_callbacks, kAppName);
    if (rc != SASL_OK)
        throw std::runtime_error(std::string("Cyrus SASL: ") +
                                 sasl_errstring(rc, nullptr, nullptr));
    rc = sasl_auxprop_add_plugin(kAuxpropName, auxprop_init);
    if (rc != SASL_OK)
        throw std::runtime_error(std::string("Cyrus SASL auxprop: ") +
                                 sasl_errstring(rc, nullptr, nullptr));
    g_service = this;
    // Which of our mechanisms the installed plugins provide.
    const char** list = sasl_global_listmech();
    for (const auto& want : kWanted)
        for (const char** m = list; m && *m; ++m)
            if (want == *m)
                available_.push_back(want);
    if (available_.empty())
        log::warn("sasl_no_mechanisms", "hint=\"install libsasl2-modules\"");
}

SaslService::~SaslService() {
    pool_.join();
    g_service = nullptr;
    sasl_server_done();
}

bool SaslService::is_plaintext(std::string_view m) {
    return m == "PLAIN" || m == "LOGIN";
}

std::vector<std::string> SaslService::mechanisms(bool secure) const {
    std::vector<std::string> out;
    for (const auto& m : available_)
        if (secure || !is_plaintext(m))
            out.push_back(m);
    return out;
}

std::vector<std::string> SaslService::lookup_secret_blocking(const std::string& user) {
    auto promise = std::make_shared<std::promise<std::vector<std::string>>>();
    auto future = promise->get_future();
    asio::co_spawn(loop_, secrets_(user),
                   [promise](std::exception_ptr e, std::vector<std::string> secrets) {
                       if (e)
                           promise->set_value({});
                       else
                           promise->set_value(std::move(secrets));
                   });
    if (future.wait_for(kLookupTimeout) != std::future_status::ready) {
        log::warn("sasl_lookup_timeout", "user=", user);
        return {};
    }
    return future.get();
}

SaslExchange::SaslExchange(SaslService& service, bool secure, const std::string& local_ip_port,
                           const std::string& remote_ip_port)
    : service_(service) {
    int rc = sasl_server_new("imap", nullptr, nullptr, local_ip_port.c_str(),
                             remote_ip_port.c_str(), nullptr, 0, &conn_);
    if (rc != SASL_OK) {
        setup_error_ = sasl_errstring(rc, nullptr, nullptr);
        conn_ = nullptr;
        return;
    }
    // No SASL security layer (TLS is ours); plain-text mechanisms only on a
    // secure connection.
    sasl_security_properties_t props{};
    props.min_ssf = 0;
    props.max_ssf = 0;
    props.maxbufsize = 0;
    props.security_flags = secure ? 0 : SASL_SEC_NOPLAINTEXT;
    sasl_setprop(conn_, SASL_SEC_PROPS, &props);
}

SaslExchange::~SaslExchange() {
    if (conn_)
        sasl_dispose(&conn_);
}

SaslStep SaslExchange::result(int rc, const char* out, unsigned out_len) const {
    SaslStep s;
    // Output is defined only with OK or CONTINUE: after a failure, Cyrus'
    // SCRAM plugin leaves `out` pointing at a buffer it has freed.
    if ((rc == SASL_OK || rc == SASL_CONTINUE) && out && out_len)
        s.challenge.assign(out, out_len);
    switch (rc) {
        case SASL_OK:
            s.status = SaslStep::Status::done;
            break;
        case SASL_CONTINUE:
            s.status = SaslStep::Status::next;
            break;
        case SASL_BADAUTH:
        case SASL_NOUSER:
        case SASL_NOAUTHZ:
        case SASL_BADPROT:
        case SASL_BADPARAM:
        case SASL_DISABLED:
        case SASL_EXPIRED:
        case SASL_NOVERIFY:
        case SASL_TOOWEAK:
        case SASL_ENCRYPT:
        case SASL_WRONGMECH:
            s.status = SaslStep::Status::failed;
            break;
        default:
            s.status = SaslStep::Status::error;
    }
    if (rc != SASL_OK && rc != SASL_CONTINUE) {
        const char* detail = conn_ ? sasl_errdetail(conn_) : nullptr;
        s.reason = detail ? detail : sasl_errstring(rc, nullptr, nullptr);
    }
    return s;
}

asio::awaitable<SaslStep> SaslExchange::start(std::string mechanism,
                                              std::optional<std::string> initial) {
    if (!conn_) {
        SaslStep s;
        s.reason = setup_error_;
        co_return s;
    }
    // Named before the co_await: g++ 12 mishandles a lambda with init
    // captures built inside a co_await expression (it freed a bad pointer).
    auto work = [this, mechanism = std::move(mechanism), initial = std::move(initial)]() {
        const char* out = nullptr;
        unsigned out_len = 0;
        int rc =
            sasl_server_start(conn_, mechanism.c_str(), initial ? initial->data() : nullptr,
                              initial ? static_cast<unsigned>(initial->size()) : 0, &out, &out_len);
        return result(rc, out, out_len);
    };
    co_return co_await run_off_loop<SaslStep>(service_.pool(), std::move(work));
}

asio::awaitable<SaslStep> SaslExchange::step(std::string response) {
    auto work = [this, response = std::move(response)]() {
        const char* out = nullptr;
        unsigned out_len = 0;
        int rc = sasl_server_step(conn_, response.data(), static_cast<unsigned>(response.size()),
                                  &out, &out_len);
        return result(rc, out, out_len);
    };
    co_return co_await run_off_loop<SaslStep>(service_.pool(), std::move(work));
}

std::string SaslExchange::username() const {
    const void* name = nullptr;
    if (!conn_ || sasl_getprop(conn_, SASL_USERNAME, &name) != SASL_OK || !name)
        return {};
    return static_cast<const char*>(name);
}

}  // namespace postimap::auth
