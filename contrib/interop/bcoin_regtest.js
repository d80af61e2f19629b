#!/usr/bin/env node
// Starts a bcoin full node on regtest for interoperability tests with minibitd.
//
// Usage: node bcoin_regtest.js --datadir=DIR --port=P --http-port=H [--api-key=K]
//          [--connect=HOST:PORT ...] [--log-level=debug]
//
// bcoin 1.0.2 (the newest release on npm) predates three things Bitcoin Core's
// regtest (and so minibit's) now assumes, so this launcher adjusts bcoin's
// in-process regtest parameters before the node starts:
//   - segwit and CSV are always active (Core: segwit from genesis, CSV from
//     height 1); bcoin would otherwise wait for BIP9 signalling and reject
//     blocks carrying a witness commitment as "unexpected-witness";
//   - BIP34/65/66 apply from height 1 (bcoin: 100000000/1351/1251).
// Its native modules (leveldown, the murmur3 and string bindings) are not
// built: installs use `npm ci --ignore-scripts`, the chain lives in memory
// (--memory) and every hash runs through bcoin's pure-JS backend.

'use strict';

const Module = require('module');
const path = require('path');

function ParseArgs(argv) {
  const out = {connect: [], logLevel: 'info', apiKey: 'interop'};
  for (const arg of argv) {
    const m = /^--([a-z-]+)=(.*)$/.exec(arg);
    if (!m) throw new Error(`bad argument: ${arg}`);
    const [, key, value] = m;
    switch (key) {
      case 'datadir': out.datadir = path.resolve(value); break;
      case 'port': out.port = Number(value); break;
      case 'http-port': out.httpPort = Number(value); break;
      case 'api-key': out.apiKey = value; break;
      case 'connect': out.connect.push(value); break;
      case 'log-level': out.logLevel = value; break;
      default: throw new Error(`unknown option --${key}`);
    }
  }
  if (!out.datadir || !out.port || !out.httpPort)
    throw new Error('--datadir, --port and --http-port are required');
  return out;
}

// Must be set before bcoin's crypto modules are first required.
process.env.NODE_BACKEND = 'js';

// bdb loads leveldown eagerly even for in-memory databases; its native part is
// never built here, so hand bdb a constructor that only fails if used.
const original_load = Module._load;
Module._load = function(request, parent, is_main) {
  if (request === 'leveldown') {
    return function LevelDown() {
      throw new Error('leveldown is not built; run bcoin with memory: true');
    };
  }
  return original_load.call(this, request, parent, is_main);
};

const Network = require('bcoin/lib/protocol/network');
const Chain = require('bcoin/lib/blockchain/chain');
const {thresholdStates} = require('bcoin/lib/blockchain/common');
const FullNode = require('bcoin/lib/node/fullnode');

function AlignRegtestWithCore() {
  const regtest = Network.get('regtest');
  regtest.block.bip34height = 1;
  regtest.block.bip65height = 1;
  regtest.block.bip66height = 1;
  const always_active = new Set(['segwit', 'csv']);
  const get_state = Chain.prototype.getState;
  Chain.prototype.getState = async function(prev, deployment) {
    if (always_active.has(deployment.name)) return thresholdStates.ACTIVE;
    return get_state.call(this, prev, deployment);
  };
}

async function Main() {
  const args = ParseArgs(process.argv.slice(2));
  AlignRegtestWithCore();
  const node = new FullNode({
    network: 'regtest',
    prefix: args.datadir,
    memory: true,
    workers: false,
    listen: true,
    host: '127.0.0.1',
    port: args.port,
    publicHost: '127.0.0.1',
    publicPort: args.port,
    only: args.connect,
    upnp: false,
    httpHost: '127.0.0.1',
    httpPort: args.httpPort,
    apiKey: args.apiKey,
    // Core's mempool accepts transactions that signal BIP125; bcoin's rejects them unless told.
    replaceByFee: true,
    // In-memory nodes never write debug.log; the log goes to stdout instead.
    logConsole: true,
    logLevel: args.logLevel,
  });
  const stop = async () => {
    try {
      await node.close();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  await node.ensure();
  await node.open();
  await node.connect();
  node.startSync();
  // The Python helper waits for this line.
  console.log(`bcoin-regtest ready p2p=${args.port} http=${args.httpPort}`);
}

process.on('unhandledRejection', (err) => {
  console.error(err && err.stack ? err.stack : err);
  process.exit(1);
});

Main().catch((err) => {
  console.error(err.stack);
  process.exit(1);
});
