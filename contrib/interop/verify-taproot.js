#!/usr/bin/env node
// Checks the taproot key-path signatures of a signed transaction with libraries
// independent of minibit: @scure/btc-signer computes the BIP341 signature hash
// (Transaction.preimageWitnessV1) and @noble/curves verifies the BIP340 Schnorr
// signature against the output key of the spent P2TR output.
//
// Usage: node verify-taproot.js < request.json
//   request: {"tx": "<signed tx hex>",
//             "prevouts": [{"amount": <satoshis>, "script": "<scriptPubKey hex>"}, ...]}
//   (one prevout per input, in input order: BIP341 commits to all of them).
// Prints one JSON object: {"inputs": [{"index", "type", "hashType", "sighash",
// "valid", "error"}]}, where type is "p2tr-keypath", "p2tr-scriptpath" (not
// checked: valid is null) or "not-p2tr" (valid is null). Exit 0 whenever the
// request parsed, whatever the verdicts; 2 on a malformed request.

'use strict';

const {Transaction} = require('@scure/btc-signer');
const {schnorr} = require('@noble/curves/secp256k1');

const SIGHASH_DEFAULT = 0x00;
const SIGHASH_SINGLE = 0x03;
// BIP341: the only hash types a key-path signature may carry.
const VALID_HASH_TYPES = new Set([0x00, 0x01, 0x02, 0x03, 0x81, 0x82, 0x83]);
const ANNEX_TAG = 0x50;

function FromHex(text, what) {
  if (typeof text !== 'string' || text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text))
    throw new Error(`${what} is not hex`);
  return Uint8Array.from(Buffer.from(text, 'hex'));
}

function ToHex(bytes) {
  return Buffer.from(bytes).toString('hex');
}

// A witness v1 program of 32 bytes (OP_1 PUSH32 <key>) is a P2TR output.
function OutputKey(script) {
  if (script.length === 34 && script[0] === 0x51 && script[1] === 0x20) return script.slice(2);
  return null;
}

function CheckInput(tx, index, scripts, amounts) {
  const result = {index, type: 'not-p2tr', hashType: null, sighash: null, valid: null, error: null};
  const output_key = OutputKey(scripts[index]);
  if (output_key === null) return result;
  let stack = tx.getInput(index).finalScriptWitness || [];
  let annex;
  // BIP341: with two or more elements, a last one starting with 0x50 is the annex.
  if (stack.length >= 2 && stack[stack.length - 1].length > 0 &&
      stack[stack.length - 1][0] === ANNEX_TAG) {
    annex = stack[stack.length - 1];
    stack = stack.slice(0, -1);
  }
  if (stack.length !== 1) {
    result.type = stack.length === 0 ? 'p2tr-keypath' : 'p2tr-scriptpath';
    if (stack.length === 0) {
      result.valid = false;
      result.error = 'empty witness';
    }
    return result;
  }
  result.type = 'p2tr-keypath';
  const sig = stack[0];
  let hash_type = SIGHASH_DEFAULT;
  if (sig.length === 65) {
    hash_type = sig[64];
    // An explicit 0x00 byte is invalid: SIGHASH_DEFAULT is only ever implicit.
    if (hash_type === SIGHASH_DEFAULT) {
      result.valid = false;
      result.error = 'explicit SIGHASH_DEFAULT byte';
      return result;
    }
  } else if (sig.length !== 64) {
    result.valid = false;
    result.error = `signature of ${sig.length} bytes`;
    return result;
  }
  result.hashType = hash_type;
  if (!VALID_HASH_TYPES.has(hash_type)) {
    result.valid = false;
    result.error = `invalid hash type ${hash_type}`;
    return result;
  }
  // BIP341 fails SIGHASH_SINGLE without a matching output (the library would hash zeros).
  if ((hash_type & 0x03) === SIGHASH_SINGLE && index >= tx.outputsLength) {
    result.valid = false;
    result.error = 'SIGHASH_SINGLE without a matching output';
    return result;
  }
  const sighash = tx.preimageWitnessV1(index, scripts, hash_type, amounts, -1, undefined, 0xc0,
                                       annex);
  result.sighash = ToHex(sighash);
  try {
    result.valid = schnorr.verify(sig.slice(0, 64), sighash, output_key);
  } catch (e) {
    result.valid = false;
    result.error = String(e && e.message ? e.message : e);
  }
  return result;
}

function Check(request) {
  if (typeof request !== 'object' || request === null) throw new Error('request is not an object');
  // Not allowUnknownVersion: in 1.8.1 that flag rejects every numeric version (inverted
  // test); versions -1..3, which cover wallets' 1 and 2, parse without it.
  const tx = Transaction.fromRaw(FromHex(request.tx, 'tx'), {
    allowUnknownOutputs: true,
    allowUnknownInputs: true,
    disableScriptCheck: true,
  });
  const prevouts = request.prevouts;
  if (!Array.isArray(prevouts) || prevouts.length !== tx.inputsLength)
    throw new Error(`need ${tx.inputsLength} prevouts, one per input`);
  const scripts = prevouts.map((p, i) => FromHex(p.script, `prevouts[${i}].script`));
  const amounts = prevouts.map((p, i) => {
    if (!(typeof p.amount === 'number' && Number.isSafeInteger(p.amount) && p.amount >= 0) &&
        !(typeof p.amount === 'string' && /^[0-9]+$/.test(p.amount)))
      throw new Error(`prevouts[${i}].amount is not a satoshi count`);
    return BigInt(p.amount);
  });
  const inputs = [];
  for (let i = 0; i < tx.inputsLength; i++) inputs.push(CheckInput(tx, i, scripts, amounts));
  return {inputs};
}

function Main() {
  const chunks = [];
  process.stdin.on('data', (chunk) => chunks.push(chunk));
  process.stdin.on('end', () => {
    let out;
    try {
      out = Check(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    } catch (e) {
      process.stderr.write(`verify-taproot: ${e && e.message ? e.message : e}\n`);
      process.exit(2);
    }
    process.stdout.write(JSON.stringify(out) + '\n');
  });
}

Main();
