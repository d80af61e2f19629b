// Script: the byte code of locking and unlocking scripts, its opcodes, and the
// structural queries (templates, witness programs, sigop counts) that do not
// execute it. Execution lives in interpreter.h.
#pragma once

#include <consensus/serialize.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace consensus {

/// Largest element that may be pushed onto the stack.
inline constexpr size_t MAX_SCRIPT_ELEMENT_SIZE = 520;
/// Non-push opcodes allowed in one legacy/v0 script.
inline constexpr int MAX_OPS_PER_SCRIPT = 201;
/// Public keys allowed in one CHECKMULTISIG.
inline constexpr int MAX_PUBKEYS_PER_MULTISIG = 20;
/// Largest legacy/v0 script.
inline constexpr size_t MAX_SCRIPT_SIZE = 10'000;
/// Stack plus altstack items allowed during execution.
inline constexpr size_t MAX_STACK_SIZE = 1'000;
/// nLockTime values below this are heights, at or above it UNIX times.
inline constexpr uint32_t LOCKTIME_THRESHOLD = 500'000'000;

enum Opcode : uint8_t
{
    OP_0 = 0x00,
    OP_FALSE = OP_0,
    OP_PUSHDATA1 = 0x4c,
    OP_PUSHDATA2 = 0x4d,
    OP_PUSHDATA4 = 0x4e,
    OP_1NEGATE = 0x4f,
    OP_RESERVED = 0x50,
    OP_1 = 0x51,
    OP_TRUE = OP_1,
    OP_2,
    OP_3,
    OP_4,
    OP_5,
    OP_6,
    OP_7,
    OP_8,
    OP_9,
    OP_10,
    OP_11,
    OP_12,
    OP_13,
    OP_14,
    OP_15,
    OP_16 = 0x60,

    OP_NOP = 0x61,
    OP_VER = 0x62,
    OP_IF = 0x63,
    OP_NOTIF = 0x64,
    OP_VERIF = 0x65,
    OP_VERNOTIF = 0x66,
    OP_ELSE = 0x67,
    OP_ENDIF = 0x68,
    OP_VERIFY = 0x69,
    OP_RETURN = 0x6a,

    OP_TOALTSTACK = 0x6b,
    OP_FROMALTSTACK = 0x6c,
    OP_2DROP = 0x6d,
    OP_2DUP = 0x6e,
    OP_3DUP = 0x6f,
    OP_2OVER = 0x70,
    OP_2ROT = 0x71,
    OP_2SWAP = 0x72,
    OP_IFDUP = 0x73,
    OP_DEPTH = 0x74,
    OP_DROP = 0x75,
    OP_DUP = 0x76,
    OP_NIP = 0x77,
    OP_OVER = 0x78,
    OP_PICK = 0x79,
    OP_ROLL = 0x7a,
    OP_ROT = 0x7b,
    OP_SWAP = 0x7c,
    OP_TUCK = 0x7d,

    OP_CAT = 0x7e,
    OP_SUBSTR = 0x7f,
    OP_LEFT = 0x80,
    OP_RIGHT = 0x81,
    OP_SIZE = 0x82,

    OP_INVERT = 0x83,
    OP_AND = 0x84,
    OP_OR = 0x85,
    OP_XOR = 0x86,
    OP_EQUAL = 0x87,
    OP_EQUALVERIFY = 0x88,
    OP_RESERVED1 = 0x89,
    OP_RESERVED2 = 0x8a,

    OP_1ADD = 0x8b,
    OP_1SUB = 0x8c,
    OP_2MUL = 0x8d,
    OP_2DIV = 0x8e,
    OP_NEGATE = 0x8f,
    OP_ABS = 0x90,
    OP_NOT = 0x91,
    OP_0NOTEQUAL = 0x92,
    OP_ADD = 0x93,
    OP_SUB = 0x94,
    OP_MUL = 0x95,
    OP_DIV = 0x96,
    OP_MOD = 0x97,
    OP_LSHIFT = 0x98,
    OP_RSHIFT = 0x99,
    OP_BOOLAND = 0x9a,
    OP_BOOLOR = 0x9b,
    OP_NUMEQUAL = 0x9c,
    OP_NUMEQUALVERIFY = 0x9d,
    OP_NUMNOTEQUAL = 0x9e,
    OP_LESSTHAN = 0x9f,
    OP_GREATERTHAN = 0xa0,
    OP_LESSTHANOREQUAL = 0xa1,
    OP_GREATERTHANOREQUAL = 0xa2,
    OP_MIN = 0xa3,
    OP_MAX = 0xa4,
    OP_WITHIN = 0xa5,

    OP_RIPEMD160 = 0xa6,
    OP_SHA1 = 0xa7,
    OP_SHA256 = 0xa8,
    OP_HASH160 = 0xa9,
    OP_HASH256 = 0xaa,
    OP_CODESEPARATOR = 0xab,
    OP_CHECKSIG = 0xac,
    OP_CHECKSIGVERIFY = 0xad,
    OP_CHECKMULTISIG = 0xae,
    OP_CHECKMULTISIGVERIFY = 0xaf,

