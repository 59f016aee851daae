import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A one-pixel PNG, for the canary's allowed image. */
export const PIXEL_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

/**
 * A web server on the loopback interface that records every request it gets: a brief that must
 * not reach the network points at it, and the test asserts it heard nothing.
 */
export interface Canary {
  port: number;
  requests: string[];
  /** TCP connections accepted, with or without a request on them (a preconnect makes none). */
  connections: number;
  close(): Promise<void>;
}

export async function startCanary(): Promise<Canary> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    requests.push(request.url ?? '');
    if (request.url === '/allowed.png') {
      response.writeHead(200, { 'content-type': 'image/png' }).end(PIXEL_PNG);
    } else if (request.url === '/redirect-out.png') {
      response.writeHead(302, { location: 'http://evil.example/stolen.png' }).end();
    } else if (request.url === '/page.html') {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<p>not an image</p>');
    } else {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('CANARY');
    }
  });
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    get connections() {
      return connections;
    },
    // A connection held open with no request on it would keep close() waiting for minutes.
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
