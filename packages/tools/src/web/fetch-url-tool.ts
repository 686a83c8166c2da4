import { GuardError, SystemError, UserError } from '@herd/core';
import { convert } from 'html-to-text';
import { z } from 'zod';
import type { ToolsConfig } from '../config/tools-config.js';
import { defineTool } from '../tool/define-tool.js';

const FetchUrlInputSchema = z.object({
  url: z.string().describe('An http(s) URL on an allowed documentation host.'),
});

/** True when a host name is allowed by an allow list of exact names and `*.domain` wildcards. */
export function isHostAllowed(host: string, allowHosts: readonly string[]): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return allowHosts.some((pattern) => {
    const allowed = pattern.toLowerCase();
    return allowed.startsWith('*.')
      ? name.endsWith(allowed.slice(1)) && name.length > allowed.length - 1
      : name === allowed;
  });
}

const maxRedirects = 5;

const checkUrl = (raw: string, allowHosts: readonly string[]): URL => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UserError({
      code: 'url_invalid',
      message: `'${raw.slice(0, 200)}' is not a valid URL; pass an absolute http(s) URL.`,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new GuardError({
      code: 'url_scheme_denied',
      message: `The URL scheme '${url.protocol}' is not allowed; only http and https are fetched.`,
      scanner: 'fetch_url',
    });
  }
  if (url.username || url.password) {
    throw new GuardError({
      code: 'url_credentials_denied',
      message: 'URLs with a user name or password are not fetched; remove the credentials.',
      scanner: 'fetch_url',
    });
  }
  if (!isHostAllowed(url.hostname, allowHosts)) {
    throw new GuardError({
      code: 'url_host_denied',
      message: `The host '${url.hostname}' is not on the fetch_url allow list (${allowHosts.join(', ') || 'empty'}); use an allowed documentation host.`,
      hint: 'A person can add the host to tools.fetchUrl.allowHosts.',
      scanner: 'fetch_url',
    });
  }
  return url;
};

const readCapped = async (
  response: Response,
  maxBytes: number,
): Promise<{ bytes: Uint8Array; truncated: boolean }> => {
  const reader = response.body?.getReader();
  if (!reader) return { bytes: new Uint8Array(), truncated: false };
  const chunks: Uint8Array[] = [];
  let total = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = maxBytes - total;
    if (value.length >= room) {
      chunks.push(value.subarray(0, room));
      total += room;
      truncated = true;
      await reader.cancel().catch(() => {});
      break;
    }
    chunks.push(value);
    total += value.length;
  }
  return { bytes: Buffer.concat(chunks), truncated };
};

/**
 * Creates `fetch_url`: HTTP GET of documentation pages on allow-listed hosts (redirects re-checked), with size and
 * time caps; HTML is reduced to text. Its output is untrusted and is meant for the guard's `tool_output` point.
 */
export function createFetchUrlTool(options: { config: ToolsConfig['fetchUrl'] }) {
  const { config } = options;
  return defineTool({
    name: 'fetch_url',
    description: 'Fetch a documentation page (HTTP GET) from an allowed host and return it as plain text.',
    input: FetchUrlInputSchema,
    access: 'read',
    openWorld: true,
    timeoutMs: config.timeoutMs + 5000,
    examples: [{ url: `https://${config.allowHosts[0]?.replace('*.', 'docs.') ?? 'docs.example.com'}/` }],
    async run({ url: raw }, { signal }) {
      let url = checkUrl(raw, config.allowHosts);
      // A timer we hold, not AbortSignal.timeout inside AbortSignal.any: on Node 20 the composite keeps its sources
      // only weakly, so the timeout signal can be collected and never fire (nodejs/node#57736).
      const timer = new AbortController();
      const timeout = setTimeout(() => timer.abort(), config.timeoutMs);
      const deadline = AbortSignal.any([signal, timer.signal]);
      let response: Response | undefined;
      try {
        for (let redirects = 0; ; redirects += 1) {
          response = await fetch(url, {
            redirect: 'manual',
            signal: deadline,
            headers: { accept: 'text/html, text/plain, application/json;q=0.9, */*;q=0.1' },
          });
          const location = response.headers.get('location');
          if (response.status < 300 || response.status >= 400 || !location) break;
          await response.body?.cancel().catch(() => {});
          if (redirects >= maxRedirects) {
            throw new SystemError({
              code: 'fetch_too_many_redirects',
              message: `${raw} redirected more than ${maxRedirects} times; fetch the final page directly.`,
            });
          }
          url = checkUrl(new URL(location, url).toString(), config.allowHosts);
        }
        if (!response.ok) {
          await response.body?.cancel().catch(() => {});
          throw new SystemError({
            code: 'fetch_http_error',
            message: `${url} answered HTTP ${response.status}; check the URL.`,
          });
        }
        const type = (response.headers.get('content-type') ?? '').toLowerCase();
        if (type && !/^(text\/|application\/(json|xml|xhtml\+xml|javascript))/.test(type)) {
          await response.body?.cancel().catch(() => {});
          throw new UserError({
            code: 'fetch_unsupported_type',
            message: `${url} is '${type.split(';')[0]}', not a text page; fetch_url only reads text documentation.`,
          });
        }
        const { bytes, truncated } = await readCapped(response, config.maxBytes);
        const body = new TextDecoder('utf-8').decode(bytes);
        const text =
          type.includes('html') || /^\s*<(!doctype html|html)/i.test(body)
            ? convert(body, { wordwrap: false, selectors: [{ selector: 'img', format: 'skip' }] })
            : body;
        const cut = text.length > config.maxChars;
        const shown = cut
          ? `${text.slice(0, config.maxChars)}\n[cut at ${config.maxChars} characters]`
          : text;
        return {
          content: `Untrusted content fetched from ${url}:\n${shown}${truncated ? `\n[download stopped at ${config.maxBytes} bytes]` : ''}`,
          data: {
            url: url.toString(),
            status: response.status,
            contentType: type,
            bytes: bytes.length,
            truncated: truncated || cut,
            untrusted: true,
          },
        };
      } catch (error) {
        if (deadline.aborted && !signal.aborted) {
          throw new SystemError({
            code: 'fetch_timeout',
            message: `${raw} did not answer within ${config.timeoutMs} ms; try again later or another page.`,
          });
        }
        if (error instanceof TypeError) {
          throw new SystemError({
            code: 'fetch_failed',
            message: `${raw} could not be fetched (${(error.cause as Error | undefined)?.message ?? error.message}).`,
          });
        }
        throw error;
      } finally {
        clearTimeout(timeout);
      }
    },
  });
}