    OP_NOP1 = 0xb0,
    OP_CHECKLOCKTIMEVERIFY = 0xb1,
    OP_NOP2 = OP_CHECKLOCKTIMEVERIFY,
    OP_CHECKSEQUENCEVERIFY = 0xb2,
    OP_NOP3 = OP_CHECKSEQUENCEVERIFY,
    OP_NOP4 = 0xb3,
    OP_NOP5 = 0xb4,
    OP_NOP6 = 0xb5,
    OP_NOP7 = 0xb6,
    OP_NOP8 = 0xb7,
    OP_NOP9 = 0xb8,
    OP_NOP10 = 0xb9,

    OP_CHECKSIGADD = 0xba, // BIP342

    OP_INVALIDOPCODE = 0xff,
};

/// Name of an opcode as Bitcoin Core prints it ("OP_DUP", "0", "OP_UNKNOWN").
std::string GetOpName(Opcode op);

/// A script: a byte string that may or may not parse as opcodes.
class Script
{
public:
    using const_iterator = std::vector<uint8_t>::const_iterator;

    Script() = default;
    explicit Script(std::vector<uint8_t> bytes) : m_bytes{std::move(bytes)} {}
    Script(const uint8_t* begin, const uint8_t* end) : m_bytes(begin, end) {}

    const std::vector<uint8_t>& bytes() const { return m_bytes; }
    std::vector<uint8_t>& bytes() { return m_bytes; }
    size_t size() const { return m_bytes.size(); }
    bool empty() const { return m_bytes.empty(); }
    const uint8_t* data() const { return m_bytes.data(); }
    const_iterator begin() const { return m_bytes.begin(); }
    const_iterator end() const { return m_bytes.end(); }
    uint8_t operator[](size_t i) const { return m_bytes[i]; }
    std::span<const uint8_t> span() const { return m_bytes; }
    void clear() { m_bytes.clear(); }

    /// Appends an opcode.
    Script& operator<<(Opcode op);
    /// Appends a push of `data` with the smallest push opcode that can carry it.
    Script& operator<<(std::span<const uint8_t> data);
    Script& operator<<(const std::vector<uint8_t>& data)
    {
        return *this << std::span<const uint8_t>{data};
    }
    /// Appends a number the way the interpreter reads it (OP_0..OP_16, OP_1NEGATE or a minimal
    /// push).
    Script& PushInt(int64_t n);
    /// Appends raw bytes, no push opcode.
    Script& Append(std::span<const uint8_t> raw);

    /// Reads the opcode at pc and, for pushes, its data; false if the script is truncated there.
    bool GetOp(const_iterator& pc, Opcode& op, std::vector<uint8_t>* data = nullptr) const;

    /// OP_HASH160 <20 bytes> OP_EQUAL.
    bool IsPayToScriptHash() const;
    /// OP_0 <32 bytes>.
    bool IsPayToWitnessScriptHash() const;
    /// OP_n <2..40 bytes>; sets version (0..16) and program.
    bool IsWitnessProgram(int& version, std::vector<uint8_t>& program) const;
    /// Only push opcodes (OP_1NEGATE..OP_16 and data pushes), no OP_RESERVED, from start to end.
    bool IsPushOnly() const;
    /// Starts with OP_RETURN or is larger than MAX_SCRIPT_SIZE: provably unspendable.
    bool IsUnspendable() const;

    /// Legacy sigop count. accurate: CHECKMULTISIG after OP_1..OP_16 counts n, else 20.
    unsigned GetSigOpCount(bool accurate) const;
    /// P2SH sigops: counts the redeem script pushed last by script_sig (accurate).
    unsigned GetP2SHSigOpCount(const Script& script_sig) const;

    /// Minimal little-endian sign-magnitude encoding of n used by script numbers.
    static std::vector<uint8_t> EncodeNum(int64_t n);

    void Serialize(Writer& w) const { w.Put(m_bytes); }
    void Unserialize(Reader& r) { r.Get(m_bytes); }

    friend bool operator==(const Script&, const Script&) = default;
    friend auto operator<=>(const Script&, const Script&) = default;

private:
    std::vector<uint8_t> m_bytes;
};

/// Witness data for one input: a stack of byte strings.
struct ScriptWitness
{
    std::vector<std::vector<uint8_t>> stack;
    bool IsNull() const { return stack.empty(); }
    friend bool operator==(const ScriptWitness&, const ScriptWitness&) = default;
};

/// Converts OP_0..OP_16 to 0..16.
inline int DecodeOpN(Opcode op)
{
    return op == OP_0 ? 0 : static_cast<int>(op) - (OP_1 - 1);
}
/// Converts 0..16 to OP_0..OP_16.
inline Opcode EncodeOpN(int n)
{
    return n == 0 ? OP_0 : static_cast<Opcode>(OP_1 + n - 1);
}

} // namespace consensus
