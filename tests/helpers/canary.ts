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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
