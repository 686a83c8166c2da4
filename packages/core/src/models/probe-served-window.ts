import type { ServedWindowSource } from '../providers/provider-preset.js';

/** Where to ask a host for the window it serves one model with. */
export interface ServedWindowProbe {
  /** Which API to ask: vLLM-style `/v1/models`, llama.cpp `/props`, or Ollama `/api/show`. */
  source: ServedWindowSource;
  /** Base URL of the OpenAI-compatible API, e.g. `http://127.0.0.1:8000/v1`. */
  baseUrl: string;
  /** Model id. */
  model: string;
  /** Sent as a bearer token when set (a vLLM started with `--api-key`). */
  apiKey?: string | undefined;
}

/** Options for {@link probeServedWindow}. */
export interface ProbeServedWindowOptions extends ServedWindowProbe {
  /** How long to wait for the host; default 3 s. A host that does not answer in time reports nothing. */
  timeoutMs?: number;
  /** The fetch to use; default the global one. */
  fetch?: typeof fetch;
}

const cache = new Map<string, Promise<number | undefined>>();

/**
 * Asks a host which context window it serves a model with, once per process (the answer is cached by source, URL
 * and model): vLLM reports `max_model_len` in `GET /v1/models`, llama.cpp's server the per-slot
 * `default_generation_settings.n_ctx` in `GET /props`, Ollama `num_ctx` in the `parameters` of `POST /api/show`
 * (only when set: without it Ollama serves `OLLAMA_CONTEXT_LENGTH`, which it does not report). Resolves to
 * `undefined` when the host does not say, is unreachable, or answers with anything unexpected; never throws.
 */
export function probeServedWindow(options: ProbeServedWindowOptions): Promise<number | undefined> {
  if (options.source === 'none') return Promise.resolve(undefined);
  const key = `${options.source}\u0000${options.baseUrl}\u0000${options.model}`;
  let answer = cache.get(key);
  if (!answer) {
    answer = ask(options).catch(() => undefined);
    cache.set(key, answer);
  }
  return answer;
}

/** Forgets every cached answer (for tests that start hosts with different windows on reused ports). */
export function forgetServedWindows(): void {
  cache.clear();
}

async function ask(options: ProbeServedWindowOptions): Promise<number | undefined> {
  const base = options.baseUrl.replace(/\/+$/, '');
  const root = base.replace(/\/v1$/, '');
  const request = async (url: string, body?: unknown): Promise<unknown> => {
    const response = await (options.fetch ?? fetch)(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 3_000),
    });
    if (!response.ok) return undefined;
    return response.json();
  };
  switch (options.source) {
    case 'models': {
      const listing = (await request(`${base}/models`)) as { data?: unknown } | undefined;
      const entries = Array.isArray(listing?.data) ? (listing.data as Array<Record<string, unknown>>) : [];
      const entry = entries.find((candidate) => candidate.id === options.model);
      return positive(entry?.max_model_len);
    }
    case 'llama-cpp-props': {
      const props = (await request(`${root}/props`)) as Record<string, unknown> | undefined;
      const settings = props?.default_generation_settings as Record<string, unknown> | undefined;
      return positive(settings?.n_ctx) ?? positive(props?.n_ctx);
    }
    case 'ollama-show': {
      const shown = (await request(`${root}/api/show`, { model: options.model })) as
        | { parameters?: unknown }
        | undefined;
      const parameters = typeof shown?.parameters === 'string' ? shown.parameters : '';
      const match = /^\s*num_ctx\s+(\d+)\s*$/m.exec(parameters);
      return match ? positive(Number(match[1])) : undefined;
    }
    default:
      return undefined;
  }
}

function positive(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}
