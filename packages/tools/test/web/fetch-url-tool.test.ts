import { createServer, type Server } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseToolsConfig } from '../../src/config/parse-tools-config.js';
import { createToolDispatcher } from '../../src/dispatcher/tool-dispatcher.js';
import { createToolRegistry } from '../../src/tool/tool-registry.js';
import { createFetchUrlTool, isHostAllowed } from '../../src/web/fetch-url-tool.js';
import { isFetchUrlEnabled } from '../../src/workspace/create-builtin-tools.js';

let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((request, response) => {
    const url = request.url ?? '/';
    if (url === '/page') {
      response.setHeader('content-type', 'text/html; charset=utf-8');
      response.end(
        '<html><head><script>evil()</script><style>p{}</style></head><body><h1>Install</h1><p>Run <code>npm i</code>.</p><img src="x.png"></body></html>',
      );
    } else if (url === '/huge') {
      response.setHeader('content-type', 'text/plain');
      response.end('y'.repeat(5_000_000));
    } else if (url === '/slow') {
      setTimeout(() => response.end('late'), 5000).unref();
    } else if (url === '/redirect-out') {
      response.statusCode = 302;
      response.setHeader('location', 'http://evil.example.com/steal');
      response.end();
    } else if (url === '/redirect-in') {
      response.statusCode = 301;
      response.setHeader('location', '/page');
      response.end();
    } else if (url === '/binary') {
      response.setHeader('content-type', 'application/octet-stream');
      response.end(Buffer.from([0, 1, 2]));
    } else {
      response.statusCode = 404;
      response.end('missing');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const dispatcherWith = (fetchUrl: Record<string, unknown>) => {
  const config = parseToolsConfig({ fetchUrl: { allowHosts: ['127.0.0.1'], ...fetchUrl } });
  return createToolDispatcher({
    registry: createToolRegistry({ tools: [createFetchUrlTool({ config: config.fetchUrl })] }),
  });
};

describe('fetch_url', () => {
  it('fetches an allowed page and reduces HTML to text, marked untrusted', async () => {
    const result = await dispatcherWith({}).dispatch({
      name: 'fetch_url',
      arguments: { url: `${base}/page` },
    });
    expect(result.ok).toBe(true);
    expect(result.content).toContain('Untrusted content fetched from');
    expect(result.content).toContain('INSTALL');
    expect(result.content).toContain('Run npm i.');
    expect(result.content).not.toContain('evil()');
    expect(result.data).toMatchObject({ status: 200, untrusted: true });
  });

  it('refuses hosts off the allow list, also after a redirect', async () => {
    const dispatcher = dispatcherWith({});
    expect(
      (await dispatcher.dispatch({ name: 'fetch_url', arguments: { url: 'http://localhost:1/' } })).error
        ?.code,
    ).toBe('url_host_denied');
    expect(
      (await dispatcher.dispatch({ name: 'fetch_url', arguments: { url: `${base}/redirect-out` } })).error
        ?.code,
    ).toBe('url_host_denied');
    expect(
      (await dispatcher.dispatch({ name: 'fetch_url', arguments: { url: `${base}/redirect-in` } })).ok,
    ).toBe(true);
  });

  it.each(['file:///etc/passwd', 'ftp://127.0.0.1/x', 'http://user:pass@127.0.0.1/', 'not a url'])(
    'refuses %s',
    async (url) => {
      const result = await dispatcherWith({}).dispatch({ name: 'fetch_url', arguments: { url } });
      expect(result.ok).toBe(false);
    },
  );

  it('stops reading at the size cap', async () => {
    const result = await dispatcherWith({ maxBytes: 10_000, maxChars: 100_000 }).dispatch({
      name: 'fetch_url',
      arguments: { url: `${base}/huge` },
    });
    expect(result.data).toMatchObject({ bytes: 10_000, truncated: true });
    expect(result.content).toContain('download stopped at 10000 bytes');
  });

  it('gives up at the time cap', async () => {
    const result = await dispatcherWith({ timeoutMs: 200 }).dispatch({
      name: 'fetch_url',
      arguments: { url: `${base}/slow` },
    });
    expect(result.error?.code).toBe('fetch_timeout');
  });

  it('gives up at the time cap even when garbage is collected while it waits', async () => {
    setFlagsFromString('--expose-gc');
    const collectGarbage = runInNewContext('gc') as () => void;
    const pending = dispatcherWith({ timeoutMs: 300 }).dispatch({
      name: 'fetch_url',
      arguments: { url: `${base}/slow` },
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    collectGarbage();
    expect((await pending).error?.code).toBe('fetch_timeout');
  });

  it('reports HTTP errors and non-text content', async () => {
    const dispatcher = dispatcherWith({});
    expect(
      (await dispatcher.dispatch({ name: 'fetch_url', arguments: { url: `${base}/nope` } })).error?.message,
    ).toContain('HTTP 404');
    expect(
      (await dispatcher.dispatch({ name: 'fetch_url', arguments: { url: `${base}/binary` } })).error?.code,
    ).toBe('fetch_unsupported_type');
  });
});

describe('isHostAllowed and isFetchUrlEnabled', () => {
  it('matches exact hosts and subdomain wildcards only', () => {
    expect(isHostAllowed('docs.python.org', ['*.python.org'])).toBe(true);
    expect(isHostAllowed('python.org', ['*.python.org'])).toBe(false);
    expect(isHostAllowed('evilpython.org', ['*.python.org'])).toBe(false);
    expect(isHostAllowed('DOCS.rs', ['docs.rs'])).toBe(true);
  });

  it('is off by default in CI and on elsewhere, unless configured', () => {
    expect(isFetchUrlEnabled(parseToolsConfig({}), { CI: 'true' })).toBe(false);
    expect(isFetchUrlEnabled(parseToolsConfig({}), {})).toBe(true);
    expect(isFetchUrlEnabled(parseToolsConfig({ fetchUrl: { enabled: true } }), { CI: 'true' })).toBe(true);
  });
});
