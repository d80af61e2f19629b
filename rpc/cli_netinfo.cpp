#include <rpc/cli_netinfo.h>

#include <util/strings.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string_view>
#include <tuple>

namespace rpc::cli {

namespace {

// Core's network order for counting; "npr" (not publicly routable) and "int" show only
// when some peer is on them.
constexpr std::array<std::string_view, 7> NETWORKS{
    "not_publicly_routable", "ipv4", "ipv6", "onion", "i2p", "cjdns", "internal"};
constexpr std::array<std::string_view, 7> NETWORK_SHORT{"npr", "ipv4",  "ipv6", "onion",
                                                        "i2p", "cjdns", "int"};
constexpr std::array<size_t, 2> SHOWN_WHEN_USED{0, 6};

struct PeerRow
{
    bool outbound{false};
    double min_ping{-1};
    std::string direction, type, network, transport, mping, ping, send, recv, txn, blk, hb,
        addr_processed, addr_rate_limited, age, id, addr, version;
};

std::string Usage(std::string_view what, const std::string& value, std::string_view extra = "")
{
    return "invalid -netinfo " + std::string{what} + " argument: " + value + "\n" +
           std::string{extra} + "For more information, run: minibit-cli -netinfo help";
}

// Right-aligns (or left-aligns) `text` in `width` columns; longer text is kept whole.
std::string Fit(std::string_view text, size_t width, bool left = false)
{
    std::string out{text};
    if (out.size() < width) {
        const std::string fill(width - out.size(), ' ');
        out = left ? out + fill : fill + out;
    }
    return out;
}

const Json& Get(const Json& object, std::string_view key)
{
    static const Json NONE{};
    if (!object.is_object()) return NONE;
    const auto it = object.find(key);
    return it == object.end() ? NONE : *it;
}

int64_t Int(const Json& value)
{
    if (value.is_number_integer()) return value.get<int64_t>();
    if (value.is_number()) return static_cast<int64_t>(value.get<double>());
    return 0;
}

double Real(const Json& value, double fallback)
{
    return value.is_number() ? value.get<double>() : fallback;
}

std::string Text(const Json& value)
{
    return value.is_string() ? value.get<std::string>() : std::string{};
}

bool Flag(const Json& value, bool fallback)
{
    return value.is_boolean() ? value.get<bool>() : fallback;
}

// Milliseconds as a whole number; "-" past 999999 ms, "" when unknown.
std::string PingMs(double seconds)
{
    if (seconds < 0) return "";
    const double ms = std::round(1000 * seconds);
    if (ms > 999999) return "-";
    return std::to_string(static_cast<int64_t>(ms));
}

std::string ShortType(const std::string& type)
{
    if (type == "outbound-full-relay") return "full";
    if (type == "block-relay-only") return "block";
    if (type == "manual" || type == "feeler") return type;
    if (type == "addr-fetch") return "addr";
    return "";
}

} // namespace

util::Expected<NetinfoRequest> ParseNetinfoArgs(const std::vector<std::string>& words)
{
    NetinfoRequest request;
    if (words.empty()) return request;
    const auto level = util::ParseInt64(words[0]);
    if (!level || *level < 0 || *level > 255) return util::Unexpected(Usage("level", words[0]));
    request.level = static_cast<int>(std::min<int64_t>(*level, NETINFO_LEVEL_MAX));
    if (words.size() > 1) {
        const std::string& word = words[1];
        if (*level > 0 && (word == "o" || word == "outonly")) {
            request.outonly = true;
        } else if (*level > 0) {
            return util::Unexpected(Usage("outonly", word));
        } else {
            return util::Unexpected(Usage("outonly", word,
                                          "The outonly argument is only valid for a level "
                                          "greater than 0 (the first argument). "));
        }
    }
    return request;
}

std::string FormatNetinfo(const Json& peers, const Json& network_info,
                          const NetinfoRequest& request, const std::string& client, int64_t now)
{
    const bool details = request.level > 0;
    const bool show_addr = request.level == 2 || request.level == 4;
    const bool show_version = request.level == 3 || request.level == 4;

    // counts[direction][network], direction 0 in, 1 out, 2 total; last column all networks.
    std::array<std::array<int, NETWORKS.size() + 1>, 3> counts{};
    int block_relay = 0;
    int manual = 0;
    std::vector<PeerRow> rows;
    size_t addr_width = 0, addrp_width = 5, addrl_width = 6, age_width = 5, id_width = 2;

    for (const Json& peer : peers.is_array() ? peers : Json::array()) {
        const std::string network = Text(Get(peer, "network"));
        const auto found = std::find(NETWORKS.begin(), NETWORKS.end(), network);
        if (found == NETWORKS.end()) continue;
        const size_t net = static_cast<size_t>(found - NETWORKS.begin());
        const bool outbound = !Flag(Get(peer, "inbound"), false);
        const std::string type = Text(Get(peer, "connection_type"));
        for (const size_t row : {outbound ? size_t{1} : size_t{0}, size_t{2}}) {
            ++counts[row][net];
            ++counts[row][NETWORKS.size()];
        }
        if (type == "block-relay-only") ++block_relay;
        if (type == "manual") ++manual;
        if (!details || (request.outonly && !outbound)) continue;

        PeerRow row;
        row.outbound = outbound;
        row.direction = outbound ? "out" : "in";
        row.type = ShortType(type);
        row.network = std::string{NETWORK_SHORT[net]};
        const std::string transport = Get(peer, "transport_protocol_type").is_string()
                                          ? Text(Get(peer, "transport_protocol_type"))
                                          : "v1";
        row.transport = transport.size() == 2 && transport[0] == 'v' ? transport.substr(1) : " ";
        row.min_ping = Real(Get(peer, "minping"), -1);
        row.mping = PingMs(row.min_ping);
        row.ping = PingMs(Real(Get(peer, "pingtime"), -1));
        const int64_t last_send = Int(Get(peer, "lastsend"));
        const int64_t last_recv = Int(Get(peer, "lastrecv"));
        const int64_t last_tx = Int(Get(peer, "last_transaction"));
        const int64_t last_block = Int(Get(peer, "last_block"));
        const int64_t conn_time = Int(Get(peer, "conntime"));
        const bool relays_tx = Flag(Get(peer, "relaytxes"), true);
        row.send = last_send ? std::to_string(now - last_send) : "";
        row.recv = last_recv ? std::to_string(now - last_recv) : "";
        row.txn = last_tx ? std::to_string((now - last_tx) / 60) : relays_tx ? "" : "*";
        row.blk = last_block ? std::to_string((now - last_block) / 60) : "";
        row.hb = std::string{Flag(Get(peer, "bip152_hb_to"), false) ? "." : " "} +
                 (Flag(Get(peer, "bip152_hb_from"), false) ? "*" : " ");
        const int64_t processed = Int(Get(peer, "addr_processed"));
        const int64_t limited = Int(Get(peer, "addr_rate_limited"));
        row.addr_processed = processed ? std::to_string(processed)
                             : Flag(Get(peer, "addr_relay_enabled"), false) ? ""
                                                                            : ".";
        row.addr_rate_limited = limited ? std::to_string(limited) : "";
        row.age = conn_time == 0 ? "" : std::to_string((now - conn_time) / 60);
        row.id = std::to_string(Int(Get(peer, "id")));
        row.addr = Text(Get(peer, "addr"));
        const std::string version =
            std::to_string(Int(Get(peer, "version"))) + Text(Get(peer, "subver"));
        row.version = version == "0" ? "" : version;

        addr_width = std::max(addr_width, row.addr.size() + 1);
        addrp_width = std::max(addrp_width, std::to_string(processed).size());
        addrl_width = std::max(addrl_width, std::to_string(limited).size());
        age_width = std::max(age_width, row.age.size());
        id_width = std::max(id_width, row.id.size());
        rows.push_back(std::move(row));
    }

    std::string out = client + " - server " +
                      std::to_string(Int(Get(network_info, "protocolversion"))) +
                      Text(Get(network_info, "subversion")) + "\n\n";

    if (details && !rows.empty()) {
        // Inbound first, then by smallest ping (unknown first), as Core sorts.
        std::stable_sort(rows.begin(), rows.end(), [](const PeerRow& a, const PeerRow& b) {
            return std::tie(a.outbound, a.min_ping) < std::tie(b.outbound, b.min_ping);
        });
        out += "<->   type   net  v  mping   ping send recv  txn  blk  hb " +
               Fit("addrp", addrp_width) + Fit("addrl", addrl_width) + Fit("age", age_width) + " " +
               Fit("id", id_width) + " " +
               Fit(show_addr ? "address" : "", show_addr ? addr_width : 0, true) +
               (show_version ? "version" : "") + "\n";
        for (const PeerRow& row : rows) {
            out += Fit(row.direction, 3) + " " + Fit(row.type, 6) + " " + Fit(row.network, 5) +
                   " " + Fit(row.transport, 2) + Fit(row.mping, 7) + Fit(row.ping, 7) +
                   Fit(row.send, 5) + Fit(row.recv, 5) + Fit(row.txn, 5) + Fit(row.blk, 5) + "  " +
                   Fit(row.hb, 2) + " " + Fit(row.addr_processed, addrp_width) +
                   Fit(row.addr_rate_limited, addrl_width) + Fit(row.age, age_width) + " " +
                   Fit(row.id, id_width) + " " +
                   Fit(show_addr ? row.addr : "", show_addr ? addr_width : 0, true) +
                   (show_version ? row.version : "") + "\n";
        }
        out += std::string(24, ' ') + "ms     ms  sec  sec  min  min" + std::string(16, ' ') +
               Fit("min", age_width) + "\n\n";
    }

    // Counts: the reachable networks getnetworkinfo lists, then npr/int when used.
    out += "     ";
    std::vector<size_t> columns;
    const Json& networks = Get(network_info, "networks");
    for (const Json& network : networks.is_array() ? networks : Json::array()) {
        if (!Flag(Get(network, "reachable"), false)) continue;
        const std::string name = Text(Get(network, "name"));
        const auto found = std::find(NETWORKS.begin(), NETWORKS.end(), name);
        if (found == NETWORKS.end()) continue;
        out += Fit(name, 8);
        columns.push_back(static_cast<size_t>(found - NETWORKS.begin()));
    }
    for (const size_t net : SHOWN_WHEN_USED) {
        if (counts[2][net] == 0) continue;
        out += Fit(NETWORK_SHORT[net], 8);
        columns.push_back(net);
    }
    out += "   total   block";
    if (manual) out += "  manual";
    const std::array<std::string_view, 3> labels{"in", "out", "total"};
    for (size_t r = 0; r < labels.size(); ++r) {
        out += "\n" + Fit(labels[r], 5, true);
        for (const size_t net : columns)
            out += Fit(std::to_string(counts[r][net]), 8);
        out += "   " + Fit(std::to_string(counts[r][NETWORKS.size()]), 5);
        if (r == 1) {
            out += "   " + Fit(std::to_string(block_relay), 5);
            if (manual) out += "   " + Fit(std::to_string(manual), 5);
        }
    }

    out += "\n\nLocal addresses";
    const Json& local = Get(network_info, "localaddresses");
    if (!local.is_array() || local.empty()) {
        out += ": n/a\n";
    } else {
        size_t width = 0;
        for (const Json& address : local)
            width = std::max(width, Text(Get(address, "address")).size() + 1);
        for (const Json& address : local) {
            out += "\n" + Fit(Text(Get(address, "address")), width, true) + "    port " +
                   Fit(std::to_string(Int(Get(address, "port"))), 6) + "    score " +
                   Fit(std::to_string(Int(Get(address, "score"))), 6);
        }
    }
    return out;
}

} // namespace rpc::cli
