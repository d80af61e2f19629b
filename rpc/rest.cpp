#include <rpc/rest.h>

#include <rpc/mempool.h>

#include <common/chainparams.h>
#include <consensus/block.h>
#include <consensus/serialize.h>
#include <interfaces/chain.h>
#include <rpc/blockchain.h>
#include <rpc/core_write.h>
#include <rpc/dispatch.h>
#include <rpc/http_server.h>
#include <rpc/jsonrpc.h>
#include <rpc/protocol.h>
#include <rpc/services.h>
#include <rpc/util.h>
#include <util/strings.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <functional>
#include <span>

namespace rpc {

namespace {

using Bytes = std::vector<uint8_t>;

HttpResponse Reply(int status, std::string content_type, std::string body)
{
    HttpResponse r;
    r.status = status;
    r.content_type = std::move(content_type);
    r.body = std::move(body);
    return r;
}

// Core's RESTERR: plain text with CRLF.
HttpResponse RestError(int status, const std::string& message)
{
    return Reply(status, "text/plain", message + "\r\n");
}

HttpResponse FormatNotFound(bool json_only = false)
{
    return RestError(HTTP_NOT_FOUND, json_only ? "output format not found (available: json)"
                                               : "output format not found (available: .bin, "
                                                 ".hex, .json)");
}

HttpResponse BinaryReply(const Bytes& data)
{
    return Reply(HTTP_OK, "application/octet-stream", std::string{data.begin(), data.end()});
}

HttpResponse HexReply(const Bytes& data)
{
    return Reply(HTTP_OK, "text/plain", util::HexStr(data) + "\n");
}

HttpResponse JsonReply(const Json& value)
{
    return Reply(HTTP_OK, "application/json", WriteJson(value) + "\n");
}

// The same bytes in .bin, .hex; JSON is built only when asked for.
HttpResponse Formatted(RestFormat rf, const Bytes& data, const std::function<Json()>& json)
{
    switch (rf) {
    case RestFormat::BINARY:
        return BinaryReply(data);
    case RestFormat::HEX:
        return HexReply(data);
    case RestFormat::JSON:
        return JsonReply(json());
    case RestFormat::UNDEF:
        break;
    }
    return FormatNotFound();
}

// Core's ToIntegral: the whole string is a decimal number of type T (no '+', no spaces).
template <class T>
std::optional<T> ToIntegral(std::string_view s)
{
    T value{};
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || ec != std::errc{} || ptr != s.data() + s.size()) return std::nullopt;
    return value;
}

// Core's SanitizeString(..., SAFE_CHARS_URI), so error messages echo only harmless bytes.
std::string SanitizeUri(std::string_view s)
{
    static constexpr std::string_view SAFE{"!*'();:@&=+$,/?#[]-_.~%"};
    std::string out;
    for (char c : s) {
        if (std::isalnum(static_cast<unsigned char>(c)) || SAFE.find(c) != std::string_view::npos) {
            out.push_back(c);
        }
    }
    return out;
}

std::optional<consensus::Uint256> ParseHash(std::string_view s)
{
    return consensus::Uint256::FromHex(s);
}

Bytes EncodeHeaders(const std::vector<interfaces::BlockInfo>& infos)
{
    Bytes out;
    consensus::Writer w{out};
    for (const auto& info : infos)
        w.Put(info.header);
    return out;
}

struct Ctx
{
    const HttpRequest& request;
    const Services& services;
    const MethodTable* table;
    const interfaces::Chain& chain;
};

// /rest/headers/<hash>.<ext>?count=<n> and the older /rest/headers/<count>/<hash>.<ext>.
HttpResponse RestHeaders(const Ctx& ctx, std::string_view uri_part)
{
    std::string param;
    const RestFormat rf = ParseDataFormat(param, uri_part);
    const auto path = util::SplitString(param, '/');
    std::string raw_count;
    std::string hash_str;
    if (path.size() == 2) {
        raw_count = path[0];
        hash_str = path[1];
    } else if (path.size() == 1) {
        hash_str = path[0];
        auto count = GetQueryParameter(ctx.request.target, "count");
        if (!count) return RestError(HTTP_BAD_REQUEST, count.error().message);
        raw_count = count->value_or("5");
    } else {
        return RestError(HTTP_BAD_REQUEST,
                         "Invalid URI format. Expected /rest/headers/<hash>.<ext>?count=<count>");
    }
    const auto count = ToIntegral<size_t>(raw_count);
    if (!count || *count < 1 || *count > MAX_REST_HEADERS_RESULTS) {
        return RestError(HTTP_BAD_REQUEST,
                         "Header count is invalid or out of acceptable range (1-" +
                             std::to_string(MAX_REST_HEADERS_RESULTS) + "): " + raw_count);
    }
    const auto hash = ParseHash(hash_str);
    if (!hash) return RestError(HTTP_BAD_REQUEST, "Invalid hash: " + hash_str);

    const int tip_height = ctx.chain.Tip().height;
    std::vector<interfaces::BlockInfo> headers;
    auto info = ctx.chain.GetBlockInfo(*hash);
    if (info && info->in_active_chain) {
        headers.push_back(*info);
        while (headers.size() < *count) {
            auto next = ctx.chain.GetBlockInfoAtHeight(headers.back().height + 1);
            // Stop at the tip, and if a reorg replaced the chain under us.
            if (!next || next->header.prev_block != headers.back().hash) break;
            headers.push_back(std::move(*next));
        }
    }
    return Formatted(rf, EncodeHeaders(headers), [&] {
        Json arr = Json::array();
        for (const auto& h : headers)
            arr.push_back(BlockHeaderToJson(h, tip_height));
        return arr;
    });
}

// /rest/block/<hash>.<ext> (verbosity 3 JSON) and /rest/block/notxdetails/<hash>.<ext> (1).
HttpResponse RestBlock(const Ctx& ctx, std::string_view uri_part, int verbosity)
{
    std::string hash_str;
    const RestFormat rf = ParseDataFormat(hash_str, uri_part);
    const auto hash = ParseHash(hash_str);
    if (!hash) return RestError(HTTP_BAD_REQUEST, "Invalid hash: " + hash_str);
    const int tip_height = ctx.chain.Tip().height;
    const auto info = ctx.chain.GetBlockInfo(*hash);
    if (!info) return RestError(HTTP_NOT_FOUND, hash_str + " not found");
    if (!info->have_data) {
        return RestError(HTTP_NOT_FOUND, hash_str + " not available (not fully downloaded)");
    }
    auto block = ctx.chain.ReadBlock(*hash);
    if (!block) return RestError(HTTP_NOT_FOUND, hash_str + " not found");
    if (rf == RestFormat::UNDEF) return FormatNotFound();
    if (rf != RestFormat::JSON) return Formatted(rf, consensus::Encode(**block), {});
    std::optional<interfaces::BlockUndo> undo;
    if (verbosity >= 3 && info->have_undo) {
        if (auto u = ctx.chain.ReadBlockUndo(*hash)) undo = std::move(*u);
    }
    return JsonReply(BlockToJson(**block, *info, tip_height, verbosity, undo ? &*undo : nullptr,
                                 ctx.chain.Params()));
}

// /rest/spenttxouts/<hash>.<ext>: per transaction, the outputs its inputs spent.
HttpResponse RestSpentTxOuts(const Ctx& ctx, std::string_view uri_part)
{
    std::string param;
    const RestFormat rf = ParseDataFormat(param, uri_part);
    const auto path = util::SplitString(param, '/');
    if (path.size() != 1) {
        return RestError(HTTP_BAD_REQUEST,
                         "Invalid URI format. Expected /rest/spenttxouts/<hash>.<ext>");
    }
    const std::string& hash_str = path[0];
    const auto hash = ParseHash(hash_str);
    if (!hash) return RestError(HTTP_BAD_REQUEST, "Invalid hash: " + hash_str);
    const auto info = ctx.chain.GetBlockInfo(*hash);
    if (!info) return RestError(HTTP_NOT_FOUND, hash_str + " not found");
    interfaces::BlockUndo undo;
    if (info->height > 0) {
        auto read = info->have_undo ? ctx.chain.ReadBlockUndo(*hash)
                                    : util::Expected<interfaces::BlockUndo>{util::Error{}};
        if (!read) return RestError(HTTP_NOT_FOUND, hash_str + " undo not available");
        undo = std::move(*read);
    }
    if (rf == RestFormat::UNDEF) return FormatNotFound();
    // The coinbase spends nothing, so it leads as an empty list.
    Bytes data;
    consensus::Writer w{data};
    consensus::WriteCompactSize(w, undo.size() + 1);
    consensus::WriteCompactSize(w, 0);
    for (const auto& tx : undo) {
        consensus::WriteCompactSize(w, tx.size());
        for (const auto& coin : tx)
            w.Put(coin.out);
    }
    return Formatted(rf, data, [&] {
        Json result = Json::array();
        result.push_back(Json::array());
        for (const auto& tx : undo) {
            Json prevouts = Json::array();
            for (const auto& coin : tx) {
                Json prevout = Json::object();
                prevout["value"] = AmountToJson(coin.out.value);
                prevout["scriptPubKey"] =
                    ScriptPubKeyToJson(coin.out.script_pubkey, ctx.chain.Params(), true, true);
                prevouts.push_back(std::move(prevout));
            }
            result.push_back(std::move(prevouts));
        }
        return result;
    });
}

HttpResponse RestChainInfo(const Ctx& ctx, std::string_view uri_part)
{
    std::string param;
    if (ParseDataFormat(param, uri_part) != RestFormat::JSON) return FormatNotFound(true);
    return JsonReply(ChainInfoToJson(ctx.chain));
}

HttpResponse RestMempool(const Ctx& ctx, std::string_view uri_part)
{
    std::string param;
    const RestFormat rf = ParseDataFormat(param, uri_part);
    if (param != "contents" && param != "info") {
        return RestError(HTTP_BAD_REQUEST,
                         "Invalid URI format. Expected /rest/mempool/<info|contents>.json");
    }
    if (rf != RestFormat::JSON) return FormatNotFound(true);
    if (param == "info") return JsonReply(MempoolInfoToJson(ctx.chain.GetMempoolInfo()));
    auto get_flag = [&](std::string_view key, std::string_view def,
                        bool& out) -> std::optional<HttpResponse> {
        auto raw = GetQueryParameter(ctx.request.target, key);
        if (!raw) return RestError(HTTP_BAD_REQUEST, raw.error().message);
        const std::string value = raw->value_or(std::string{def});
        if (value != "true" && value != "false") {
            return RestError(HTTP_BAD_REQUEST, "The \"" + std::string{key} +
                                                   "\" query parameter must be either \"true\" "
                                                   "or \"false\".");
        }
        out = value == "true";
        return std::nullopt;
    };
    bool verbose{true};
    bool mempool_sequence{false};
    if (auto err = get_flag("verbose", "true", verbose)) return *err;
    if (auto err = get_flag("mempool_sequence", "false", mempool_sequence)) return *err;
    if (verbose && mempool_sequence) {
        return RestError(HTTP_BAD_REQUEST, "Verbose results cannot contain mempool sequence "
                                           "values. (hint: set \"verbose=false\")");
    }
    const auto entries = ctx.chain.GetMempoolEntries();
    if (!mempool_sequence) return JsonReply(MempoolToJson(entries, verbose));
    const uint64_t sequence = ctx.chain.GetMempoolSequence();
    return JsonReply(MempoolToJson(entries, false, &sequence));
}

// /rest/tx/<txid>.<ext>: from the mempool or, with -txindex, the transaction index.
HttpResponse RestTx(const Ctx& ctx, std::string_view uri_part)
{
    std::string hash_str;
    const RestFormat rf = ParseDataFormat(hash_str, uri_part);
    const auto hash = ParseHash(hash_str);
    if (!hash) return RestError(HTTP_BAD_REQUEST, "Invalid hash: " + hash_str);
    const auto found = ctx.chain.FindTransaction(*hash, std::nullopt);
    if (!found || !found->tx) return RestError(HTTP_NOT_FOUND, hash_str + " not found");
    return Formatted(rf, consensus::Encode(*found->tx), [&] {
        return TxToJson(*found->tx, found->block_hash.value_or(consensus::Uint256{}),
                        ctx.chain.Params(), true);
    });
}

// /rest/getutxos[/checkmempool]/<txid>-<n>/... (BIP64), or a binary/hex request body.
HttpResponse RestGetUtxos(const Ctx& ctx, std::string_view uri_part)
{
    std::string param;
    const RestFormat rf = ParseDataFormat(param, uri_part);
    std::string body = ctx.request.body;
    const bool have_path = param.size() > 1;
    if (body.empty() && !have_path) return RestError(HTTP_BAD_REQUEST, "Error: empty request");
    GetUtxosQuery query;
    if (have_path) {
        auto parsed = ParseGetUtxosPath(param);
        if (!parsed) return RestError(HTTP_BAD_REQUEST, parsed.error().message);
        query = std::move(*parsed);
    }
    switch (rf) {
    case RestFormat::HEX: {
        const Bytes raw = ParseHexBody(body);
        body.assign(raw.begin(), raw.end());
        [[fallthrough]];
    }
    case RestFormat::BINARY:
        if (!body.empty()) {
            if (have_path) {
                return RestError(HTTP_BAD_REQUEST,
                                 "Combination of URI scheme inputs and raw post data is not "
                                 "allowed");
            }
            auto parsed = ParseGetUtxosBody(
                std::span{reinterpret_cast<const uint8_t*>(body.data()), body.size()});
            if (!parsed) return RestError(HTTP_BAD_REQUEST, parsed.error().message);
            query = std::move(*parsed);
        }
        break;
    case RestFormat::JSON:
        if (!have_path) return RestError(HTTP_BAD_REQUEST, "Error: empty request");
        break;
    case RestFormat::UNDEF:
        return FormatNotFound();
    }
    if (query.outpoints.size() > MAX_GETUTXOS_OUTPOINTS) {
        return RestError(
            HTTP_BAD_REQUEST,
            "Error: max outpoints exceeded (max: " + std::to_string(MAX_GETUTXOS_OUTPOINTS) +
                ", tried: " + std::to_string(query.outpoints.size()) + ")");
    }
    std::vector<bool> hits;
    std::vector<interfaces::Coin> outs;
    interfaces::TipSnapshot tip;
    // Retry so the answer's height and hash describe the set the coins came from.
    for (int attempt = 0; attempt < 3; ++attempt) {
        hits.clear();
        outs.clear();
        tip = ctx.chain.Tip();
        for (const auto& outpoint : query.outpoints) {
            auto coin = query.check_mempool ? ctx.chain.GetCoinWithMempool(outpoint)
                                            : ctx.chain.GetCoin(outpoint);
            hits.push_back(coin.has_value());
            if (coin) outs.push_back(std::move(*coin));
        }
        if (ctx.chain.Tip().hash == tip.hash) break;
    }
    const Bytes bitmap = UtxoBitmap(hits);
    if (rf == RestFormat::JSON) {
        Json result = Json::object();
        result["chainHeight"] = tip.height;
        result["chaintipHash"] = tip.hash.GetHex();
        std::string bits;
        for (bool hit : hits)
            bits.push_back(hit ? '1' : '0');
        result["bitmap"] = bits;
        Json utxos = Json::array();
        for (const auto& coin : outs) {
            Json utxo = Json::object();
            utxo["height"] = coin.height;
            utxo["value"] = AmountToJson(coin.out.value);
            utxo["scriptPubKey"] =
                ScriptPubKeyToJson(coin.out.script_pubkey, ctx.chain.Params(), true, true);
            utxos.push_back(std::move(utxo));
        }
        result["utxos"] = std::move(utxos);
        return JsonReply(result);
    }
    Bytes data;
    consensus::Writer w{data};
    w.Put(static_cast<int32_t>(tip.height));
    w.Put(tip.hash);
    w.Put(bitmap);
    consensus::WriteCompactSize(w, outs.size());
    for (const auto& coin : outs) {
        // BIP64's coin: an unused version field, the height, then the output.
        w.Put(uint32_t{0});
        w.Put(static_cast<uint32_t>(coin.height));
        w.Put(coin.out);
    }
    return Formatted(rf, data, {});
}

// /rest/blockhashbyheight/<height>.<ext>
HttpResponse RestBlockHashByHeight(const Ctx& ctx, std::string_view uri_part)
{
    std::string height_str;
    const RestFormat rf = ParseDataFormat(height_str, uri_part);
    const auto height = ToIntegral<int32_t>(height_str);
    if (!height || *height < 0) {
        return RestError(HTTP_BAD_REQUEST, "Invalid height: " + SanitizeUri(height_str));
    }
    const auto info = ctx.chain.GetBlockInfoAtHeight(*height);
    if (!info) return RestError(HTTP_NOT_FOUND, "Block height out of range");
    switch (rf) {
    case RestFormat::BINARY:
        return BinaryReply(consensus::Encode(info->hash));
    case RestFormat::HEX:
        return Reply(HTTP_OK, "text/plain", info->hash.GetHex() + "\n");
    case RestFormat::JSON: {
        Json result = Json::object();
        result["blockhash"] = info->hash.GetHex();
        return JsonReply(result);
    }
    case RestFormat::UNDEF:
        break;
    }
    return FormatNotFound();
}

// /rest/deploymentinfo[/<hash>].json, through the getdeploymentinfo method.
HttpResponse RestDeploymentInfo(const Ctx& ctx, std::string_view uri_part)
{
    std::string hash_str;
    const RestFormat rf = ParseDataFormat(hash_str, uri_part);
    if (rf != RestFormat::JSON) return FormatNotFound(true);
    const Method* method = ctx.table ? ctx.table->Find("getdeploymentinfo") : nullptr;
    if (!method) return Reply(HTTP_NOT_FOUND, "text/plain", "");
    Json params = Json::array();
    if (!hash_str.empty()) {
        const auto hash = ParseHash(hash_str);
        if (!hash) return RestError(HTTP_BAD_REQUEST, "Invalid hash: " + hash_str);
        if (!ctx.chain.GetBlockInfo(*hash)) return RestError(HTTP_BAD_REQUEST, "Block not found");
        params.push_back(hash_str);
    }
    const Context context{};
    Result result = method->Invoke(params, context);
    if (!result) return RestError(HTTP_INTERNAL_SERVER_ERROR, result.error().message);
    return JsonReply(result.value());
}

// Block filters are not indexed (no -blockfilterindex): Core's answers without the index.
HttpResponse RestBlockFilter(std::string_view uri_part, bool headers, const HttpRequest& request)
{
    std::string param;
    ParseDataFormat(param, uri_part);
    const auto parts = util::SplitString(param, '/');
    std::string hash_str;
    if (headers) {
        std::string raw_count;
        if (parts.size() == 3) {
            raw_count = parts[1];
            hash_str = parts[2];
        } else if (parts.size() == 2) {
            hash_str = parts[1];
            auto count = GetQueryParameter(request.target, "count");
            if (!count) return RestError(HTTP_BAD_REQUEST, count.error().message);
            raw_count = count->value_or("5");
        } else {
            return RestError(
                HTTP_BAD_REQUEST,
                "Invalid URI format. Expected "
                "/rest/blockfilterheaders/<filtertype>/<blockhash>.<ext>?count=<count>");
        }
        const auto count = ToIntegral<size_t>(raw_count);
        if (!count || *count < 1 || *count > MAX_REST_HEADERS_RESULTS) {
            return RestError(HTTP_BAD_REQUEST,
                             "Header count is invalid or out of acceptable range (1-" +
                                 std::to_string(MAX_REST_HEADERS_RESULTS) + "): " + raw_count);
        }
    } else {
        if (parts.size() != 2) {
            return RestError(HTTP_BAD_REQUEST, "Invalid URI format. Expected "
                                               "/rest/blockfilter/<filtertype>/<blockhash>");
        }
        hash_str = parts[1];
    }
    if (!ParseHash(hash_str)) return RestError(HTTP_BAD_REQUEST, "Invalid hash: " + hash_str);
    if (parts[0] != "basic") return RestError(HTTP_BAD_REQUEST, "Unknown filtertype " + parts[0]);
    return RestError(HTTP_BAD_REQUEST, "Index is not enabled for filtertype " + parts[0]);
}

using RestFn = HttpResponse (*)(const Ctx&, std::string_view);

struct Route
{
    std::string_view prefix;
    RestFn fn;
};

// Core's table, in Core's order: the first matching prefix wins.
constexpr Route ROUTES[]{
    {"/rest/tx/", RestTx},
    {"/rest/block/notxdetails/",
     [](const Ctx& c, std::string_view p) { return RestBlock(c, p, 1); }},
    {"/rest/block/", [](const Ctx& c, std::string_view p) { return RestBlock(c, p, 3); }},
    {"/rest/blockfilter/",
     [](const Ctx& c, std::string_view p) { return RestBlockFilter(p, false, c.request); }},
    {"/rest/blockfilterheaders/",
     [](const Ctx& c, std::string_view p) { return RestBlockFilter(p, true, c.request); }},
    {"/rest/chaininfo", RestChainInfo},
    {"/rest/mempool/", RestMempool},
    {"/rest/headers/", RestHeaders},
    {"/rest/getutxos", RestGetUtxos},
    {"/rest/deploymentinfo/", RestDeploymentInfo},
    {"/rest/deploymentinfo", RestDeploymentInfo},
    {"/rest/blockhashbyheight/", RestBlockHashByHeight},
    {"/rest/spenttxouts/", RestSpentTxOuts},
};

bool IsUriChar(char c)
{
    static constexpr std::string_view ALLOWED{"-._~!$&'()*+,;=:@/?"};
    return std::isalnum(static_cast<unsigned char>(c)) || ALLOWED.find(c) != std::string_view::npos;
}

HttpResponse Serve(const HttpRequest& request, const Services& services, const MethodTable* table,
                   const struct Route& route)
{
    std::string status;
    if (table && table->InWarmup(&status)) {
        return RestError(HTTP_SERVICE_UNAVAILABLE, "Service temporarily unavailable: " + status);
    }
    if (!services.chain) return RestError(HTTP_INTERNAL_SERVER_ERROR, "Chain not available");
    const Ctx ctx{request, services, table, *services.chain};
    return route.fn(ctx, std::string_view{request.target}.substr(route.prefix.size()));
}

} // namespace

