/* Built against the *installed* header and library: if this compiles, links
 * and returns 0, `cmake --install` delivered a usable libminibitconsensus. */
#include <minibitconsensus.h>

#include <stdio.h>

int main(void)
{
    /* OP_1 as scriptSig against an empty scriptPubKey in a minimal transaction. */
    static const unsigned char tx[] = {
        0x01, 0x00, 0x00, 0x00, /* version */
        0x01,                   /* one input */
        0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
        0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
        0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x00, 0x00, 0x00, 0x00, /* prevout */
        0x01, 0x51,                                                 /* scriptSig: OP_1 */
        0xff, 0xff, 0xff, 0xff,                                     /* sequence */
        0x01,                                                       /* one output */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x6a, /* 0 sat, OP_RETURN */
        0x00, 0x00, 0x00, 0x00,                                     /* locktime */
    };
    static const unsigned char spk_true[] = {0x51};  /* OP_1 */
    static const unsigned char spk_false[] = {0x00}; /* OP_0 */
    minibitconsensus_error err = minibitconsensus_ERR_TX_INDEX;
    const int ok = minibitconsensus_verify_script(spk_true, 1, tx, sizeof(tx), 0,
                                                  minibitconsensus_SCRIPT_FLAGS_VERIFY_P2SH, &err);
    if (ok != 1 || err != minibitconsensus_ERR_OK) {
        fprintf(stderr, "OP_1 spend: result %d err %d\n", ok, (int)err);
        return 1;
    }
    if (minibitconsensus_verify_script(spk_false, 1, tx, sizeof(tx), 0, 0, &err) != 0) {
        fprintf(stderr, "OP_0 spend passed\n");
        return 1;
    }
    if (minibitconsensus_verify_script(spk_true, 1, tx, sizeof(tx), 1, 0, &err) != 0 ||
        err != minibitconsensus_ERR_TX_INDEX) {
        fprintf(stderr, "bad index not reported\n");
        return 1;
    }
    if (minibitconsensus_version() != MINIBITCONSENSUS_API_VER) return 1;
    printf("installed libminibitconsensus works (API %u)\n", minibitconsensus_version());
    return 0;
}
