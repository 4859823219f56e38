// A byte-for-byte stream forwarder between TCP ports and Unix sockets, used to
// join the host's loopback and the cluster's network namespace. A pathname Unix
// socket belongs to the file system, not to a network namespace, so two of
// these meet at one: the one inside the namespace listens on the socket and
// dials 127.0.0.1:<port> there; the one on the host listens on the host's
// 127.0.0.1:<port> and dials the socket. No packet leaves either loopback.
//
//   node forward.ts LISTEN=TARGET [LISTEN=TARGET …]
//   where each side is tcp:<host>:<port> or unix:<path>
//
// Runs until killed (SIGTERM closes the listeners). One line per listener on
// stderr at start; a failed dial closes that one connection only.
import { rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';

/** One side of a forward. */
type Address = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

/** Parses `tcp:<host>:<port>` or `unix:<path>`; throws with the bad text. */
export function parseAddress(text: string): Address {
  if (text.startsWith('unix:') && text.length > 5) return { kind: 'unix', path: text.slice(5) };
  const tcp = /^tcp:([^:]+):(\d{1,5})$/.exec(text);
  if (tcp && Number(tcp[2]) > 0 && Number(tcp[2]) < 65536) return { kind: 'tcp', host: tcp[1]!, port: Number(tcp[2]) };
  throw new Error(`bad address ${JSON.stringify(text)}: expected tcp:<host>:<port> or unix:<path>`);
}

function show(address: Address): string {
  return address.kind === 'tcp' ? `${address.host}:${address.port}` : address.path;
}

function dial(address: Address): Socket {
  return address.kind === 'tcp' ? connect(address.port, address.host) : connect(address.path);
}

/** Pipes each accepted connection to a new connection to `target`, both ways, half-close included. */
function forward(listen: Address, target: Address): Server {
  const server = createServer({ allowHalfOpen: true }, (client) => {
    const upstream = dial(target);
    upstream.setNoDelay(true);
    client.setNoDelay(true);
    client.pipe(upstream);
    upstream.pipe(client);
    const close = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', () => upstream.end());
    upstream.on('close', () => client.end());
  });
  server.on('error', (error) => {
    process.stderr.write(`forward: ${show(listen)}: ${error.message}\n`);
    process.exit(1);
  });
  if (listen.kind === 'unix') {
    rmSync(listen.path, { force: true });
    server.listen(listen.path);
  } else {
    server.listen(listen.port, listen.host);
  }
  server.on('listening', () => process.stderr.write(`forward: ${show(listen)} -> ${show(target)}\n`));
  return server;
}

function main(argv: readonly string[]): void {
  if (argv.length === 0) throw new Error('usage: forward.ts LISTEN=TARGET [LISTEN=TARGET …]');
  const servers = argv.map((pair) => {
    const [listen, target, ...rest] = pair.split('=');
    if (listen === undefined || target === undefined || rest.length > 0) throw new Error(`bad pair ${JSON.stringify(pair)}: expected LISTEN=TARGET`);
    return forward(parseAddress(listen), parseAddress(target));
  });
  process.on('SIGTERM', () => {
    for (const server of servers) server.close();
    process.exit(0);
  });
}

if (import.meta.main) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`forward: ${(error as Error).message}\n`);
    process.exit(2);
  }
}