RestFormat ParseDataFormat(std::string& param, std::string_view uri_part)
{
    param = std::string{uri_part.substr(0, uri_part.rfind('?'))};
    const size_t dot = param.rfind('.');
    if (dot == std::string::npos) return RestFormat::UNDEF;
    const std::string_view suffix = std::string_view{param}.substr(dot + 1);
    RestFormat rf = RestFormat::UNDEF;
    if (suffix == "bin") rf = RestFormat::BINARY;
    if (suffix == "hex") rf = RestFormat::HEX;
    if (suffix == "json") rf = RestFormat::JSON;
    if (rf != RestFormat::UNDEF) param.erase(dot);
    return rf;
}

util::Expected<std::optional<std::string>> GetQueryParameter(std::string_view target,
                                                             std::string_view key)
{
    for (size_t i = 0; i < target.size(); ++i) {
        const char c = target[i];
        if (c == '%') {
            if (i + 2 >= target.size() || util::HexDigit(target[i + 1]) < 0 ||
                util::HexDigit(target[i + 2]) < 0) {
                return util::Unexpected(
                    "URI parsing failed, it likely contained RFC 3986 invalid characters");
            }
        } else if (!IsUriChar(c)) {
            return util::Unexpected(
                "URI parsing failed, it likely contained RFC 3986 invalid characters");
        }
    }
    const size_t q = target.find('?');
    if (q == std::string_view::npos) return std::optional<std::string>{};
    for (const std::string& pair : util::SplitString(target.substr(q + 1), '&')) {
        const size_t eq = pair.find('=');
        const std::string name = pair.substr(0, eq);
        if (name != key) continue;
        const std::string raw = eq == std::string::npos ? "" : pair.substr(eq + 1);
        std::string value;
        for (size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] == '%' && i + 2 < raw.size()) {
                value.push_back(static_cast<char>(util::HexDigit(raw[i + 1]) * 16 +
                                                  util::HexDigit(raw[i + 2])));
                i += 2;
            } else {
                value.push_back(raw[i]);
            }
        }
        return std::optional<std::string>{value};
    }
    return std::optional<std::string>{};
}

