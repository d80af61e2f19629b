#include <consensus/script/script.h>

namespace consensus {

std::string GetOpName(Opcode op)
{
    switch (op) {
    case OP_0:
        return "0";
    case OP_PUSHDATA1:
        return "OP_PUSHDATA1";
    case OP_PUSHDATA2:
        return "OP_PUSHDATA2";
    case OP_PUSHDATA4:
        return "OP_PUSHDATA4";
    case OP_1NEGATE:
        return "-1";
    case OP_RESERVED:
        return "OP_RESERVED";
    case OP_NOP:
        return "OP_NOP";
    case OP_VER:
        return "OP_VER";
    case OP_IF:
        return "OP_IF";
    case OP_NOTIF:
        return "OP_NOTIF";
    case OP_VERIF:
        return "OP_VERIF";
    case OP_VERNOTIF:
        return "OP_VERNOTIF";
    case OP_ELSE:
        return "OP_ELSE";
    case OP_ENDIF:
        return "OP_ENDIF";
    case OP_VERIFY:
        return "OP_VERIFY";
    case OP_RETURN:
        return "OP_RETURN";
    case OP_TOALTSTACK:
        return "OP_TOALTSTACK";
    case OP_FROMALTSTACK:
        return "OP_FROMALTSTACK";
    case OP_2DROP:
        return "OP_2DROP";
    case OP_2DUP:
        return "OP_2DUP";
    case OP_3DUP:
        return "OP_3DUP";
    case OP_2OVER:
        return "OP_2OVER";
    case OP_2ROT:
        return "OP_2ROT";
    case OP_2SWAP:
        return "OP_2SWAP";
    case OP_IFDUP:
        return "OP_IFDUP";
    case OP_DEPTH:
        return "OP_DEPTH";
    case OP_DROP:
        return "OP_DROP";
    case OP_DUP:
        return "OP_DUP";
    case OP_NIP:
        return "OP_NIP";
    case OP_OVER:
        return "OP_OVER";
    case OP_PICK:
        return "OP_PICK";
    case OP_ROLL:
        return "OP_ROLL";
    case OP_ROT:
        return "OP_ROT";
    case OP_SWAP:
        return "OP_SWAP";
    case OP_TUCK:
        return "OP_TUCK";
    case OP_CAT:
        return "OP_CAT";
    case OP_SUBSTR:
        return "OP_SUBSTR";
    case OP_LEFT:
        return "OP_LEFT";
    case OP_RIGHT:
        return "OP_RIGHT";
    case OP_SIZE:
        return "OP_SIZE";
    case OP_INVERT:
        return "OP_INVERT";
    case OP_AND:
        return "OP_AND";
    case OP_OR:
        return "OP_OR";
    case OP_XOR:
        return "OP_XOR";
    case OP_EQUAL:
        return "OP_EQUAL";
    case OP_EQUALVERIFY:
        return "OP_EQUALVERIFY";
    case OP_RESERVED1:
        return "OP_RESERVED1";
    case OP_RESERVED2:
        return "OP_RESERVED2";
    case OP_1ADD:
        return "OP_1ADD";
    case OP_1SUB:
        return "OP_1SUB";
    case OP_2MUL:
        return "OP_2MUL";
    case OP_2DIV:
        return "OP_2DIV";
    case OP_NEGATE:
        return "OP_NEGATE";
    case OP_ABS:
        return "OP_ABS";
    case OP_NOT:
        return "OP_NOT";
    case OP_0NOTEQUAL:
        return "OP_0NOTEQUAL";
    case OP_ADD:
        return "OP_ADD";
    case OP_SUB:
        return "OP_SUB";
    case OP_MUL:
        return "OP_MUL";
    case OP_DIV:
        return "OP_DIV";
    case OP_MOD:
        return "OP_MOD";
    case OP_LSHIFT:
        return "OP_LSHIFT";
    case OP_RSHIFT:
        return "OP_RSHIFT";
    case OP_BOOLAND:
        return "OP_BOOLAND";
    case OP_BOOLOR:
        return "OP_BOOLOR";
    case OP_NUMEQUAL:
        return "OP_NUMEQUAL";
    case OP_NUMEQUALVERIFY:
        return "OP_NUMEQUALVERIFY";
    case OP_NUMNOTEQUAL:
        return "OP_NUMNOTEQUAL";
    case OP_LESSTHAN:
        return "OP_LESSTHAN";
    case OP_GREATERTHAN:
        return "OP_GREATERTHAN";
    case OP_LESSTHANOREQUAL:
        return "OP_LESSTHANOREQUAL";
    case OP_GREATERTHANOREQUAL:
        return "OP_GREATERTHANOREQUAL";
    case OP_MIN:
        return "OP_MIN";
    case OP_MAX:
        return "OP_MAX";
    case OP_WITHIN:
        return "OP_WITHIN";
    case OP_RIPEMD160:
        return "OP_RIPEMD160";
    case OP_SHA1:
        return "OP_SHA1";
    case OP_SHA256:
        return "OP_SHA256";
    case OP_HASH160:
        return "OP_HASH160";
    case OP_HASH256:
        return "OP_HASH256";
    case OP_CODESEPARATOR:
        return "OP_CODESEPARATOR";
    case OP_CHECKSIG:
        return "OP_CHECKSIG";
    case OP_CHECKSIGVERIFY:
        return "OP_CHECKSIGVERIFY";
    case OP_CHECKMULTISIG:
        return "OP_CHECKMULTISIG";
    case OP_CHECKMULTISIGVERIFY:
        return "OP_CHECKMULTISIGVERIFY";
    case OP_NOP1:
        return "OP_NOP1";
    case OP_CHECKLOCKTIMEVERIFY:
        return "OP_CHECKLOCKTIMEVERIFY";
    case OP_CHECKSEQUENCEVERIFY:
        return "OP_CHECKSEQUENCEVERIFY";
    case OP_NOP4:
        return "OP_NOP4";
    case OP_NOP5:
        return "OP_NOP5";
    case OP_NOP6:
        return "OP_NOP6";
    case OP_NOP7:
        return "OP_NOP7";
    case OP_NOP8:
        return "OP_NOP8";
    case OP_NOP9:
        return "OP_NOP9";
    case OP_NOP10:
        return "OP_NOP10";
    case OP_CHECKSIGADD:
        return "OP_CHECKSIGADD";
    case OP_INVALIDOPCODE:
        return "OP_INVALIDOPCODE";
    default:
        if (op >= OP_1 && op <= OP_16) return std::to_string(DecodeOpN(op));
        return "OP_UNKNOWN";
    }
}

Script& Script::operator<<(Opcode op)
{
    m_bytes.push_back(op);
    return *this;
}

Script& Script::operator<<(std::span<const uint8_t> data)
{
    const size_t n = data.size();
    if (n < OP_PUSHDATA1) {
        m_bytes.push_back(static_cast<uint8_t>(n));
    } else if (n <= 0xff) {
        m_bytes.push_back(OP_PUSHDATA1);
        m_bytes.push_back(static_cast<uint8_t>(n));
    } else if (n <= 0xffff) {
        m_bytes.push_back(OP_PUSHDATA2);
        m_bytes.push_back(static_cast<uint8_t>(n));
        m_bytes.push_back(static_cast<uint8_t>(n >> 8));
    } else {
        m_bytes.push_back(OP_PUSHDATA4);
        for (int i = 0; i < 4; ++i)
            m_bytes.push_back(static_cast<uint8_t>(n >> (8 * i)));
    }
    m_bytes.insert(m_bytes.end(), data.begin(), data.end());
    return *this;
}

Script& Script::PushInt(int64_t n)
{
    if (n == -1 || (n >= 1 && n <= 16)) {
        m_bytes.push_back(static_cast<uint8_t>(n + (OP_1 - 1)));
    } else if (n == 0) {
        m_bytes.push_back(OP_0);
    } else {
        *this << EncodeNum(n);
    }
    return *this;
}

Script& Script::Append(std::span<const uint8_t> raw)
{
    m_bytes.insert(m_bytes.end(), raw.begin(), raw.end());
    return *this;
}

std::vector<uint8_t> Script::EncodeNum(int64_t n)
{
    std::vector<uint8_t> out;
    if (n == 0) return out;
    const bool negative = n < 0;
    uint64_t abs = negative ? ~static_cast<uint64_t>(n) + 1 : static_cast<uint64_t>(n);
    while (abs) {
        out.push_back(static_cast<uint8_t>(abs & 0xff));
        abs >>= 8;
    }
    // The top bit carries the sign: add a byte when the magnitude already uses it.
    if (out.back() & 0x80) {
        out.push_back(negative ? 0x80 : 0x00);
    } else if (negative) {
        out.back() |= 0x80;
    }
    return out;
}

bool Script::GetOp(const_iterator& pc, Opcode& op, std::vector<uint8_t>* data) const
{
    op = OP_INVALIDOPCODE;
    if (data) data->clear();
    const auto end = m_bytes.end();
    if (pc >= end) return false;
    const uint8_t opcode = *pc++;
    if (opcode <= OP_PUSHDATA4) {
        size_t size = 0;
        if (opcode < OP_PUSHDATA1) {
            size = opcode;
        } else {
            const size_t len_bytes = opcode == OP_PUSHDATA1 ? 1 : (opcode == OP_PUSHDATA2 ? 2 : 4);
            if (static_cast<size_t>(end - pc) < len_bytes) return false;
            for (size_t i = 0; i < len_bytes; ++i)
                size |= static_cast<size_t>(pc[i]) << (8 * i);
            pc += static_cast<ptrdiff_t>(len_bytes);
        }
        if (static_cast<size_t>(end - pc) < size) return false;
        if (data) data->assign(pc, pc + static_cast<ptrdiff_t>(size));
        pc += static_cast<ptrdiff_t>(size);
    }
    op = static_cast<Opcode>(opcode);
    return true;
}

bool Script::IsPayToScriptHash() const
{
    return m_bytes.size() == 23 && m_bytes[0] == OP_HASH160 && m_bytes[1] == 0x14 &&
           m_bytes[22] == OP_EQUAL;
}

bool Script::IsPayToWitnessScriptHash() const
{
    return m_bytes.size() == 34 && m_bytes[0] == OP_0 && m_bytes[1] == 0x20;
}

bool Script::IsWitnessProgram(int& version, std::vector<uint8_t>& program) const
{
    if (m_bytes.size() < 4 || m_bytes.size() > 42) return false;
    if (m_bytes[0] != OP_0 && (m_bytes[0] < OP_1 || m_bytes[0] > OP_16)) return false;
    if (static_cast<size_t>(m_bytes[1]) + 2 != m_bytes.size()) return false;
    version = DecodeOpN(static_cast<Opcode>(m_bytes[0]));
    program.assign(m_bytes.begin() + 2, m_bytes.end());
    return true;
}

bool Script::IsPushOnly() const
{
    auto pc = begin();
    while (pc < end()) {
        Opcode op;
        if (!GetOp(pc, op)) return false;
        // As in Bitcoin Core, OP_RESERVED (0x50, below OP_16) passes this test.
        if (op > OP_16) return false;
    }
    return true;
}

bool Script::IsUnspendable() const
{
    return (!m_bytes.empty() && m_bytes[0] == OP_RETURN) || m_bytes.size() > MAX_SCRIPT_SIZE;
}

unsigned Script::GetSigOpCount(bool accurate) const
{
    unsigned n = 0;
    auto pc = begin();
    Opcode last = OP_INVALIDOPCODE;
    while (pc < end()) {
        Opcode op;
        if (!GetOp(pc, op)) break;
        if (op == OP_CHECKSIG || op == OP_CHECKSIGVERIFY) {
            ++n;
        } else if (op == OP_CHECKMULTISIG || op == OP_CHECKMULTISIGVERIFY) {
            if (accurate && last >= OP_1 && last <= OP_16) {
                n += static_cast<unsigned>(DecodeOpN(last));
            } else {
                n += MAX_PUBKEYS_PER_MULTISIG;
            }
        }
        last = op;
    }
    return n;
}

unsigned Script::GetP2SHSigOpCount(const Script& script_sig) const
{
    if (!IsPayToScriptHash()) return GetSigOpCount(true);
    // The redeem script is the last push; a non-push scriptSig yields 0.
    auto pc = script_sig.begin();
    std::vector<uint8_t> data;
    while (pc < script_sig.end()) {
        Opcode op;
        if (!script_sig.GetOp(pc, op, &data)) return 0;
        if (op > OP_16) return 0;
    }
    return Script{std::move(data)}.GetSigOpCount(true);
}

} // namespace consensus
