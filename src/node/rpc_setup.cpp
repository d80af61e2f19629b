#include <node/rpc_setup.h>

#include <common/chainparams.h>
#include <rpc/register.h>
#include <rpc/rest.h>
#include <util/fs.h>
#include <util/logging.h>

#include <limits>

namespace node {

namespace {

// Core's loopback defaults when -rpcbind is not given (or is ignored).
const std::vector<std::string> LOOPBACK_BINDS{"::1", "127.0.0.1"};
// With -rpcallowip but no -rpcbind, Core listens on every interface.
const std::vector<std::string> ANY_BINDS{"::", "0.0.0.0"};

util::Expected<rpc::HttpServerOptions>
ServerOptionsFromArgs(const util::ArgsManager& args, uint16_t default_port, util::Logger& logger)
{
    rpc::HttpServerOptions options;
    const int64_t port = args.GetIntArg("-rpcport", default_port);
    if (port < 1 || port > 65535) {
        return util::Unexpected("Invalid port specified in -rpcport: '" +
                                args.GetArg("-rpcport", "") + "'");
    }
    for (const std::string& text : args.GetArgs("-rpcallowip")) {
        const auto subnet = rpc::Subnet::Parse(text);
        if (!subnet) {
            return util::Unexpected(
                "Invalid -rpcallowip subnet specification: " + text +
                ". Valid values are a single IP (e.g. 1.2.3.4), a network/netmask (e.g. "
                "1.2.3.4/255.255.255.0), a network/CIDR (e.g. 1.2.3.4/24), or all ipv4 "
                "(0.0.0.0/0), or all ipv6 (::/0). RFC4193 is allowed only in -rpcallowip.");
        }
        options.allow.push_back(*subnet);
    }
    options.bind.clear();
    const std::vector<std::string> binds = args.GetArgs("-rpcbind");
    const bool allow_given = args.IsArgSet("-rpcallowip");
    if (!binds.empty() && !allow_given) {
        // Core refuses to open the server to others unless both options say so.
        logger.Warning("option -rpcbind was ignored because -rpcallowip was not specified, "
                       "refusing to allow everyone to connect");
    }
    if (!binds.empty() && allow_given) {
        for (const std::string& text : binds) {
            const auto endpoint = rpc::ParseEndpoint(text, static_cast<uint16_t>(port));
            if (!endpoint)
                return util::Unexpected("Invalid port specified in -rpcbind: '" + text + "'");
            options.bind.push_back(*endpoint);
        }
    } else {
        for (const std::string& address : allow_given ? ANY_BINDS : LOOPBACK_BINDS)
            options.bind.push_back({address, static_cast<uint16_t>(port)});
    }
    options.worker_threads = static_cast<int>(
        std::max<int64_t>(1, args.GetIntArg("-rpcthreads", rpc::DEFAULT_HTTP_THREADS)));
    options.work_queue = static_cast<int>(
        std::max<int64_t>(1, args.GetIntArg("-rpcworkqueue", rpc::DEFAULT_HTTP_WORKQUEUE)));
    options.timeout = std::chrono::seconds{std::max<int64_t>(
        1, args.GetIntArg("-rpcservertimeout", rpc::DEFAULT_HTTP_SERVER_TIMEOUT))};
    return options;
}

} // namespace

void AddRpcArgs(util::ArgsManager& args)
{
    using util::ArgType;
    const auto rpc = util::OptionsCategory::RPC;
    args.AddArg("-server", "Accept JSON-RPC commands (default: 1)", ArgType::BOOL, rpc);
    args.AddArg("-rest", "Serve the public REST requests under /rest/ (default: 0)", ArgType::BOOL,
                rpc);
    args.AddArg("-rpcbind=<addr>[:port]",
                "Listen for JSON-RPC connections on this address (a literal IP; IPv6 in "
                "brackets when a port follows). Used only together with -rpcallowip. The port "
                "defaults to -rpcport. Repeat to listen on several addresses (default: ::1 and "
                "127.0.0.1, or every interface when -rpcallowip is given)",
                ArgType::LIST, rpc, util::NETWORK_ONLY);
    args.AddArg("-rpcallowip=<ip>",
                "Accept JSON-RPC connections from this source: a single IP (1.2.3.4), a "
                "network/netmask (1.2.3.4/255.255.255.0) or a network/CIDR (1.2.3.4/24), IPv4 "
                "or IPv6. Loopback is always allowed. Repeat to allow several",
                ArgType::LIST, rpc);
    args.AddArg("-rpcport=<port>",
                "Listen for JSON-RPC connections on <port> (default: 8332, testnet: 18332, "
                "testnet4: 48332, signet: 38332, regtest: 18443)",
                ArgType::INT, rpc, util::NETWORK_ONLY);
    args.AddArg(
        "-rpcthreads=<n>",
        "Threads that run RPC calls (default: " + std::to_string(rpc::DEFAULT_HTTP_THREADS) + ")",
        ArgType::INT, rpc);
    args.AddArg("-rpcworkqueue=<n>",
                "Calls that may wait for a free RPC thread before new ones are refused with "
                "HTTP 503 (default: " +
                    std::to_string(rpc::DEFAULT_HTTP_WORKQUEUE) + ")",
                ArgType::INT, util::OptionsCategory::DEBUG_TEST);
    args.AddArg("-rpcservertimeout=<n>",
                "Seconds an HTTP connection may stay idle or take to send its request "
                "(default: " +
                    std::to_string(rpc::DEFAULT_HTTP_SERVER_TIMEOUT) + ")",
                ArgType::INT, util::OptionsCategory::DEBUG_TEST);
    args.AddArg("-rpcuser=<user>", "User name for JSON-RPC connections", ArgType::STRING, rpc,
                util::SENSITIVE);
    args.AddArg("-rpcpassword=<pw>",
                "Password for JSON-RPC connections; when set, no cookie file is written",
                ArgType::STRING, rpc, util::SENSITIVE);
    args.AddArg("-rpcauth=<userpw>",
                "A user allowed to make JSON-RPC calls, as <USERNAME>:<SALT>$<HASH> where HASH "
                "is the hex HMAC-SHA256 of the password keyed by SALT (share/rpcauth in Bitcoin "
                "Core prints such lines). Repeat for several users",
                ArgType::LIST, rpc, util::SENSITIVE);
    args.AddArg("-rpccookiefile=<loc>",
                "Where to write the authentication cookie; a relative path starts at the "
                "chain's data directory (default: .cookie)",
                ArgType::STRING, rpc);
    args.AddArg("-rpcwhitelist=<whitelist>",
                "Limit a user to some methods: <USERNAME>:<method 1>,<method 2>,... A user "
                "given several lists may call only the methods on all of them",
                ArgType::LIST, rpc);
    args.AddArg("-rpcwhitelistdefault",
                "When set, users without a -rpcwhitelist entry may call nothing (default: 1 "
                "if any -rpcwhitelist is given, else 0)",
                ArgType::BOOL, rpc);
}

util::Expected<std::unique_ptr<RpcServer>>
RpcServer::Start(const util::ArgsManager& args, const common::ChainParams& params,
                 const std::filesystem::path& chain_datadir, rpc::Services& services,
                 util::Logger& logger, const std::function<void(rpc::MethodTable&)>& register_more)
{
    auto options = ServerOptionsFromArgs(args, params.GetDefaultRpcPort(), logger);
    if (!options) return options.error();
    rpc::TableOptions table_options;
    table_options.example_port = options->bind.front().port;
    std::unique_ptr<RpcServer> server{new RpcServer{table_options, logger}};

    const std::string user = args.GetArg("-rpcuser", "");
    const std::string password = args.GetArg("-rpcpassword", "");
    if (password.empty()) {
        // Core writes a fresh cookie on every start unless a password is configured.
        server->m_cookie_path =
            util::AbsPathFor(chain_datadir, args.GetArg("-rpccookiefile", ".cookie"));
        auto cookie = rpc::GenerateAuthCookie(server->m_cookie_path);
        if (!cookie)
            return util::Unexpected("Unable to start HTTP server: " + cookie.error().message);
        const size_t colon = cookie->find(':');
        server->m_auth.AddUserPassword(cookie->substr(0, colon), cookie->substr(colon + 1));
        logger.Info("Generated RPC authentication cookie " + server->m_cookie_path.string());
    } else {
        if (user.empty()) {
            return util::Unexpected("-rpcpassword is set but -rpcuser is not; set both, or "
                                    "neither to use the cookie file");
        }
        server->m_auth.AddUserPassword(user, password);
    }
    for (const std::string& value : args.GetArgs("-rpcauth")) {
        auto entry = rpc::ParseRpcAuth(value);
        if (!entry) return util::Unexpected("Invalid -rpcauth argument.");
        server->m_auth.AddRpcAuth(std::move(*entry));
    }
    std::optional<bool> whitelist_default;
    if (args.IsArgSet("-rpcwhitelistdefault")) {
        whitelist_default = args.GetBoolArg("-rpcwhitelistdefault", false);
    }
    server->m_whitelist =
        rpc::RpcWhitelist::Parse(args.GetArgs("-rpcwhitelist"), whitelist_default);

    server->m_table.RegisterBuiltins();
    rpc::RegisterAllMethods(server->m_table, services);
    if (register_more) register_more(server->m_table);

    server->m_http = std::make_unique<rpc::HttpServer>(*options, &server->m_auth, &logger);
    RpcServer* self = server.get();
    const auto json_rpc = [self](const rpc::HttpRequest& request) -> rpc::HttpResponse {
        rpc::HttpResponse response;
        const std::string user = request.auth_user.value_or("");
        if (!self->m_whitelist.IsUserAllowedAny(user)) {
            response.status = rpc::HTTP_FORBIDDEN;
            response.content_type.clear();
            return response;
        }
        rpc::Context context;
        context.user = user;
        context.uri = request.target;
        // As Core, per-method checks (and their stricter batch rules) apply only to users
        // who have a whitelist.
        if (self->m_whitelist.MethodsOf(user)) {
            context.allowed = [self, user](std::string_view method) {
                return self->m_whitelist.IsMethodAllowed(user, method);
            };
        }
        rpc::HttpReply reply = self->m_table.Dispatch(request.body, context);
        response.status = reply.status;
        response.body = std::move(reply.body);
        if (response.body.empty()) response.content_type.clear();
        return response;
    };
    rpc::HandlerOptions handler_options;
    handler_options.post_only = true;
    handler_options.require_auth = true;
    handler_options.exact_match = true;
    server->m_http->RegisterHandler("/", handler_options, json_rpc);
    handler_options.exact_match = false;
    server->m_http->RegisterHandler("/wallet/", handler_options, json_rpc);
    if (args.GetBoolArg("-rest", false)) {
        rpc::RegisterRestHandlers(*server->m_http, services, &server->m_table);
    }
    if (auto ok = server->m_http->Start(); !ok) {
        return util::Unexpected("Unable to start HTTP server. See debug log for details.");
    }
    for (const rpc::HttpEndpoint& endpoint : server->m_http->BoundEndpoints()) {
        logger.Info("Binding RPC on address " + endpoint.address + " port " +
                    std::to_string(endpoint.port));
    }
    return server;
}

RpcServer::~RpcServer()
{
    Stop();
}

void RpcServer::Stop()
{
    if (m_http) m_http->Stop();
    if (!m_cookie_path.empty()) {
        rpc::DeleteAuthCookie(m_cookie_path);
        m_cookie_path.clear();
    }
}

} // namespace node