util::Expected<GetUtxosQuery> ParseGetUtxosPath(std::string_view param)
{
    GetUtxosQuery query;
    if (param.size() <= 1) return util::Unexpected("Error: empty request");
    const auto parts = util::SplitString(param.substr(1), '/');
    size_t first = 0;
    if (!parts.empty() && parts[0] == "checkmempool") {
        query.check_mempool = true;
        first = 1;
    }
    for (size_t i = first; i < parts.size(); ++i) {
        const auto txid_out = util::SplitString(parts[i], '-');
        if (txid_out.size() != 2) return util::Unexpected("Parse error");
        const auto txid = consensus::Uint256::FromHex(txid_out[0]);
        const auto n = ToIntegral<uint32_t>(txid_out[1]);
        if (!txid || !n) return util::Unexpected("Parse error");
        query.outpoints.push_back(consensus::OutPoint{*txid, *n});
    }
    if (query.outpoints.empty()) return util::Unexpected("Error: empty request");
    return query;
}

util::Expected<GetUtxosQuery> ParseGetUtxosBody(std::span<const uint8_t> body)
{
    try {
        consensus::Reader r{body};
        GetUtxosQuery query;
        query.check_mempool = consensus::ReadLE<uint8_t>(r) != 0;
        const uint64_t n = consensus::ReadCompactSize(r);
        // Each outpoint takes 36 bytes: refuse a count the body cannot hold before allocating.
        if (n > r.Remaining() / consensus::OutPoint::SIZE) return util::Unexpected("Parse error");
        query.outpoints.resize(n);
        for (auto& outpoint : query.outpoints)
            r.Get(outpoint);
        return query;
    } catch (const consensus::DecodeError&) {
        return util::Unexpected("Parse error");
    }
}

