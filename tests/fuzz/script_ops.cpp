// Structural script queries on arbitrary bytes: the opcode walk must stay in
// bounds and agree with IsPushOnly and the sigop counters.
#include <consensus/script/script.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

using namespace consensus;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const Script script{std::vector<uint8_t>(data, data + size)};

    bool push_only = true;
    bool truncated = false;
    unsigned sigops = 0;
    auto pc = script.begin();
    std::vector<uint8_t> push;
    while (pc < script.end()) {
        Opcode op;
        const auto before = pc;
        if (!script.GetOp(pc, op, &push)) {
            truncated = true;
            break;
        }
        if (pc <= before || pc > script.end()) std::abort();
        if (op <= OP_PUSHDATA4 && push.size() > static_cast<size_t>(pc - before)) std::abort();
        if (op > OP_PUSHDATA4 && !push.empty()) std::abort();
        if (op > OP_16) push_only = false;
        if (op == OP_CHECKSIG || op == OP_CHECKSIGVERIFY) ++sigops;
        (void)GetOpName(op);
    }
    if (script.IsPushOnly() != (push_only && !truncated)) std::abort();

    const unsigned accurate = script.GetSigOpCount(true);
    const unsigned inaccurate = script.GetSigOpCount(false);
    if (accurate > inaccurate || accurate < sigops) std::abort();
    (void)script.GetP2SHSigOpCount(script);

    int version = -1;
    std::vector<uint8_t> program;
    if (script.IsWitnessProgram(version, program)) {
        if (version < 0 || version > 16 || program.size() < 2 || program.size() > 40) std::abort();
    }
    (void)script.IsPayToScriptHash();
    (void)script.IsPayToWitnessScriptHash();
    (void)script.IsUnspendable();
    return 0;
}
