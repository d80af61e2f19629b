/*
 * Tests of the public C API, written in C so the header is proven usable from
 * C and the shared library is exercised exactly as an outside caller would.
 *
 * Vectors: the P2PKH and P2WPKH spends come from Bitcoin Core's
 * src/test/data/tx_valid.json (MIT, tests/data/core/COPYING.bitcoin-core); the
 * taproot transaction, its spent outputs and key-path signatures come from
 * BIP341's wallet test vectors (keyPathSpending, tests/data/bips/LICENSE).
 */
#include <minibitconsensus.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int g_failures = 0;
static int g_checks = 0;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        ++g_checks;                                                                                \
        if (!(cond)) {                                                                             \
            ++g_failures;                                                                          \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);               \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

typedef struct
{
    unsigned char* data;
    size_t size;
} Bytes;

static int HexVal(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static Bytes FromHex(const char* hex)
{
    Bytes b;
    const size_t len = strlen(hex);
    b.size = len / 2;
    b.data = malloc(b.size ? b.size : 1);
    if (!b.data || len % 2) abort();
    for (size_t i = 0; i < b.size; ++i) {
        const int hi = HexVal(hex[2 * i]), lo = HexVal(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) abort();
        b.data[i] = (unsigned char)(hi * 16 + lo);
    }
    return b;
}

static Bytes Copy(const Bytes* src, size_t extra)
{
    Bytes b;
    b.size = src->size + extra;
    b.data = calloc(b.size ? b.size : 1, 1);
    if (!b.data) abort();
    memcpy(b.data, src->data, src->size);
    return b;
}

static void Append(Bytes* b, const unsigned char* data, size_t n)
{
    unsigned char* grown = realloc(b->data, b->size + n);
    if (!grown) abort();
    b->data = grown;
    memcpy(b->data + b->size, data, n);
    b->size += n;
}

static size_t FindBytes(const Bytes* hay, const Bytes* needle)
{
    for (size_t i = 0; i + needle->size <= hay->size; ++i) {
        if (memcmp(hay->data + i, needle->data, needle->size) == 0) return i;
    }
    abort();
}

enum
{
    FLAGS_NO_SEGWIT =
        minibitconsensus_SCRIPT_FLAGS_VERIFY_ALL & ~(minibitconsensus_SCRIPT_FLAGS_VERIFY_WITNESS |
                                                     minibitconsensus_SCRIPT_FLAGS_VERIFY_TAPROOT),
    FLAGS_NO_TAPROOT =
        minibitconsensus_SCRIPT_FLAGS_VERIFY_ALL & ~minibitconsensus_SCRIPT_FLAGS_VERIFY_TAPROOT,
};

/* tx_valid.json: c99c49da..., P2PKH with a sighash type 0 signature. */
static const char* const P2PKH_SPK = "76a914dc44b1164188067c3a32d4780f5996fa14a4f2d988ac";
static const char* const P2PKH_TX =
    "01000000010276b76b07f4935c70acf54fbf1f438a4c397a9fb7e633873c4dd3bc062b6b40000000008c4930460221"
    "00d23459d03ed7e9511a47d13292d3430a04627de6235b6e51a40f9cd386f2abe3022100e7d25b080f0bb8d8d5f878"
    "bba7d54ad2fda650ea8d158a33ee3cbd11768191fd004104b0e2c879e4daf7b9ab68350228c159766676a14f581508"
    "4ba166432aab46198d4cca98fa3e9981d0a90b2effc514b76279476550ba3663fdcaff94c38420e9d5000000000100"
    "093d00000000001976a9149a7b0f3b80c6baaeedce0a0842553800f832ba1f88ac00000000";
/* Bytes inside the signature's r value. */
static const char* const P2PKH_SIG_PART = "d23459d03ed7e9511a47d132";

/* tx_valid.json: "Valid P2WPKH", spending 1000 satoshis. */
static const char* const P2WPKH_SPK = "00144c9c3dfac4207d5d8cb89df5722cb3d712385e3f";
static const int64_t P2WPKH_AMOUNT = 1000;
static const char* const P2WPKH_TX =
    "0100000000010100010000000000000000000000000000000000000000000000000000000000000000000000ffffff"
    "ff01e8030000000000001976a9144c9c3dfac4207d5d8cb89df5722cb3d712385e3f88ac02483045022100cfb07164"
    "b36ba64c1b1e8c7720a56ad64d96f6ef332d3d37f9cb3c96477dc44502200a464cd7a9cf94cd70f66ce4f4f0625ef6"
    "50052c7afcfe29d7d7e01830ff91ed012103596d3451025c19dbbdeb932d6bf8bfb4ad499b95b6f88db8899efac102"
    "e5fc7100000000";

/* BIP341 wallet test vectors, keyPathSpending[0]. */
static const char* const BIP341_UNSIGNED_TX = "02000000097de20cbff686da83a54981d2b9bab3586f4ca7e48f"
                                              "57f5b55963115f3b334e9c010000000000000000d7b7"
                                              "cab57b1393ace2d064f4d4a2cb8af6def61273e127517d44759b"
                                              "6dafdd990000000000fffffffff8e1f5833843336892"
                                              "28c5d28eac13366be082dc57441760d957275419a41842000000"
                                              "0000fffffffff0689180aa63b30cb162a73c6d2a38b7"
                                              "eeda2a83ece74310fda0843ad604853b0100000000feffffffaa"
                                              "5202bdf6d8ccd2ee0f0202afbbb7461d9264a25e5bfd"
                                              "3c5a52ee1239e0ba6c0000000000feffffff956149bdc66faa96"
                                              "8eb2be2d2faa29718acbfe3941215893a2a3446d32ac"
                                              "d050000000000000000000e664b9773b88c09c32cb70a2a3e4da"
                                              "0ced63b7ba3b22f848531bbb1d5d5f4c940100000000"
                                              "00000000e9aa6b8e6c9de67619e6a3924ae25696bb7b694bb677"
                                              "a632a74ef7eadfd4eabf0000000000ffffffffa778eb"
                                              "6a263dc090464cd125c466b5a99667720b1c110468831d058aa1"
                                              "b82af10100000000ffffffff0200ca9a3b0000000019"
                                              "76a91406afd46bcdfd22ef94ac122aa11f241244a37ecc88ac80"
                                              "7840cb0000000020ac9a87f5594be208f8532db38cff"
                                              "670c450ed2fea8fcdefcc9a663f78bab962b0065cd1d";
static const char* const BIP341_SIGNED_TX =
    "020000000001097de20cbff686da83a54981d2b9bab3586f4ca7e48f57f5b55963115f3b334e9c0100000000000000"
    "00"
    "d7b7cab57b1393ace2d064f4d4a2cb8af6def61273e127517d44759b6dafdd990000000000fffffffff8e1f5833843"
    "33"
    "689228c5d28eac13366be082dc57441760d957275419a41842000000006b4830450221008f3b8f8f0537c420654d22"
    "83"
    "673a761b7ee2ea3c130753103e08ce79201cf32a022079e7ab904a1980ef1c5890b648c8783f4d10103dd62f740d13"
    "da"
    "a79e298d50c201210279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798fffffffff068"
    "91"
    "80aa63b30cb162a73c6d2a38b7eeda2a83ece74310fda0843ad604853b0100000000feffffffaa5202bdf6d8ccd2ee"
    "0f"
    "0202afbbb7461d9264a25e5bfd3c5a52ee1239e0ba6c0000000000feffffff956149bdc66faa968eb2be2d2faa2971"
    "8a"
    "cbfe3941215893a2a3446d32acd050000000000000000000e664b9773b88c09c32cb70a2a3e4da0ced63b7ba3b22f8"
    "48"
    "531bbb1d5d5f4c94010000000000000000e9aa6b8e6c9de67619e6a3924ae25696bb7b694bb677a632a74ef7eadfd4"
    "ea"
    "bf0000000000ffffffffa778eb6a263dc090464cd125c466b5a99667720b1c110468831d058aa1b82af10100000000"
    "ff"
    "ffffff0200ca9a3b000000001976a91406afd46bcdfd22ef94ac122aa11f241244a37ecc88ac807840cb0000000020"
    "ac"
    "9a87f5594be208f8532db38cff670c450ed2fea8fcdefcc9a663f78bab962b0141ed7c1647cb97379e76892be0cacf"
    "f5"
    "7ec4a7102aa24296ca39af7541246d8ff14d38958d4cc1e2e478e4d4a764bbfd835b16d4e314b72937b29833060b87"
    "27"
    "6c030141052aedffc554b41f52b521071793a6b88d6dbca9dba94cf34c83696de0c1ec35ca9c5ed4ab28059bd606a4"
    "f3"
    "a657eec0bb96661d42921b5f50a95ad33675b54f83000141ff45f742a876139946a149ab4d9185574b98dc919d2eb6"
    "75"
    "4f8abaa59d18b025637a3aa043b91817739554f4ed2026cf8022dbd83e351ce1fabc272841d2510a010140b4010dd4"
    "8a"
    "617db09926f729e79c33ae0b4e94b79f04a1ae93ede6315eb3669de185a17d2b0ac9ee09fd4c64b678a0b61a0a86fa"
    "88"
    "8a273c8511be83bfd6810f0247304402202b795e4de72646d76eab3f0ab27dfa30b810e856ff3a46c9a702df53bb0d"
    "8c"
    "c302203ccc4d822edab5f35caddb10af1be93583526ccfbade4b4ead350781e2f8adcd012102f9308a019258c31049"
    "34"
    "4f85f89d5229b531c845836f99b08601f113bce036f90141a3785919a2ce3c4ce26f298c3d51619bc474ae24014bcd"
    "d3"
    "1328cd8cfbab2eff3395fa0a16fe5f486d12f22a9cedded5ae74feb4bbe5351346508c5405bcfee0020141ea0c6ba9"
    "07"
    "63c2d3a296ad82ba45881abb4f426b3f87af162dd24d5109edc1cdd11915095ba47c3a9963dc1e6c432939872bc492"
    "12"
    "fe34c632cd3ab9fed429c4820141bbc9584a11074e83bc8c6759ec55401f0ae7b03ef290c3139814f545b58a9f8127"
    "25"
    "8000874f44bc46db7646322107d4d86aec8e73b8719a61fff761d75b5dd9810065cd1d";
static const struct
{
    int64_t value;
    const char* script_pubkey;
} BIP341_UTXOS[] = {
    {420000000, "512053a1f6e454df1aa2776a2814a721372d6258050de330b3c6d10ee8f4e0dda343"},
    {462000000, "5120147c9c57132f6e7ecddba9800bb0c4449251c92a1e60371ee77557b6620f3ea3"},
    {294000000, "76a914751e76e8199196d454941c45d1b3a323f1433bd688ac"},
    {504000000, "5120e4d810fd50586274face62b8a807eb9719cef49c04177cc6b76a9a4251d5450e"},
    {630000000, "512091b64d5324723a985170e4dc5a0f84c041804f2cd12660fa5dec09fc21783605"},
    {378000000, "00147dd65592d0ab2fe0d0257d571abf032cd9db93dc"},
    {672000000, "512075169f4001aa68f15bbed28b218df1d0a62cbbcf1188c6665110c293c907b831"},
    {546000000, "5120712447206d7a5238acc7ff53fbe94a3b64539ad291c7cdbc490b7577e4b17df5"},
    {588000000, "512077e30a5522dd9f894c3f8b8bd4c4b2cf82ca7da8a3ea6a239655c39c050ab220"},
};
static const struct
{
    unsigned txin_index;
    const char* witness_sig;
} BIP341_KEY_PATH[] = {
    {0, "ed7c1647cb97379e76892be0cacff57ec4a7102aa24296ca39af7541246d8ff14d38958d4cc1e2e478e4d4a764"
        "bbfd835b16d4e314b72937b29833060b87276c03"},
    {1, "052aedffc554b41f52b521071793a6b88d6dbca9dba94cf34c83696de0c1ec35ca9c5ed4ab28059bd606a4f3a6"
        "57eec0bb96661d42921b5f50a95ad33675b54f83"},
    {3, "ff45f742a876139946a149ab4d9185574b98dc919d2eb6754f8abaa59d18b025637a3aa043b91817739554f4ed"
        "2026cf8022dbd83e351ce1fabc272841d2510a01"},
    {4, "b4010dd48a617db09926f729e79c33ae0b4e94b79f04a1ae93ede6315eb3669de185a17d2b0ac9ee09fd4c64b6"
        "78a0b61a0a86fa888a273c8511be83bfd6810f"},
    {6, "a3785919a2ce3c4ce26f298c3d51619bc474ae24014bcdd31328cd8cfbab2eff3395fa0a16fe5f486d12f22a9c"
        "edded5ae74feb4bbe5351346508c5405bcfee002"},
    {7, "ea0c6ba90763c2d3a296ad82ba45881abb4f426b3f87af162dd24d5109edc1cdd11915095ba47c3a9963dc1e6c"
        "432939872bc49212fe34c632cd3ab9fed429c482"},
    {8, "bbc9584a11074e83bc8c6759ec55401f0ae7b03ef290c3139814f545b58a9f8127258000874f44bc46db764632"
        "2107d4d86aec8e73b8719a61fff761d75b5dd981"},
};

#define BIP341_INPUTS (sizeof(BIP341_UTXOS) / sizeof(BIP341_UTXOS[0]))
#define BIP341_KEY_PATHS (sizeof(BIP341_KEY_PATH) / sizeof(BIP341_KEY_PATH[0]))

static void TestVersion(void)
{
    CHECK(minibitconsensus_version() == MINIBITCONSENSUS_API_VER, "version %u",
          minibitconsensus_version());
}

static void TestP2pkh(void)
{
    Bytes spk = FromHex(P2PKH_SPK), tx = FromHex(P2PKH_TX);
    minibitconsensus_error err = (minibitconsensus_error)-1;

    CHECK(minibitconsensus_verify_script(spk.data, (unsigned)spk.size, tx.data, (unsigned)tx.size,
                                         0, FLAGS_NO_SEGWIT, &err) == 1,
          "valid P2PKH rejected");
    CHECK(err == minibitconsensus_ERR_OK, "err %d", (int)err);
    CHECK(minibitconsensus_verify_script_with_amount(spk.data, (unsigned)spk.size, 0, tx.data,
                                                     (unsigned)tx.size, 0, FLAGS_NO_TAPROOT,
                                                     &err) == 1,
          "valid P2PKH rejected with amount");
    minibitconsensus_utxo utxo = {spk.data, (unsigned)spk.size, 4000000};
    CHECK(minibitconsensus_verify_script_with_spent_outputs(
              spk.data, (unsigned)spk.size, 4000000, tx.data, (unsigned)tx.size, &utxo, 1, 0,
              minibitconsensus_SCRIPT_FLAGS_VERIFY_ALL, &err) == 1,
          "valid P2PKH rejected with spent outputs");
    /* err may be NULL. */
    CHECK(minibitconsensus_verify_script(spk.data, (unsigned)spk.size, tx.data, (unsigned)tx.size,
                                         0, FLAGS_NO_SEGWIT, NULL) == 1,
          "valid P2PKH rejected without err");

    /* One flipped bit of the signature: a clean script failure, not an error. */
    Bytes needle = FromHex(P2PKH_SIG_PART);
    Bytes bad = Copy(&tx, 0);
    bad.data[FindBytes(&bad, &needle) + 5] ^= 0x01;
    err = (minibitconsensus_error)-1;
    CHECK(minibitconsensus_verify_script(spk.data, (unsigned)spk.size, bad.data, (unsigned)bad.size,
                                         0, FLAGS_NO_SEGWIT, &err) == 0,
          "tampered P2PKH accepted");
    CHECK(err == minibitconsensus_ERR_OK, "err %d", (int)err);

    /* A different scriptPubKey (another key hash) fails too. */
    Bytes other_spk = Copy(&spk, 0);
    other_spk.data[5] ^= 0x80;
    CHECK(minibitconsensus_verify_script(other_spk.data, (unsigned)other_spk.size, tx.data,
                                         (unsigned)tx.size, 0, FLAGS_NO_SEGWIT, &err) == 0 &&
              err == minibitconsensus_ERR_OK,
          "P2PKH accepted for another key hash");

    free(spk.data);
    free(tx.data);
    free(needle.data);
    free(bad.data);
    free(other_spk.data);
}

static void TestP2wpkh(void)
{
    Bytes spk = FromHex(P2WPKH_SPK), tx = FromHex(P2WPKH_TX);
    minibitconsensus_error err = (minibitconsensus_error)-1;

    CHECK(minibitconsensus_verify_script_with_amount(spk.data, (unsigned)spk.size, P2WPKH_AMOUNT,
                                                     tx.data, (unsigned)tx.size, 0,
                                                     FLAGS_NO_TAPROOT, &err) == 1,
          "valid P2WPKH rejected");
    CHECK(err == minibitconsensus_ERR_OK, "err %d", (int)err);

    /* BIP143 signatures commit to the amount. */
    err = (minibitconsensus_error)-1;
    CHECK(minibitconsensus_verify_script_with_amount(spk.data, (unsigned)spk.size,
                                                     P2WPKH_AMOUNT - 1, tx.data, (unsigned)tx.size,
                                                     0, FLAGS_NO_TAPROOT, &err) == 0,
          "P2WPKH accepted with the wrong amount");
    CHECK(err == minibitconsensus_ERR_OK, "err %d", (int)err);

    minibitconsensus_utxo utxo = {spk.data, (unsigned)spk.size, P2WPKH_AMOUNT};
    CHECK(minibitconsensus_verify_script_with_spent_outputs(
              spk.data, (unsigned)spk.size, P2WPKH_AMOUNT, tx.data, (unsigned)tx.size, &utxo, 1, 0,
              minibitconsensus_SCRIPT_FLAGS_VERIFY_ALL, &err) == 1,
          "valid P2WPKH rejected with spent outputs");

    /* Without the WITNESS rule the witness program is anyone-can-spend. */
    CHECK(minibitconsensus_verify_script(spk.data, (unsigned)spk.size, tx.data, (unsigned)tx.size,
                                         0, FLAGS_NO_SEGWIT, &err) == 1,
          "P2WPKH rejected under pre-segwit rules");

    free(spk.data);
    free(tx.data);
}

/* Builds the spent-output array of the BIP341 transaction; scripts live in *storage. */
static minibitconsensus_utxo* Bip341Utxos(Bytes* storage)
{
    minibitconsensus_utxo* utxos = calloc(BIP341_INPUTS, sizeof(*utxos));
    if (!utxos) abort();
    for (size_t i = 0; i < BIP341_INPUTS; ++i) {
        storage[i] = FromHex(BIP341_UTXOS[i].script_pubkey);
        utxos[i].script_pubkey = storage[i].data;
        utxos[i].script_pubkey_size = (unsigned)storage[i].size;
        utxos[i].value = BIP341_UTXOS[i].value;
    }
    return utxos;
}

/* Signed transaction from the unsigned one plus one key-path witness per
 * listed input (empty witnesses elsewhere), in BIP144 encoding. */
static Bytes AssembleKeyPathTx(void)
{
    Bytes unsigned_tx = FromHex(BIP341_UNSIGNED_TX);
    Bytes tx = {NULL, 0};
    const unsigned char marker_flag[2] = {0x00, 0x01};
    Append(&tx, unsigned_tx.data, 4); /* version */
    Append(&tx, marker_flag, 2);
    Append(&tx, unsigned_tx.data + 4, unsigned_tx.size - 8); /* inputs and outputs */
    for (size_t i = 0; i < BIP341_INPUTS; ++i) {
        const unsigned char none = 0x00;
        size_t k = 0;
        while (k < BIP341_KEY_PATHS && BIP341_KEY_PATH[k].txin_index != i)
            ++k;
        if (k == BIP341_KEY_PATHS) {
            Append(&tx, &none, 1);
            continue;
        }
        Bytes sig = FromHex(BIP341_KEY_PATH[k].witness_sig);
        const unsigned char head[2] = {0x01, (unsigned char)sig.size};
        Append(&tx, head, 2);
        Append(&tx, sig.data, sig.size);
        free(sig.data);
    }
    Append(&tx, unsigned_tx.data + unsigned_tx.size - 4, 4); /* locktime */
    free(unsigned_tx.data);
    return tx;
}

static void TestTaprootKeyPath(void)
{
    Bytes scripts[BIP341_INPUTS];
    minibitconsensus_utxo* utxos = Bip341Utxos(scripts);
    Bytes tx = AssembleKeyPathTx();
    const unsigned all = minibitconsensus_SCRIPT_FLAGS_VERIFY_ALL;
    minibitconsensus_error err;

    for (size_t k = 0; k < BIP341_KEY_PATHS; ++k) {
        const unsigned n = BIP341_KEY_PATH[k].txin_index;
        const minibitconsensus_utxo* u = &utxos[n];
        err = (minibitconsensus_error)-1;
        CHECK(minibitconsensus_verify_script_with_spent_outputs(
                  u->script_pubkey, u->script_pubkey_size, u->value, tx.data, (unsigned)tx.size,
                  utxos, BIP341_INPUTS, n, all, &err) == 1,
              "key-path input %u rejected", n);
        CHECK(err == minibitconsensus_ERR_OK, "input %u err %d", n, (int)err);

        /* Without TAPROOT a v1 program is anyone-can-spend; the spent outputs are still accepted.
         */
        CHECK(minibitconsensus_verify_script_with_spent_outputs(
                  u->script_pubkey, u->script_pubkey_size, u->value, tx.data, (unsigned)tx.size,
                  utxos, BIP341_INPUTS, n, FLAGS_NO_TAPROOT, &err) == 1,
              "input %u rejected without TAPROOT", n);

        /* Flip one bit of this input's signature: find it in the assembled tx. */
        Bytes sig = FromHex(BIP341_KEY_PATH[k].witness_sig);
        Bytes bad = Copy(&tx, 0);
        bad.data[FindBytes(&bad, &sig) + 10] ^= 0x01;
        err = (minibitconsensus_error)-1;
        CHECK(minibitconsensus_verify_script_with_spent_outputs(
                  u->script_pubkey, u->script_pubkey_size, u->value, bad.data, (unsigned)bad.size,
                  utxos, BIP341_INPUTS, n, all, &err) == 0,
              "tampered key-path input %u accepted", n);
        CHECK(err == minibitconsensus_ERR_OK, "input %u err %d", n, (int)err);
        free(sig.data);
        free(bad.data);
    }

    /* Input 0 (SIGHASH_SINGLE, no ANYONECANPAY) commits to every spent amount. */
    utxos[1].value += 1;
    err = (minibitconsensus_error)-1;
    CHECK(minibitconsensus_verify_script_with_spent_outputs(
              utxos[0].script_pubkey, utxos[0].script_pubkey_size, utxos[0].value, tx.data,
              (unsigned)tx.size, utxos, BIP341_INPUTS, 0, all, &err) == 0,
          "taproot input accepted with another input's amount changed");
    CHECK(err == minibitconsensus_ERR_OK, "err %d", (int)err);
    utxos[1].value -= 1;

    /* Every input of the fully signed transaction (P2TR, P2PKH, P2WPKH) verifies. */
    Bytes signed_tx = FromHex(BIP341_SIGNED_TX);
    for (unsigned n = 0; n < BIP341_INPUTS; ++n) {
        const minibitconsensus_utxo* u = &utxos[n];
        err = (minibitconsensus_error)-1;
        CHECK(minibitconsensus_verify_script_with_spent_outputs(
                  u->script_pubkey, u->script_pubkey_size, u->value, signed_tx.data,
                  (unsigned)signed_tx.size, utxos, BIP341_INPUTS, n, all, &err) == 1 &&
                  err == minibitconsensus_ERR_OK,
              "signed tx input %u rejected (err %d)", n, (int)err);
    }

    free(signed_tx.data);
    free(tx.data);
    for (size_t i = 0; i < BIP341_INPUTS; ++i)
        free(scripts[i].data);
    free(utxos);
}

static void ExpectError(int result, minibitconsensus_error err, minibitconsensus_error want,
                        const char* what)
{
    CHECK(result == 0, "%s: returned %d", what, result);
    CHECK(err == want, "%s: err %d, want %d", what, (int)err, (int)want);
}

static void TestErrors(void)
{
    Bytes spk = FromHex(P2PKH_SPK), tx = FromHex(P2PKH_TX);
    const unsigned sz = (unsigned)spk.size, tz = (unsigned)tx.size;
    minibitconsensus_utxo utxo = {spk.data, sz, 0};
    minibitconsensus_error err;
    int r;

    /* Unknown flag bits, in every entry point. */
    const unsigned bad_flags[] = {1U << 1, 1U << 3, 1U << 16, 1U << 31,
                                  minibitconsensus_SCRIPT_FLAGS_VERIFY_ALL | (1U << 5)};
    for (size_t i = 0; i < sizeof(bad_flags) / sizeof(bad_flags[0]); ++i) {
        /* This entry point reports WITNESS (AMOUNT_REQUIRED) before anything else. */
        const unsigned no_witness =
            bad_flags[i] & ~(unsigned)minibitconsensus_SCRIPT_FLAGS_VERIFY_WITNESS;
        r = minibitconsensus_verify_script(spk.data, sz, tx.data, tz, 0, no_witness, &err);
        ExpectError(r, err, minibitconsensus_ERR_INVALID_FLAGS, "invalid flags");
        r = minibitconsensus_verify_script(
            spk.data, sz, tx.data, tz, 0,
            bad_flags[i] | minibitconsensus_SCRIPT_FLAGS_VERIFY_WITNESS, &err);
        ExpectError(r, err, minibitconsensus_ERR_AMOUNT_REQUIRED, "invalid flags with WITNESS");
        r = minibitconsensus_verify_script_with_amount(spk.data, sz, 0, tx.data, tz, 0,
                                                       bad_flags[i], &err);
        ExpectError(r, err, minibitconsensus_ERR_INVALID_FLAGS, "invalid flags (amount)");
        r = minibitconsensus_verify_script_with_spent_outputs(spk.data, sz, 0, tx.data, tz, &utxo,
                                                              1, 0, bad_flags[i], &err);
        ExpectError(r, err, minibitconsensus_ERR_INVALID_FLAGS, "invalid flags (spent outputs)");
    }

    /* WITNESS without P2SH is unsupported by the interpreter: an argument error. */
    r = minibitconsensus_verify_script_with_amount(
        spk.data, sz, 0, tx.data, tz, 0, minibitconsensus_SCRIPT_FLAGS_VERIFY_WITNESS, &err);
    ExpectError(r, err, minibitconsensus_ERR_INVALID_FLAGS, "WITNESS without P2SH");

    /* Input index out of range. */
    r = minibitconsensus_verify_script(spk.data, sz, tx.data, tz, 1, FLAGS_NO_SEGWIT, &err);
    ExpectError(r, err, minibitconsensus_ERR_TX_INDEX, "n_in == input count");
    r = minibitconsensus_verify_script(spk.data, sz, tx.data, tz, 0xffffffffU, FLAGS_NO_SEGWIT,
                                       &err);
    ExpectError(r, err, minibitconsensus_ERR_TX_INDEX, "n_in huge");

    /* Trailing bytes after a well-formed transaction. */
    Bytes longer = Copy(&tx, 1);
    r = minibitconsensus_verify_script(spk.data, sz, longer.data, tz + 1, 0, FLAGS_NO_SEGWIT, &err);
    ExpectError(r, err, minibitconsensus_ERR_TX_SIZE_MISMATCH, "trailing byte");

    /* Every strict prefix fails to decode cleanly. */
    for (unsigned len = 0; len < tz; ++len) {
        err = (minibitconsensus_error)-1;
        r = minibitconsensus_verify_script(spk.data, sz, tx.data, len, 0, FLAGS_NO_SEGWIT, &err);
        CHECK(r == 0 && err == minibitconsensus_ERR_TX_DESERIALIZE, "prefix %u: r %d err %d", len,
              r, (int)err);
    }
    r = minibitconsensus_verify_script(spk.data, sz, NULL, 0, 0, FLAGS_NO_SEGWIT, &err);
    ExpectError(r, err, minibitconsensus_ERR_TX_DESERIALIZE, "NULL tx");
    r = minibitconsensus_verify_script(spk.data, sz, NULL, 100, 0, FLAGS_NO_SEGWIT, &err);
    ExpectError(r, err, minibitconsensus_ERR_TX_DESERIALIZE, "NULL tx with a length");
    const unsigned char garbage[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    r = minibitconsensus_verify_script(spk.data, sz, garbage, 8, 0, FLAGS_NO_SEGWIT, &err);
    ExpectError(r, err, minibitconsensus_ERR_TX_DESERIALIZE, "garbage");

    /* WITNESS needs an amount. */
    r = minibitconsensus_verify_script(spk.data, sz, tx.data, tz, 0,
                                       minibitconsensus_SCRIPT_FLAGS_VERIFY_P2SH |
                                           minibitconsensus_SCRIPT_FLAGS_VERIFY_WITNESS,
                                       &err);
    ExpectError(r, err, minibitconsensus_ERR_AMOUNT_REQUIRED, "WITNESS without amount");

    /* TAPROOT needs spent outputs. */
    const unsigned tap = minibitconsensus_SCRIPT_FLAGS_VERIFY_P2SH |
                         minibitconsensus_SCRIPT_FLAGS_VERIFY_WITNESS |
                         minibitconsensus_SCRIPT_FLAGS_VERIFY_TAPROOT;
    r = minibitconsensus_verify_script(spk.data, sz, tx.data, tz, 0,
                                       minibitconsensus_SCRIPT_FLAGS_VERIFY_TAPROOT, &err);
    ExpectError(r, err, minibitconsensus_ERR_SPENT_OUTPUTS_REQUIRED, "TAPROOT, no amount");
    r = minibitconsensus_verify_script_with_amount(spk.data, sz, 0, tx.data, tz, 0, tap, &err);
    ExpectError(r, err, minibitconsensus_ERR_SPENT_OUTPUTS_REQUIRED, "TAPROOT with amount");
    r = minibitconsensus_verify_script_with_spent_outputs(spk.data, sz, 0, tx.data, tz, NULL, 0, 0,
                                                          tap, &err);
    ExpectError(r, err, minibitconsensus_ERR_SPENT_OUTPUTS_REQUIRED, "TAPROOT, NULL outputs");
    /* Without TAPROOT, no spent outputs is fine. */
    r = minibitconsensus_verify_script_with_spent_outputs(spk.data, sz, 0, tx.data, tz, NULL, 0, 0,
                                                          FLAGS_NO_TAPROOT, &err);
    CHECK(r == 1 && err == minibitconsensus_ERR_OK, "no TAPROOT, no outputs: r %d err %d", r,
          (int)err);

    /* Spent outputs must match the input count. */
    minibitconsensus_utxo two[2] = {utxo, utxo};
    r = minibitconsensus_verify_script_with_spent_outputs(spk.data, sz, 0, tx.data, tz, two, 2, 0,
                                                          tap, &err);
    ExpectError(r, err, minibitconsensus_ERR_SPENT_OUTPUTS_MISMATCH, "two outputs, one input");
    /* An empty array counts as not given. */
    r = minibitconsensus_verify_script_with_spent_outputs(spk.data, sz, 0, tx.data, tz, two, 0, 0,
                                                          tap, &err);
    ExpectError(r, err, minibitconsensus_ERR_SPENT_OUTPUTS_REQUIRED, "zero outputs, TAPROOT");
    /* A NULL script with a length is unreadable input, not a crash. */
    minibitconsensus_utxo broken = {NULL, 25, 0};
    r = minibitconsensus_verify_script_with_spent_outputs(spk.data, sz, 0, tx.data, tz, &broken, 1,
                                                          0, tap, &err);
    ExpectError(r, err, minibitconsensus_ERR_TX_DESERIALIZE, "NULL spent script");
    r = minibitconsensus_verify_script(NULL, 25, tx.data, tz, 0, FLAGS_NO_SEGWIT, &err);
    ExpectError(r, err, minibitconsensus_ERR_TX_DESERIALIZE, "NULL scriptPubKey");
    /* An empty scriptPubKey (NULL, 0) is legal input: the pubkey the scriptSig
     * leaves on top of the stack is true, so it passes. */
    r = minibitconsensus_verify_script(NULL, 0, tx.data, tz, 0, FLAGS_NO_SEGWIT, &err);
    CHECK(r == 1 && err == minibitconsensus_ERR_OK, "empty scriptPubKey: r %d err %d", r, (int)err);

    free(spk.data);
    free(tx.data);
    free(longer.data);
}

int main(void)
{
    TestVersion();
    TestP2pkh();
    TestP2wpkh();
    TestTaprootKeyPath();
    TestErrors();
    printf("%d checks, %d failures\n", g_checks, g_failures);
    return g_failures == 0 ? 0 : 1;
}