std::vector<uint8_t> UtxoBitmap(const std::vector<bool>& hits)
{
    std::vector<uint8_t> bitmap((hits.size() + 7) / 8);
    for (size_t i = 0; i < hits.size(); ++i) {
        if (hits[i]) bitmap[i / 8] |= static_cast<uint8_t>(1u << (i % 8));
    }
    return bitmap;
}

std::vector<uint8_t> ParseHexBody(std::string_view text)
{
    std::vector<uint8_t> out;
    size_t i = 0;
    while (i < text.size()) {
        if (std::isspace(static_cast<unsigned char>(text[i]))) {
            ++i;
            continue;
        }
        if (i + 1 >= text.size()) return {};
        const int hi = util::HexDigit(text[i]);
        const int lo = util::HexDigit(text[i + 1]);
        if (hi < 0 || lo < 0) return {};
        out.push_back(static_cast<uint8_t>(hi << 4 | lo));
        i += 2;
    }
    return out;
}

HttpResponse HandleRest(const HttpRequest& request, const Services& services,
                        const MethodTable* table)
{
    for (const auto& route : ROUTES) {
        if (std::string_view{request.target}.starts_with(route.prefix)) {
            return Serve(request, services, table, route);
        }
    }
    return Reply(HTTP_NOT_FOUND, "text/plain", "");
}

void RegisterRestHandlers(HttpServer& server, const Services& services, const MethodTable* table)
{
    for (const auto& route : ROUTES) {
        server.RegisterHandler(std::string{route.prefix}, HandlerOptions{},
                               [&services, table, &route](const HttpRequest& request) {
                                   return Serve(request, services, table, route);
                               });
    }
}

} // namespace rpc
