// control: stop, uptime, logging, getrpcinfo, getmemoryinfo (help and echo are builtins
// of the MethodTable).
#include <rpc/dispatch.h>
#include <rpc/register.h>
#include <rpc/services.h>
#include <rpc/util.h>

#include <util/logging.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <malloc.h>
#include <thread>

namespace rpc {

namespace {

Method Stop(const Services& services)
{
    return Method{
        "stop",
        "control",
        "Ask the node to shut down; it stops after answering.",
        {
            {"wait",
             ArgType::NUM,
             ArgOptional::OMITTED,
             "Milliseconds to wait before answering",
             {},
             ArgOptions{.hidden = true}},
        },
        {ResultDoc{ResultType::STR, "", "A string saying that the node is stopping"}},
        HelpExampleCli("stop", "") + HelpExampleRpc("stop", ""),
        [&services](const Request& request) -> Result {
            // Signalled before answering, as Core does; the HTTP server still finishes this
            // reply before it closes.
            if (services.request_shutdown) services.request_shutdown();
            if (request.HasArg("wait")) {
                std::this_thread::sleep_for(
                    std::chrono::milliseconds{request.Arg("wait").get<int64_t>()});
            }
            return Json("minibit stopping");
        },
    };
}

Method Uptime(const Services& services)
{
    return Method{
        "uptime",
        "control",
        "Seconds since the node started.",
        {},
        {ResultDoc{ResultType::NUM, "", "The number of seconds that the server has been running"}},
        HelpExampleCli("uptime", "") + HelpExampleRpc("uptime", ""),
        [&services](const Request&) -> Result {
            const auto elapsed = std::chrono::steady_clock::now() - services.start_time;
            return Json(std::chrono::duration_cast<std::chrono::seconds>(elapsed).count());
        },
    };
}

Method Logging(const Services& services)
{
    return Method{
        "logging",
        "control",
        "Show which debug log categories are on, after optionally turning some on or off.\n"
        "With no arguments, nothing changes. Categories in \"include\" are turned on first, "
        "then those in \"exclude\" are turned off. \"all\" and \"1\" stand for every category; "
        "\"none\" and \"0\" for none.\n"
        "Known categories: " +
            [] {
                std::string names;
                for (const auto& name : util::LogCategoryNames()) {
                    if (!names.empty()) names += ", ";
                    names += name;
                }
                return names;
            }(),
        {
            {"include",
             ArgType::ARR,
             ArgOptional::OMITTED,
             "Categories to turn on",
             {{"include_category", ArgType::STR, ArgOptional::OMITTED, "a log category"}}},
            {"exclude",
             ArgType::ARR,
             ArgOptional::OMITTED,
             "Categories to turn off",
             {{"exclude_category", ArgType::STR, ArgOptional::OMITTED, "a log category"}}},
        },
        {ResultDoc{ResultType::OBJ_DYN,
                   "",
                   "Each category with whether it is on",
                   {ResultDoc{ResultType::BOOL, "category", "whether debug logging is on"}}}},
        HelpExampleCli("logging", "\"[\\\"all\\\"]\" \"[\\\"http\\\"]\"") +
            HelpExampleRpc("logging", "[\"all\"], [\"libevent\"]"),
        [&services](const Request& request) -> Result {
            util::Logger* logger = services.logger;
            if (!logger) ThrowRpc(RPC_MISC_ERROR, "Logging is not available");
            // Check every name before changing anything, so a bad call changes nothing.
            for (const char* key : {"include", "exclude"}) {
                for (const Json& name :
                     request.Arg(key).is_array() ? request.Arg(key) : Json::array()) {
                    if (!name.is_string()) {
                        ThrowRpc(RPC_TYPE_ERROR, "JSON value of type " +
                                                     std::string{JsonTypeName(name)} +
                                                     " is not of expected type string");
                    }
                    const std::string text = name.get<std::string>();
                    if (text == "0" || text == "none") continue;
                    if (!util::ParseLogCategory(text)) {
                        ThrowRpc(RPC_INVALID_PARAMETER, "unknown logging category " + text);
                    }
                }
            }
            for (const Json& name :
                 request.Arg("include").is_array() ? request.Arg("include") : Json::array()) {
                const std::string text = name.get<std::string>();
                if (text != "0" && text != "none") logger->EnableCategory(text);
            }
            for (const Json& name :
                 request.Arg("exclude").is_array() ? request.Arg("exclude") : Json::array()) {
                const std::string text = name.get<std::string>();
                if (text != "0" && text != "none") logger->DisableCategory(text);
            }
            Json result = Json::object();
            for (const auto& name : util::LogCategoryNames()) {
                result[name] = logger->IsCategoryEnabled(name).value_or(false);
            }
            return result;
        },
    };
}

Method GetRpcInfo(const MethodTable& table, const Services& services)
{
    return Method{
        "getrpcinfo",
        "control",
        "Details of the RPC server: the calls running now and where the log goes.",
        {},
        {ResultDoc{
            ResultType::OBJ,
            "",
            "",
            {
                ResultDoc{ResultType::ARR,
                          "active_commands",
                          "The calls being executed",
                          {ResultDoc{ResultType::OBJ,
                                     "",
                                     "One call",
                                     {
                                         ResultDoc{ResultType::STR, "method", "The method name"},
                                         ResultDoc{ResultType::NUM, "duration",
                                                   "Microseconds it has been running"},
                                     }}}},
                ResultDoc{ResultType::STR, "logpath", "Absolute path of the debug log"},
            }}},
        HelpExampleCli("getrpcinfo", "") + HelpExampleRpc("getrpcinfo", ""),
        [&table, &services](const Request&) -> Result {
            Json active = Json::array();
            const auto now = std::chrono::steady_clock::now();
            for (const ActiveCommand& command : table.ActiveCommands()) {
                active.push_back(Json{
                    {"method", command.method},
                    {"duration",
                     std::chrono::duration_cast<std::chrono::microseconds>(now - command.start)
                         .count()},
                });
            }
            return Json{{"active_commands", std::move(active)},
                        {"logpath", services.log_path.string()}};
        },
    };
}

// glibc's malloc_info XML, as Core's "mallocinfo" mode returns it.
std::string MallocInfo()
{
    char* buffer = nullptr;
    size_t size = 0;
    std::FILE* stream = open_memstream(&buffer, &size);
    if (!stream) return "";
    malloc_info(0, stream);
    std::fclose(stream);
    std::string text{buffer, size};
    std::free(buffer);
    return text;
}

Method GetMemoryInfo()
{
    return Method{
        "getmemoryinfo",
        "control",
        "Memory use of the node. The locked pool holds secrets the wallet keeps out of swap; "
        "it is empty until the wallet uses it.",
        {
            {"mode", ArgType::STR, Json("stats"),
             "\"stats\" for general statistics, \"mallocinfo\" for glibc's malloc_info XML"},
        },
        {
            ResultDoc{"mode \"stats\"",
                      ResultType::OBJ,
                      "",
                      "",
                      {ResultDoc{ResultType::OBJ,
                                 "locked",
                                 "The locked memory pool",
                                 {
                                     ResultDoc{ResultType::NUM, "used", "Bytes in use"},
                                     ResultDoc{ResultType::NUM, "free", "Bytes free"},
                                     ResultDoc{ResultType::NUM, "total", "Bytes in all"},
                                     ResultDoc{ResultType::NUM, "locked",
                                               "Bytes that were locked into RAM"},
                                     ResultDoc{ResultType::NUM, "chunks_used", "Chunks in use"},
                                     ResultDoc{ResultType::NUM, "chunks_free", "Chunks free"},
                                 }}}},
            ResultDoc{"mode \"mallocinfo\"", ResultType::STR, "", "\"<malloc version=\"1\">...\""},
        },
        HelpExampleCli("getmemoryinfo", "") + HelpExampleRpc("getmemoryinfo", ""),
        [](const Request& request) -> Result {
            const std::string mode = request.Arg("mode").get<std::string>();
            if (mode == "stats") {
                return Json{{"locked", Json{{"used", 0},
                                            {"free", 0},
                                            {"total", 0},
                                            {"locked", 0},
                                            {"chunks_used", 0},
                                            {"chunks_free", 0}}}};
            }
            if (mode == "mallocinfo") return Json(MallocInfo());
            ThrowRpc(RPC_INVALID_PARAMETER, "unknown mode " + mode);
        },
    };
}

} // namespace

void RegisterControlMethods(MethodTable& table, const Services& services)
{
    table.Register(Stop(services));
    table.Register(Uptime(services));
    table.Register(Logging(services));
    table.Register(GetRpcInfo(table, services));
    table.Register(GetMemoryInfo());
}

} // namespace rpc
